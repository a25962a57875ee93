"""Klankbord material for a project: posters, forms, import and summary, on disk.

These functions take the project for its paths and configuration, and the **already
pseudonymised** corpus as an argument (the pipeline's privacy step hands it over; nothing
here reads ``data/raw`` or a participant's name). Where things go::

    reports/posters/…                         posters (see verhalen.klankbord.posters)
    reports/klankbord/index.html              links to everything below that exists
    reports/klankbord/formulieren/<practice>_<group>.xlsx|.html|.pdf   feedback forms
    reports/klankbord/samenvatting.html|.md   summary of the imported feedback
    data/feedback/<practice>_<group>_<n>.json imported sessions
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import pandas as pd

from verhalen.corpus import Corpus
from verhalen.io import atomic_write_bytes, atomic_write_text
from verhalen.klankbord.content import Poster, PosterSettings, build_posters
from verhalen.klankbord.feedback_form import FormSpec, form_html, form_specs, form_xlsx
from verhalen.klankbord.feedback_import import ImportResult, import_form
from verhalen.klankbord.pdf import form_pdf, posters_pdf
from verhalen.klankbord.posters import (
    COMBINED_PDF,
    IndexItem,
    Link,
    badge_svg,
    overview_html,
    poster_html,
    practice_index_html,
    render,
)
from verhalen.klankbord.session import load_sessions
from verhalen.klankbord.summary import FeedbackSummary, summarise, write_summary
from verhalen.project import Project
from verhalen.records import Codebook


def posters_dir(project: Project) -> Path:
    return project.reports_dir / "posters"


def klankbord_dir(project: Project) -> Path:
    return project.reports_dir / "klankbord"


def forms_dir(project: Project) -> Path:
    return klankbord_dir(project) / "formulieren"


def feedback_dir(project: Project) -> Path:
    return project.data_dir / "feedback"


def project_codebook(project: Project) -> Codebook:
    """The project's codebook (:func:`verhalen.codebook.load_project_codebook`)."""
    from verhalen.codebook import load_project_codebook

    return load_project_codebook(project)


def project_codings(project: Project, codebook: Codebook) -> pd.DataFrame:
    """Every coder's current codings (:meth:`verhalen.coding.CodedStore.dataframe`)."""
    from verhalen.coding import CodedStore

    return CodedStore(project.coded_dir).dataframe(codebook)


def project_posters(
    project: Project,
    corpus: Corpus,
    *,
    codebook: Codebook | None = None,
    codings: pd.DataFrame | None = None,
    practices: Sequence[str] | None = None,
    forbidden: Collection[str] = (),
    settings: PosterSettings | None = None,
) -> dict[str, list[Poster]]:
    """The posters of a project (:func:`~verhalen.klankbord.content.build_posters`)."""
    codebook = codebook or project_codebook(project)
    if codings is None:
        codings = project_codings(project, codebook)
    return build_posters(
        corpus,
        codings,
        codebook,
        project.config,
        practices=practices,
        forbidden=forbidden,
        settings=settings,
    )


def _form_links(folder: Path, practice: str, prefix: str) -> list[Link]:
    links = []
    for path in sorted(folder.glob(f"{practice}_*.html")):
        if path.name != "index.html":
            links.append(Link(f"{prefix}{path.name}", f"Feedbackformulier {path.stem}"))
    return links


def write_posters(project: Project, posters: dict[str, list[Poster]]) -> list[Path]:
    """Write the posters (HTML and PDF), the index pages and the badges; returns the files."""
    root = posters_dir(project)
    written: list[Path] = []

    def put(path: Path, data: str | bytes) -> None:
        if isinstance(data, bytes):
            atomic_write_bytes(path, data)
        else:
            atomic_write_text(path, data)
        written.append(path)

    badges = {p.factor_id: p for items in posters.values() for p in items}
    for factor_id, poster in badges.items():
        put(root / "img" / f"{factor_id}.svg", badge_svg(poster.number, poster.color))
    for practice, items in posters.items():
        if not items:
            continue
        folder = root / practice
        for poster in items:
            put(folder / f"{poster.factor_id}.html", poster_html(poster))
            put(folder / f"{poster.factor_id}.pdf", posters_pdf([poster]))
        put(folder / COMBINED_PDF, posters_pdf(items, cover=True))
        links = _form_links(forms_dir(project), practice, "../../klankbord/formulieren/")
        put(folder / "index.html", practice_index_html(items, links))
    put(root / "index.html", overview_html(posters))
    write_klankbord_index(project)
    return written


def write_forms(project: Project, specs: Sequence[FormSpec]) -> list[Path]:
    """Write each session's xlsx template and printable form (HTML and PDF)."""
    folder = forms_dir(project)
    written: list[Path] = []
    for spec in specs:
        for suffix, data in (
            (".xlsx", form_xlsx(spec)),
            (".html", form_html(spec)),
            (".pdf", form_pdf(spec)),
        ):
            path = folder / f"{spec.stem}{suffix}"
            if isinstance(data, bytes):
                atomic_write_bytes(path, data)
            else:
                atomic_write_text(path, data)
            written.append(path)
    items = [
        IndexItem(
            f"{s.stem}.html",
            f"{s.practice_label} – {s.group_label}",
            extra=(Link(f"{s.stem}.pdf", "PDF"), Link(f"{s.stem}.xlsx", "Excel")),
        )
        for s in specs
    ]
    index = render(
        "index.html.j2",
        title="Feedbackformulieren voor de klankbordgroepen",
        intro="Per praktijk en groep: een formulier om te printen en een invulbestand.",
        sections=[{"heading": "", "items": items}],
        up=Link("../index.html", "Klankbordgroepen"),
        fictional=any(s.fictional for s in specs),
    )
    atomic_write_text(folder / "index.html", index)
    written.append(folder / "index.html")
    write_klankbord_index(project)
    return written


def write_klankbord_index(project: Project) -> Path:
    """``reports/klankbord/index.html``: links to the posters, forms and summary that exist."""
    root = klankbord_dir(project)
    candidates = [
        (posters_dir(project) / "index.html", "../posters/index.html", "Posters per praktijk"),
        (forms_dir(project) / "index.html", "formulieren/index.html", "Feedbackformulieren"),
        (root / "samenvatting.html", "samenvatting.html", "Samenvatting van de feedback"),
    ]
    items = [IndexItem(href, text) for path, href, text in candidates if path.is_file()]
    page = render(
        "index.html.j2",
        title="Klankbordgroepen",
        intro="Posters, feedbackformulieren en de samenvatting van de feedback.",
        sections=[{"heading": "", "items": items}],
        up=None,
        fictional=project.config.project.fictional,
    )
    path = root / "index.html"
    atomic_write_text(path, page)
    return path


def current_versions(specs: Sequence[FormSpec]) -> dict[str, str]:
    """Template version per ``<practice>_<group>`` (what :func:`import_feedback` accepts)."""
    return {s.stem: s.version for s in specs}


def import_feedback(
    project: Project,
    files: Sequence[str | Path],
    specs: Sequence[FormSpec] | None = None,
    codebook: Codebook | None = None,
) -> list[ImportResult]:
    """Import filled-in forms into ``data/feedback/`` (all or nothing per file).

    With ``specs`` (the current forms, :func:`~verhalen.klankbord.feedback_form.form_specs`)
    a form made for other posters is refused. The first file with problems raises; files
    before it stay imported.
    """
    codebook = codebook or project_codebook(project)
    expected = current_versions(specs) if specs is not None else None
    return [import_form(f, feedback_dir(project), codebook, expected) for f in files]


def feedback_summary(project: Project, write: bool = True) -> FeedbackSummary:
    """Summarise ``data/feedback/`` and, if ``write``, write ``reports/klankbord/samenvatting``."""
    summary = summarise(load_sessions(feedback_dir(project)))
    if write:
        write_summary(summary, klankbord_dir(project))
        write_klankbord_index(project)
    return summary


__all__ = [
    "current_versions",
    "feedback_dir",
    "feedback_summary",
    "form_specs",
    "forms_dir",
    "import_feedback",
    "klankbord_dir",
    "posters_dir",
    "project_posters",
    "write_forms",
    "write_klankbord_index",
    "write_posters",
]
