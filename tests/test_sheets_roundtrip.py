"""Coding sheets: export → fill in (openpyxl, as a coder would) → import into the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.test_sheets_helpers import WHEN, fill_sheet, tiny_codebook, tiny_corpus
from verhalen.coding.proposals import load_proposals, save_proposals
from verhalen.coding.sheet_import import read_meta, read_sheet, store_sheet
from verhalen.coding.sheets import export_sheets
from verhalen.coding.store import CodedStore
from verhalen.errors import ValidationError
from verhalen.records import CodingSource, Segment

SUGGESTED = {
    "int01-t001": [("tips_en_advies", 0.91, "trefwoord 'tips'"), ("gezelligheid", 0.2, "")],
    "int02-t001": [("luisteren", 0.7, "lijkt op int03-t003 (0.41)")],
}


def suggest(segments: list[Segment]) -> dict[str, list[tuple[str, float, str]]]:
    return {s.id: [*SUGGESTED.get(s.id, []), ("bestaat_niet", 0.1, "onbekend")] for s in segments}


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    corpus = tiny_corpus()
    ids = [s.id for s in corpus.segments]
    paths = export_sheets(
        corpus,
        ids,
        tiny_codebook(),
        ["anna"],
        tmp_path / "out",
        suggest_fn=suggest,
        role_label=lambda r: {"verzorger": "moeder"}.get(r, r),
        seed=4,
        stratify=["practice"],
    )
    return paths[0]


def test_sheet_layout_dutch_headers_dropdowns_hidden_metadata(sheet: Path) -> None:
    wb = load_workbook(sheet)
    assert wb.sheetnames == ["Coderen", "Codeboek", "Uitleg", "codelijst", "metadata"]
    ws = wb["Coderen"]
    headers = [c.value for c in ws[1]]
    assert headers == [
        "segment",
        "transcript",
        "rol",
        "praktijk",
        "vorige beurt",
        "tekst",
        "volgende beurt",
        "suggesties",
        "code 1",
        "code 2",
        "code 3",
        "code 4",
        "code 5",
        "memo",
        "nieuwe code (voorstel)",
    ]
    assert wb["codelijst"].sheet_state == "hidden"
    assert wb["metadata"].sheet_state == "veryHidden"
    assert wb["metadata"].protection.sheet and ws.protection.sheet
    assert [c.value for c in wb["codelijst"]["A"]] == list(
        ["tips_en_advies", "gezelligheid", "luisteren", "structuur_rondes", "gelijkwaardigheid"]
    )
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == "codes"
    assert str(dv.sqref) == "I2:M11"
    assert wb.defined_names["codes"].attr_text == "'codelijst'!$A$1:$A$5"
    # editable cells are unlocked, the text is locked
    row2 = {h: c for h, c in zip(headers, ws[2], strict=True)}
    assert row2["code 1"].protection.locked is False
    assert row2["tekst"].protection.locked is True
    meta = read_meta(sheet)
    assert (meta.codebook_id, meta.codebook_version, meta.coder, meta.seed) == (
        "test_boek",
        "1.0",
        "anna",
        4,
    )
    assert meta.stratify == ("practice",)
    assert len(meta.text_hashes) == 10


def test_rows_show_context_role_practice_and_suggestions_but_never_names(sheet: Path) -> None:
    wb = load_workbook(sheet)
    ws = wb["Coderen"]
    headers = [c.value for c in ws[1]]
    rows = {
        r[0]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    first = rows["int01-t001"]
    assert first["vorige beurt"] == "Interviewer: Kunt u iets vertellen over de groep?"
    assert first["volgende beurt"] == "Interviewer: Wat maakt dat u blijft komen?"
    assert first["tekst"].startswith("We wisselen tips uit")
    assert (first["rol"], first["praktijk"], first["transcript"]) == (
        "moeder",
        "vve_hoogeveen",
        "int01",
    )
    assert rows["int02-t001"]["rol"] == "moeder"  # carers are shown as mothers
    assert "1. tips_en_advies (0,91): trefwoord 'tips'" in first["suggesties"]
    assert "bestaat_niet" not in first["suggesties"]  # only active codes are suggested
    everything = " ".join(
        str(v)
        for s in wb.worksheets
        for row in s.iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    assert "Testnaam" not in everything


def test_export_is_byte_identical_for_identical_inputs(tmp_path: Path) -> None:
    corpus, codebook = tiny_corpus(), tiny_codebook()
    ids = [s.id for s in corpus.segments][:6]
    a = export_sheets(corpus, ids, codebook, ["anna"], tmp_path / "a", seed=1)[0]
    b = export_sheets(corpus, ids, codebook, ["anna"], tmp_path / "b", seed=1)[0]
    assert a.read_bytes() == b.read_bytes()
    c = export_sheets(corpus, ids, codebook, ["anna"], tmp_path / "c", seed=2)[0]
    assert c.read_bytes() != a.read_bytes()


def test_round_trip_into_the_store(sheet: Path, tmp_path: Path) -> None:
    fill_sheet(
        sheet,
        {
            "int01-t001": {"code 1": "tips_en_advies", "code 3": "gezelligheid", "memo": "twijfel"},
            "int01-t003": {"code 1": "gezelligheid"},
            "int02-t001": {"code 2": "Luisteren ; gelijkwaardigheid"},  # typed, two in one cell
            "int03-t001": {"nieuwe code (voorstel)": "goed_nieuws_ronde", "memo": "vaste opening"},
        },
    )
    corpus = tiny_corpus()
    content = read_sheet(
        sheet, segments=corpus.segment_index(), codebook=tiny_codebook(), when=WHEN
    )
    got = {(c.segment_id, c.code_id): c for c in content.codings}
    assert set(got) == {
        ("int01-t001", "tips_en_advies"),
        ("int01-t001", "gezelligheid"),
        ("int01-t003", "gezelligheid"),
        ("int02-t001", "luisteren"),
        ("int02-t001", "gelijkwaardigheid"),
    }
    # a code equal to one of the row's suggestions is an accepted suggestion
    assert got["int01-t001", "tips_en_advies"].source == CodingSource.suggested
    assert got["int01-t001", "gezelligheid"].source == CodingSource.suggested
    assert got["int01-t003", "gezelligheid"].source == CodingSource.manual
    assert got["int02-t001", "luisteren"].source == CodingSource.suggested
    assert got["int01-t001", "tips_en_advies"].memo == "twijfel"
    assert all(
        c.coder == "anna" and c.codebook_version == "1.0" and c.timestamp == WHEN
        for c in content.codings
    )
    assert got["int01-t001", "tips_en_advies"].transcript_id == "int01"
    assert len(content.segments) == 10 and len(content.empty_rows) == 7
    (proposal,) = content.proposals
    assert (proposal.segment_id, proposal.proposal, proposal.memo) == (
        "int03-t001",
        "goed_nieuws_ronde",
        "vaste opening",
    )

    store = CodedStore(tmp_path / "coded")
    result = store_sheet(store, content)
    assert (result.added, result.removed) == (5, 0)
    assert {(c.segment_id, c.code_id) for c in store.codings("anna")} == set(got)
    again = store_sheet(store, content)
    assert (again.added, again.removed, again.unchanged) == (0, 0, 5)

    # the coder corrects the sheet: one code removed, a memo changed → store follows the sheet
    fill_sheet(sheet, {"int01-t003": {"code 1": None}, "int01-t001": {"memo": "toch wel tips"}})
    fixed = read_sheet(
        sheet,
        segments=corpus.segment_index(),
        codebook=tiny_codebook(),
        when=WHEN + dt.timedelta(days=1),
    )
    changed = store_sheet(store, fixed)
    assert changed.removed == 3 and changed.added == 2
    current = {(c.segment_id, c.code_id): c for c in store.codings("anna")}
    assert ("int01-t003", "gezelligheid") not in current
    assert current["int01-t001", "gezelligheid"].memo == "toch wel tips"
    assert len(store.history("anna")) == 10  # nothing is lost


def test_add_only_keeps_codings_that_left_the_sheet(sheet: Path, tmp_path: Path) -> None:
    fill_sheet(sheet, {"int01-t003": {"code 1": "gezelligheid"}})
    segments = tiny_corpus().segment_index()
    store = CodedStore(tmp_path / "coded")
    store_sheet(store, read_sheet(sheet, segments=segments, codebook=tiny_codebook()))
    fill_sheet(sheet, {"int01-t003": {"code 1": None}})
    content = read_sheet(sheet, segments=segments, codebook=tiny_codebook())
    assert store_sheet(store, content, replace=False).removed == 0
    assert len(store.codings("anna")) == 1


def test_proposals_are_collected_once(sheet: Path, tmp_path: Path) -> None:
    fill_sheet(sheet, {"int03-t001": {"nieuwe code (voorstel)": "goed_nieuws_ronde"}})
    content = read_sheet(sheet, segments=tiny_corpus().segment_index(), codebook=tiny_codebook())
    target = tmp_path / "voorstellen.jsonl"
    assert save_proposals(target, content.proposals) == 1
    assert save_proposals(target, content.proposals) == 0
    assert [p.proposal for p in load_proposals(target)] == ["goed_nieuws_ronde"]


def test_pseudonymised_text_can_be_shown_and_still_imports(tmp_path: Path) -> None:
    from tests.test_sheets_helpers import INTERVIEWS, transcript
    from verhalen.corpus import Corpus

    corpus = tiny_corpus()
    shown = Corpus(
        participants=corpus.participants,
        transcripts=[
            transcript(t, p, [line.replace("juf", "[NAAM-1]") for line in lines])
            for t, (p, lines) in INTERVIEWS.items()
        ],
    )
    ids = [s.id for s in corpus.segments]
    (path,) = export_sheets(corpus, ids, tiny_codebook(), ["anna"], tmp_path, shown=shown)
    ws = load_workbook(path)["Coderen"]
    texts = {r[0]: r[5] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert texts["int02-t001"].startswith("De [NAAM-1] luistert goed")
    fill_sheet(path, {"int02-t001": {"code 1": "luisteren"}})
    content = read_sheet(path, segments=corpus.segment_index(), codebook=tiny_codebook())
    assert [(c.segment_id, c.code_id) for c in content.codings] == [("int02-t001", "luisteren")]
    fill_sheet(path, {"int02-t001": {"tekst": "De juf luistert goed en vraagt door."}})
    with pytest.raises(ValidationError, match="the segment text was edited"):
        read_sheet(path, segments=corpus.segment_index(), codebook=tiny_codebook())
