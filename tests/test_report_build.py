"""The whole report: files, self-contained HTML, traceability, privacy, determinism."""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from tests.test_report_helpers import PEOPLE, codebook, make_codings, make_config, make_corpus
from verhalen.cluster import ClusterSettings, analyse, analyse_cross_case
from verhalen.errors import VerhalenError
from verhalen.report import ExtraSection, ReportManifest, build_report, pool_codings

PRACTICES = ["vve_hoogeveen", "huiskamer_groningen"]
EXTRA = [
    ExtraSection(
        "Kalibratie",
        "<h2>Overeenstemming</h2><p>Krippendorffs alfa steeg van 0,61 naar 0,82.</p>",
        "## Overeenstemming\n\nKrippendorffs alfa steeg van 0,61 naar 0,82.",
        files={"figuren/kalibratie.png": b"\x89PNG fake"},
    ),
    ExtraSection(
        "Terugkoppeling klankbordgroepen",
        "<p>De moeders herkenden alle factoren.</p>",
        "De moeders herkenden alle factoren.",
        page=False,
    ),
]


def _build(out: Path, full: bool = True) -> ReportManifest:
    corpus = make_corpus() if full else make_corpus(PEOPLE[:5])
    codings = make_codings(corpus)
    book = codebook()
    segments = corpus.segments_df()
    pooled = pool_codings(codings, book)
    settings = ClusterSettings(n_boot=0, k=3)
    cluster = analyse(pooled, segments, book, settings) if full else None
    cross = analyse_cross_case(pooled, segments, book, settings) if full else None
    return build_report(
        corpus,
        codings,
        book,
        make_config(),
        out,
        cluster=cluster,
        cross_case=cross,
        extra_sections=EXTRA if full else EXTRA[1:],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ReportManifest:
    return _build(tmp_path_factory.mktemp("rapport"))


def _texts(manifest: ReportManifest) -> dict[str, str]:
    return {
        f: (manifest.out_dir / f).read_text(encoding="utf-8")
        for f in manifest.files
        if f.endswith((".html", ".md", ".csv"))
    }


def test_every_page_and_appendix_is_written(built: ReportManifest) -> None:
    files = set(built.files)
    pages = ["index", *(f"praktijk_{p}" for p in PRACTICES), "vergelijking", "kalibratie"]
    for page in pages:
        assert {f"{page}.html", f"{page}.md"} <= files
    assert "bijlagen/deelnemers.csv" in files and "bijlagen/factoren_per_praktijk.csv" in files
    assert {
        "figuren/factoren_per_praktijk.png",
        "figuren/clusters_dendrogram.png",
        "figuren/clusters_heatmap.png",
        "figuren/clusters_codekaart.png",
        "figuren/kalibratie.png",
    } <= files
    assert all(p.is_file() for p in built.paths)
    assert sorted(p.name for p in built.out_dir.glob("*.html")) == sorted(
        f"{p}.html" for p in pages
    )


def _resolves(out: Path, page: Path, target: str) -> bool:
    path, _, anchor = target.partition("#")
    file = page if not path else (page.parent / path)
    if not file.resolve().is_relative_to(out.resolve()) or not file.is_file():
        return False
    if anchor and file.suffix == ".html":
        return bool(lxml_html.fromstring(file.read_bytes()).xpath(f'//*[@id="{anchor}"]'))
    return True


def test_html_is_self_contained_accessible_and_links_resolve(built: ReportManifest) -> None:
    out = built.out_dir
    for page in sorted(out.glob("*.html")):
        raw = page.read_text(encoding="utf-8")
        assert not re.search(r"https?:", raw, re.I), page.name
        doc = lxml_html.fromstring(raw.encode("utf-8"))
        assert doc.get("lang") == "nl"
        assert not doc.xpath("//script[@src] | //link[@href] | //iframe")
        for img in doc.xpath("//img"):
            src = img.get("src")
            assert src.startswith("data:") or _resolves(out, page, src), (page.name, src)
            assert len(img.get("alt", "").strip()) > 20
        for link in doc.xpath("//a[@href]"):
            assert _resolves(out, page, link.get("href")), (page.name, link.get("href"))
        levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), page.name
        for table in doc.xpath("//table"):
            assert table.xpath("./caption") and table.xpath(".//th[@scope='col']")


def test_markdown_links_resolve(built: ReportManifest) -> None:
    for page in sorted(built.out_dir.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"https?:", text, re.I)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            assert _resolves(built.out_dir, page, target), (page.name, target)


def test_appendix_csvs_match_the_tables(built: ReportManifest) -> None:
    corpus = make_corpus()
    segment_ids = {s.id for s in corpus.segments}
    for table in built.tables:
        with (built.out_dir / table.csv).open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["tabel"] == table.id]
        cells = [(row.label, c) for row in table.rows for c in row.cells]
        assert [r["waarde"] for r in rows] == [c.text for _, c in cells], table.id
        assert [r["rij"] for r in rows] == [label for label, _ in cells]
        page = next(
            p
            for p in built.out_dir.glob("*.html")
            if f'id="tabel-{table.id}"' in p.read_text(encoding="utf-8")
        )
        doc = lxml_html.fromstring(page.read_bytes())
        shown = [
            td.text_content()
            for td in doc.xpath(f'//*[@id="tabel-{table.id}"]//td')
            if td.getparent().getparent().tag == "tbody"
        ]
        assert shown == [c.text for _, c in cells], table.id
        for row in rows:
            ids = [i for i in row["segmenten"].split(";") if i]
            people = [i for i in row["deelnemers"].split(";") if i]
            assert set(ids) <= segment_ids and set(people) <= {p[0] for p in PEOPLE}
            if row["onderdrukt"] == "ja":
                assert not ids and not people
                continue
            number = re.match(r"\d+", row["waarde"])
            if row["kolom"].endswith(("Deelnemers", "Aantal")) and number:
                assert int(number.group()) == len(people) == int(row["teller"])
            if row["kolom"].endswith("Fragmenten"):
                assert int(row["waarde"]) == len(ids)


def test_privacy_no_names_no_unmapped_role_no_ids_in_quotes(built: ReportManifest) -> None:
    names = {part for _, name, *_ in PEOPLE for part in [name, *name.split()]}
    for name, text in _texts(built).items():
        for real in names:
            assert real not in text, (name, real)
        assert "erzorger" not in text.lower(), name
    page = (built.out_dir / "praktijk_vve_hoogeveen.md").read_text(encoding="utf-8")
    attributions = re.findall(r"^> — _(.+)_$", page, re.M)
    assert attributions and set(attributions) <= {
        "moeder, VVE&O Hoogeveen",
        "jeugdprofessional, VVE&O Hoogeveen",
    }
    for quote in built.quotes:
        assert quote.participant_id not in quote.text and "(lacht)" not in quote.text
    html = (built.out_dir / "praktijk_vve_hoogeveen.html").read_text(encoding="utf-8")
    assert "— moeder, VVE&amp;O Hoogeveen" in html
    assert "int01-t" not in html and "p01" not in html


def test_quotes_on_a_page_come_from_different_participants_per_factor(
    built: ReportManifest,
) -> None:
    by_page: dict[tuple[str, str], list[str]] = {}
    for q in built.quotes:
        by_page.setdefault((q.practice, q.segment_id), []).append(q.participant_id)
    assert all(len(v) == 1 for v in by_page.values())  # no segment quoted twice on a page
    assert len(built.quotes) >= 4


def test_extra_sections_pages_and_menu(built: ReportManifest) -> None:
    index = (built.out_dir / "index.html").read_text(encoding="utf-8")
    assert "De moeders herkenden alle factoren." in index
    for page in built.out_dir.glob("*.html"):
        assert 'href="kalibratie.html"' in page.read_text(encoding="utf-8")
    kalibratie = (built.out_dir / "kalibratie.md").read_text(encoding="utf-8")
    assert kalibratie.startswith("# Kalibratie\n") and "0,82" in kalibratie


def test_rerun_is_byte_identical(tmp_path: Path) -> None:
    first = _build(tmp_path, full=False)
    before = {name: (tmp_path / name).read_bytes() for name in first.files}
    assert any(name.endswith(".png") for name in before)
    again = _build(tmp_path, full=False)  # same inputs, over the existing report
    assert again.files == first.files
    for name in again.files:
        assert (tmp_path / name).read_bytes() == before[name], name


def test_comparison_page_lists_common_factors_and_clusters(built: ReportManifest) -> None:
    text = (built.out_dir / "vergelijking.md").read_text(encoding="utf-8")
    common = text.split("## Gemeenschappelijke factoren")[1].split("##")[0]
    assert "Uitwisselen en leren" in common and "Ontmoeten en steunen" in common
    assert "Structuur" not in common
    assert "adjusted Rand index" in text and "Cluster 1" in text


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (ExtraSection("X", '<img src="https://cdn.example/x.png">', "x"), "network"),
        (ExtraSection("X", "<p>x</p>", "![x](http://example.org/x.png)"), "network"),
        (ExtraSection("Vergelijking", "<p>x</p>", "x", slug="vergelijking"), "already used"),
        (ExtraSection("X", "<p>x</p>", "x", files={"../buiten.png": b""}), "relative path"),
    ],
)
def test_bad_extra_sections_are_refused(
    tmp_path: Path, section: ExtraSection, message: str
) -> None:
    corpus = make_corpus(PEOPLE[:4])
    with pytest.raises(VerhalenError, match=message):
        build_report(
            corpus,
            make_codings(corpus),
            codebook(),
            make_config(),
            tmp_path,
            extra_sections=[section],
        )
