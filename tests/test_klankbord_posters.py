"""Posters from the example corpus: content constraints, privacy, files and determinism."""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from verhalen.codebook import load_project_codebook
from verhalen.coding import CodedStore
from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.klankbord.build import write_posters
from verhalen.klankbord.content import (
    ANY_WORD,
    STAFF_WORD,
    Poster,
    build_posters,
    element_phrases,
    poster_attribution,
    select_elements,
)
from verhalen.klankbord.pdf import posters_pdf
from verhalen.klankbord.posters import poster_html
from verhalen.project import Project
from verhalen.records import Codebook, Participant

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "data" / "raw" / "participants.csv"
PARTICLES = {"van", "de", "der", "den", "el", "ten", "ter"}


@dataclass
class Example:
    project: Project
    corpus: Corpus
    codebook: Codebook
    codings: pd.DataFrame
    posters: dict[str, list[Poster]]
    names: list[str]


def manifest_names() -> list[str]:
    """Every real name in the manifest, whole and by part (3+ letters, not a particle)."""
    with MANIFEST.open(encoding="utf-8") as fh:
        names = [row["name"] for row in csv.DictReader(fh) if row["name"]]
    parts = {w for n in names for w in n.split() if len(w) >= 3 and w.lower() not in PARTICLES}
    return sorted(set(names) | parts)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    root = tmp_path_factory.mktemp("voorbeeld")
    shutil.copy(REPO / "verhalen.toml", root / "verhalen.toml")
    shutil.copytree(REPO / "codebook", root / "codebook", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(REPO / "data" / "coded", root / "data" / "coded")
    project = Project.open(root)
    corpus, _ = project.ingest(write=False)
    codebook = load_project_codebook(project)
    codings = CodedStore(project.coded_dir).dataframe(codebook)
    names = manifest_names()
    # The pipeline hands over a pseudonymised corpus; here the names are the last line of
    # defence that every poster must honour (forbidden), checked again on the output below.
    posters = build_posters(corpus, codings, codebook, project.config, forbidden=names)
    return Example(project, corpus, codebook, codings, posters, names)


def test_every_practice_gets_a_poster_per_factor(example: Example) -> None:
    assert list(example.posters) == list(example.project.config.practices)
    for items in example.posters.values():
        assert [p.factor_id for p in items] == [
            "uitwisselen_en_leren",
            "ontmoeten_en_steunen",
            "ontspannen_en_opladen",
            "professionele_vaardigheden",
            "structuur",
            "groepsdynamiek",
        ]
        assert [p.number for p in items] == [1, 2, 3, 4, 5, 6]


def test_three_to_five_elements_most_coded_first(example: Example) -> None:
    for items in example.posters.values():
        for poster in items:
            counts = [e.segments for e in poster.elements]
            assert 3 <= len(poster.elements) <= 5
            assert counts == sorted(counts, reverse=True) and counts[0] > 0
            assert len({e.id for e in poster.elements}) == len(poster.elements)
            for element in poster.elements:
                assert element.codes
                assert all(example.codebook.factor_of(c) == poster.factor_id for c in element.codes)
    veendam = {p.factor_id: p for p in example.posters["alleenstaande_moeders_veendam"]}
    assert "Gezelligheid" in [e.label for e in veendam["ontmoeten_en_steunen"].elements]


def test_quotes_are_short_from_different_participants_and_without_names(example: Example) -> None:
    segments = example.corpus.segments_df().set_index("segment_id")
    name_re = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, example.names)) + r")(?!\w)")
    total = 0
    for practice, items in example.posters.items():
        for poster in items:
            assert 1 <= len(poster.quotes) <= 2
            speakers = [segments.loc[q.segment_id, "participant_id"] for q in poster.quotes]
            assert len(set(speakers)) == len(speakers)
            for quote in poster.quotes:
                total += 1
                words = [w for w in quote.text.split() if w != "…"]
                assert len(words) <= 25 and quote.words == len(words)
                assert segments.loc[quote.segment_id, "practice"] == practice
                assert not name_re.search(quote.text), quote.text
                assert quote.attribution in {
                    "een moeder",
                    "een vrijwilliger",
                    "een jeugdprofessional",
                    STAFF_WORD,
                    ANY_WORD,
                }
    assert total >= 30


def test_small_roles_are_not_named_on_posters(example: Example) -> None:
    corpus, config = example.corpus, example.project.config
    # VVE&O has 4 mothers (one carer, reported as moeder) and 2 professionals (< k = 3)
    assert poster_attribution("moeder", "vve_hoogeveen", corpus, config) == "een moeder"
    assert poster_attribution("jeugdprofessional", "vve_hoogeveen", corpus, config) == ANY_WORD
    # De Huiskamer: 2 volunteers + 2 professionals together are "medewerkers"
    assert poster_attribution("vrijwilliger", "huiskamer_groningen", corpus, config) == STAFF_WORD
    small = Corpus(
        participants={
            f"p{i}": Participant(id=f"p{i}", role="jeugdprofessional", practice="x")
            for i in range(3)
        }
    )
    assert poster_attribution("jeugdprofessional", "x", small, config) == "een jeugdprofessional"


def test_codes_are_phrased_with_the_kenmerkende_elementen(example: Example) -> None:
    cb = example.codebook
    phrases = {
        code: phrase
        for factor in cb.factors
        for phrase, codes in element_phrases(cb, factor)
        for code in codes
    }
    assert phrases["groepssamenstelling"] == "samenstelling van de groep"
    assert phrases["groepsband"] == "groepsband"
    assert phrases["normaliseren_en_geruststellen"] == "normaliseren en complimenteren"
    assert phrases["kinderopvang_tijdens_bijeenkomst"] == "kinderopvang"
    assert phrases["leren_van_ervaringsdeskundigen"] == "leren van ervaringsdeskundigen"
    assert phrases["netwerk_verbinden"] == "Professional verbindt mensen"  # no match: own label


def test_without_coding_the_first_kenmerkende_elementen_fill_the_poster(example: Example) -> None:
    factor = example.codebook.factor("structuur")
    assert factor is not None
    empty = pd.DataFrame(columns=["segment_id", "code_id"])
    elements = select_elements(example.codebook, factor, empty)
    assert [e.label for e in elements] == [e.capitalize() for e in factor.kenmerkende_elementen[:3]]
    assert all(e.segments == 0 for e in elements)


def test_unknown_practice_is_an_error(example: Example) -> None:
    with pytest.raises(VerhalenError, match="practice 'nergens' is not in the corpus"):
        build_posters(
            example.corpus, example.codings, example.codebook, example.project.config,
            practices=["nergens"],
        )  # fmt: skip


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_written_posters_are_a3_and_deterministic(example: Example) -> None:
    practice = "alleenstaande_moeders_veendam"
    items = example.posters[practice]
    written = write_posters(example.project, {practice: items})
    root = example.project.reports_dir / "posters"
    folder = root / practice
    assert folder / "ontmoeten_en_steunen.pdf" in written
    # the same posters give byte-identical files
    assert poster_html(items[1]) == (folder / "ontmoeten_en_steunen.html").read_text("utf-8")
    one = (folder / "ontmoeten_en_steunen.pdf").read_bytes()
    assert posters_pdf([items[1]]) == one
    html = (folder / "ontmoeten_en_steunen.html").read_text(encoding="utf-8")
    assert "@page { size: A3 portrait" in html and "Herkent u dit?" in html
    assert "Gezelligheid" in html and 'src="../img/ontmoeten_en_steunen.svg"' in html
    assert one.startswith(b"%PDF") and _pages(one) == 1
    assert b"/MediaBox [0 0 841.89 1190.55]" in one  # A3 portrait in points
    assert _pages((folder / "alle_posters.pdf").read_bytes()) == 7  # cover + 6 posters
    assert (root / "img" / "structuur.svg").is_file()
    for page in [root / "index.html", folder / "index.html"]:
        text = page.read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src)="([^"#]+)"', text):
            assert (page.parent / href).is_file(), href
    for path in folder.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in example.names)
