"""Importing a sheet is all or nothing, and every problem names the sheet row."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.test_sheets_helpers import fill_sheet, tiny_codebook, tiny_corpus
from verhalen.coding.sheet_import import read_sheet, store_sheet
from verhalen.coding.sheets import export_sheets
from verhalen.coding.store import CodedStore
from verhalen.errors import ValidationError, VerhalenError
from verhalen.records import Code, Codebook, CodeStatus


def export(tmp_path: Path, round_id: str | None = None, codebook: Codebook | None = None) -> Path:
    corpus = tiny_corpus()
    ids = [s.id for s in corpus.segments]
    return export_sheets(
        corpus, ids, codebook or tiny_codebook(), ["anna"], tmp_path / "out", round_id=round_id
    )[0]


def problems(path: Path, codebook: Codebook | None = None, **kwargs: object) -> list[str]:
    with pytest.raises(ValidationError) as info:
        read_sheet(
            path,
            segments=tiny_corpus().segment_index(),
            codebook=codebook or tiny_codebook(),
            **kwargs,
        )  # type: ignore[arg-type]
    assert "nothing of this sheet was imported" in str(info.value) or len(info.value.problems) == 1
    return [str(p) for p in info.value.problems]


def set_cell(path: Path, row: int, header: str, value: object) -> None:
    wb = load_workbook(path)
    ws = wb["Coderen"]
    col = [c.value for c in ws[1]].index(header) + 1
    ws.cell(row=row, column=col).value = value
    wb.save(path)


def test_every_problem_is_reported_at_once_with_its_row(tmp_path: Path) -> None:
    sheet = export(tmp_path)
    fill_sheet(
        sheet,
        {
            "int01-t001": {"code 1": "tips_en_advies", "code 2": "verzonnen_code"},
            "int01-t003": {"tekst": "Een andere tekst."},
        },
    )
    set_cell(sheet, 4, "segment", "int01-t001")  # duplicate of row 2
    set_cell(sheet, 5, "segment", "int99-t001")  # unknown segment
    found = problems(sheet)
    assert len(found) == 4
    text = "\n".join(found)
    assert "row 2 (segment int01-t001): unknown code id 'verzonnen_code'" in text
    assert "row 3 (segment int01-t003): the segment text was edited" in text
    assert "row 4 (segment int01-t001): duplicate row: segment int01-t001 is also on row 2" in text
    assert "row 5 (segment int99-t001): unknown segment id 'int99-t001'" in text
    assert all(p.startswith("codeerblad_anna.xlsx (Coderen) row") for p in found)


def test_nothing_is_stored_when_a_sheet_has_a_problem(tmp_path: Path) -> None:
    sheet = export(tmp_path)
    fill_sheet(
        sheet,
        {"int01-t001": {"code 1": "tips_en_advies"}, "int01-t003": {"code 1": "bestaat_niet"}},
    )
    store = CodedStore(tmp_path / "coded")
    with pytest.raises(ValidationError):
        store_sheet(
            store,
            read_sheet(sheet, segments=tiny_corpus().segment_index(), codebook=tiny_codebook()),
        )
    assert store.coders() == []


def test_a_row_added_to_the_sheet_is_refused(tmp_path: Path) -> None:
    sheet = export(tmp_path)
    set_cell(sheet, 12, "segment", "int01-t005")
    set_cell(sheet, 6, "segment", None)  # a row emptied of its id
    found = problems(sheet)
    assert any("row 12" in p and "duplicate row" in p for p in found)
    assert any("row 6" in p and "no segment id" in p for p in found)


def test_corpus_changed_since_export(tmp_path: Path) -> None:
    sheet = export(tmp_path)
    segments = tiny_corpus().segment_index()
    segments["int01-t001"] = segments["int01-t001"].model_copy(update={"text": "nieuw"})
    with pytest.raises(ValidationError, match="corpus changed since the sheet was exported"):
        read_sheet(sheet, segments=segments, codebook=tiny_codebook())


def newer_codebook() -> Codebook:
    """Version 1.1: luisteren renamed to luisteren_en_doorvragen, gelijkwaardigheid retired,
    structuur_rondes merged into a new code."""
    book = tiny_codebook("1.1")
    codes = []
    for code in book.codes:
        if code.id == "luisteren":
            codes.append(
                code.model_copy(
                    update={"status": CodeStatus.merged, "merged_into": "luisteren_en_doorvragen"}
                )
            )
            codes.append(
                Code(
                    id="luisteren_en_doorvragen",
                    label="Luisteren en doorvragen",
                    parent="structuur",
                )
            )
        elif code.id == "gelijkwaardigheid":
            codes.append(code.model_copy(update={"status": CodeStatus.retired}))
        else:
            codes.append(code)
    return book.model_copy(update={"codes": codes})


def test_sheet_for_an_older_version_offers_the_mapping(tmp_path: Path) -> None:
    sheet = export(tmp_path)
    fill_sheet(sheet, {"int02-t001": {"code 1": "luisteren", "code 2": "tips_en_advies"}})
    found = problems(sheet, newer_codebook())
    assert len(found) == 1
    assert "row 5 (segment int02-t001)" in found[0]
    assert "'luisteren' was renamed or merged into 'luisteren_en_doorvragen'" in found[0]
    assert "--map-codes" in found[0]
    content = read_sheet(
        sheet, segments=tiny_corpus().segment_index(), codebook=newer_codebook(), map_codes=True
    )
    assert {c.code_id for c in content.codings} == {"luisteren_en_doorvragen", "tips_en_advies"}
    (mapping,) = content.mapped
    assert (mapping.row, mapping.old, mapping.new) == (5, "luisteren", "luisteren_en_doorvragen")
    assert content.notes[0].startswith("sheet made with codebook version 1.0")
    assert all(c.codebook_version == "1.0" for c in content.codings)


def test_codes_that_no_longer_exist_are_errors_even_with_mapping(tmp_path: Path) -> None:
    sheet = export(tmp_path)
    fill_sheet(sheet, {"int04-t003": {"code 1": "gelijkwaardigheid"}})
    found = problems(sheet, newer_codebook(), map_codes=True)
    assert found == [
        "codeerblad_anna.xlsx (Coderen) row 11 (segment int04-t003): code "
        "'gelijkwaardigheid' no longer exists (retired) — choose a code from the "
        "dropdown (the Codeboek sheet lists the current codes)"
    ]


def test_sheet_for_another_codebook(tmp_path: Path) -> None:
    sheet = export(tmp_path)
    other = tiny_codebook().model_copy(update={"id": "ander_boek"})
    (found,) = problems(sheet, other)
    assert "made for codebook 'test_boek', the project uses 'ander_boek'" in found


def test_calibration_sheets_and_ordinary_sheets_are_kept_apart(tmp_path: Path) -> None:
    calibration = export(tmp_path / "c", round_id="r1")
    (found,) = problems(calibration)
    assert "calibration sheet of round r1" in found and "verhalen calibrate import r1" in found
    ordinary = export(tmp_path / "o")
    (found,) = problems(ordinary, round_id="r2")
    assert "not from calibration round r2 (it is an ordinary sheet)" in found


def test_not_a_coding_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "ander.xlsx"
    Workbook().save(path)
    with pytest.raises(VerhalenError, match="not a verhalen coding sheet"):
        read_sheet(path, segments={}, codebook=tiny_codebook())
    bad = tmp_path / "kapot.xlsx"
    bad.write_text("geen excel")
    with pytest.raises(VerhalenError, match=r"not a readable \.xlsx"):
        read_sheet(bad, segments={}, codebook=tiny_codebook())
    with pytest.raises(VerhalenError, match="file not found"):
        read_sheet(tmp_path / "weg.xlsx", segments={}, codebook=tiny_codebook())


def test_a_removed_column_is_reported(tmp_path: Path) -> None:
    sheet = export(tmp_path)
    set_cell(sheet, 1, "memo", "opmerking")
    (found,) = problems(sheet)
    assert "column(s) memo are missing" in found
