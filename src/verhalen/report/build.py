"""Build the research report: ``index``, a page per practice, ``vergelijking``, appendices.

Output (in ``out_dir``, normally ``reports/``)::

    index.html, index.md                  overview: method, participants, factor matrices
    praktijk_<id>.html, .md               per practice: per role, factors, codes, quotes
    vergelijking.html, .md                common factors; clusters versus factors
    <extra>.html, .md                     pages added by other stages (extra_sections)
    figuren/*.png                         heatmaps and cluster figures
    bijlagen/*.csv                        per table, per cell: the segments and participants

Every write is atomic (:mod:`verhalen.io`) and the output is deterministic: the same
inputs give byte-identical files (no timestamps, fixed orders, stable PNGs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pandas as pd

from verhalen.config import ProjectConfig
from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.io import atomic_write_bytes, atomic_write_text
from verhalen.records import Codebook
from verhalen.report.blocks import FigureBlock, Heading, Link, Links, Page, Raw
from verhalen.report.comparison import comparison_page
from verhalen.report.data import prepare
from verhalen.report.pages import ReportOptions, index_page, nav_links, practice_page
from verhalen.report.quotes import Quote
from verhalen.report.render import render_page
from verhalen.report.tables import Table, trace_csv
from verhalen.report.text import slugify

if TYPE_CHECKING:
    from verhalen.cluster.analysis import ClusterResult, CrossCase

_REMOTE = re.compile(
    r"""(?ix) https?:// | (?:\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*
    | url\(\s*["']?\s* | @import\s+["']? | \]\(\s* ) //"""
)


@dataclass(frozen=True)
class ExtraSection:
    """A section written by another stage (calibration summary, klankbord feedback).

    Parameters
    ----------
    title
        Dutch title; the page's ``<h1>`` or the section's ``<h2>``.
    html
        An HTML fragment (trusted, not escaped). Headings should start at ``<h2>`` on a
        page and ``<h3>`` in a section; no network references (checked).
    markdown
        The same content as Markdown.
    page
        ``True``: its own page ``<slug>.html``/``.md``, linked from every page's menu;
        ``False``: a section at the end of the overview.
    slug
        File name of the page (default: from the title, e.g. ``kalibratie``).
    files
        Extra files the fragment refers to, by relative path (e.g. ``figuren/x.png``).
    """

    title: str
    html: str
    markdown: str
    page: bool = True
    slug: str | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)


@dataclass
class ReportManifest:
    """What :func:`build_report` wrote."""

    out_dir: Path
    files: list[str]  # relative POSIX paths, sorted
    tables: list[Table]
    quotes: list[Quote]  # with segment ids, for the team's audit trail; not written
    notes: list[str]

    @property
    def paths(self) -> list[Path]:
        return [self.out_dir / f for f in self.files]


def _check_extra(section: ExtraSection, reserved: set[str]) -> str:
    where = f"extra section {section.title!r}"
    slug = section.slug or slugify(section.title)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", slug):
        raise VerhalenError(
            f"{where}: slug {slug!r} is not a plain file name — use lower-case letters, "
            "digits, '_' or '-'"
        )
    if section.page and slug in reserved:
        raise VerhalenError(
            f"{where}: page name {slug!r} is already used by the report — pass another slug"
        )
    for label, text in (("html", section.html), ("markdown", section.markdown)):
        if _REMOTE.search(text):
            raise VerhalenError(
                f"{where} ({label}): refers to a resource on the network — the report must be "
                "self-contained; put figures beside it (ExtraSection.files) or inline them"
            )
    for name in section.files:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise VerhalenError(
                f"{where}: file {name!r} must be a relative path inside the report folder, "
                "e.g. 'figuren/kalibratie.png'"
            )
    return slug


def build_report(
    corpus: Corpus,
    codings: pd.DataFrame,
    codebook: Codebook,
    config: ProjectConfig,
    out_dir: str | Path,
    cluster: ClusterResult | None = None,
    cross_case: CrossCase | None = None,
    extra_sections: Sequence[ExtraSection] | None = None,
    *,
    options: ReportOptions | None = None,
) -> ReportManifest:
    """Write the research report (HTML and Markdown, figures, appendix CSVs).

    Parameters
    ----------
    corpus
        The **pseudonymised** corpus (the privacy stage's output): quotes come from its
        segment texts; participant names are never read except to refuse any quote that
        still contains one.
    codings
        Codings of all coders, e.g. ``CodedStore(project.coded_dir).dataframe(codebook)``;
        pooled with ``options.pooling`` (:func:`verhalen.report.pooling.pool_codings`).
    codebook
        Factors and codes (:func:`verhalen.codebook.load_project_codebook`).
    config
        Project configuration: practices, roles, ``[report]`` (``small_cell_k``,
        ``role_mapping``, ``title``).
    out_dir
        Output folder, normally ``project.reports_dir``.
    cluster
        A cluster result (:func:`verhalen.cluster.analyse`): adds ARI, contingency table
        and the dendrogram, heatmap and code map to ``vergelijking``.
    cross_case
        A cross-case analysis (:func:`verhalen.cluster.analyse_cross_case`); its summary
        gives the common factors. Without it they are computed from the factor × practice
        shares with ``options.threshold``.
    extra_sections
        Sections or pages from other stages (:class:`ExtraSection`).
    options
        :class:`~verhalen.report.pages.ReportOptions` (k, pooling, quote lengths, …).

    Returns
    -------
    ReportManifest
        The files written (relative to ``out_dir``), tables, chosen quotes and notes.
    """
    options = options or ReportOptions()
    out = Path(out_dir)
    data = prepare(corpus, codings, codebook, config, options.k, options.pooling)
    reserved = {"index", "vergelijking", *(f"praktijk_{p}" for p in data.practices)}
    slugs: list[str] = []
    for section in extra_sections or ():
        slugs.append(_check_extra(section, reserved))
        if section.page:
            reserved.add(slugs[-1])
    index, by_practice = index_page(data, options, out, config.project.fictional)
    practice_pages = [practice_page(data, p, options, out) for p in data.practices]
    index.add(
        Heading(2, "Praktijken", "praktijken"),
        Links(
            [
                Link(
                    page.title,
                    page.id,
                    description="per rol de factoren, hun meest voorkomende codes en citaten",
                )
                for page in practice_pages
            ]
        ),
    )
    comparison = comparison_page(data, by_practice, out, cluster, cross_case, options.threshold)
    index.add(
        Heading(2, "Vergelijking tussen praktijken", "vergelijking"),
        Links(
            [
                Link(
                    "Vergelijking tussen praktijken",
                    "vergelijking",
                    description="gemeenschappelijke factoren en clusters tegenover factoren",
                )
            ]
        ),
    )
    pages = [index, *practice_pages, comparison]
    extra_files: dict[str, bytes] = {}
    for section, slug in zip(extra_sections or (), slugs, strict=True):
        extra_files.update(section.files)
        raw = Raw(section.html, section.markdown)
        if section.page:
            pages.append(Page(slug, section.title, section.title, [raw]))
        else:
            index.add(Heading(2, section.title, slug), raw)

    tables = [t for page in pages for t in page.tables]
    by_csv: dict[str, list[Table]] = {}
    for table in tables:
        by_csv.setdefault(table.csv, []).append(table)
    index.add(
        Heading(2, "Bijlagen", "bijlagen"),
        Links([Link(path.rsplit("/", 1)[-1], path, page=False) for path in sorted(by_csv)]),
    )

    written: set[str] = set()
    nav = nav_links(pages)
    for page in pages:
        html, markdown = render_page(page, nav, config.report.title)
        atomic_write_text(out / f"{page.id}.html", html)
        atomic_write_text(out / f"{page.id}.md", markdown)
        written.update({f"{page.id}.html", f"{page.id}.md"})
        written.update(b.figure.src for b in page.blocks if isinstance(b, FigureBlock))
    for path, group in sorted(by_csv.items()):
        atomic_write_text(out / path, trace_csv(group, options.trace_suppressed))
        written.add(path)
    for name, payload in sorted(extra_files.items()):
        atomic_write_bytes(out / name, payload)
        written.add(str(PurePosixPath(name)))
    quotes = [q for page in pages for q in page.quotes]
    return ReportManifest(out, sorted(written), tables, quotes, list(data.notes))
