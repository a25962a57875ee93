"""Feedback forms: template → filled in with openpyxl → import → summary, and every error."""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from verhalen.errors import ValidationError, VerhalenError
from verhalen.klankbord.feedback_form import (
    FIRST_ROW,
    META_SHEET,
    PRIORITY_SHEET,
    FormElement,
    FormFactor,
    FormSpec,
    factor_columns,
    form_html,
    form_xlsx,
)
from verhalen.klankbord.feedback_import import import_form, read_form
from verhalen.klankbord.pdf import form_pdf
from verhalen.klankbord.session import load_sessions
from verhalen.klankbord.summary import ALL, summarise
from verhalen.records import Codebook, Factor

A, B, C = "uitwisselen_en_leren", "ontmoeten_en_steunen", "structuur"


def _spec(group: str = "moeders") -> FormSpec:
    return FormSpec(
        practice="vve_hoogeveen",
        practice_label="VVE&O Hoogeveen",
        group=group,
        factors=(
            FormFactor(
                A,
                "Uitwisselen en leren",
                1,
                "#1b6ca8",
                (FormElement("tips", "Tips en adviezen"), FormElement("herkenning", "Herkenning")),
            ),
            FormFactor(
                B,
                "Ontmoeten en steunen",
                2,
                "#c0392b",
                (
                    FormElement("gezelligheid", "Gezelligheid"),
                    FormElement("eruit_zijn", "Eruit zijn"),
                    FormElement("elkaar_helpen", "Elkaar helpen"),
                ),
            ),
            FormFactor(
                C,
                "Structuur",
                3,
                "#27864a",
                (FormElement("programma", "Programma"), FormElement("rondes", "Vaste rondes")),
            ),
        ),
    )


CODEBOOK = Codebook(
    id="test",
    name="test",
    factors=[Factor(id=f, label=f) for f in (A, B, C)],
)

Answers = dict[str, dict[str, Any]]


def _fill(
    path: Path,
    spec: FormSpec,
    people: list[tuple[str, Answers, dict[str, Any]]],
    edit: Callable[[Any], None] | None = None,
) -> Path:
    """Write the template and fill one row per person: (label, answers, ranks)."""
    path.write_bytes(form_xlsx(spec))
    wb = load_workbook(path)
    factors = {f.id: f for f in spec.factors}
    for i, (label, answers, ranks) in enumerate(people):
        row = FIRST_ROW + i
        for fid, answer in answers.items():
            factor = factors[fid]
            ws = wb[factor.sheet]
            ws.cell(row, 1, label)
            cols = factor_columns(factor)
            for key, value in answer.items():
                if key == "addition":
                    ws.cell(row, cols["addition"], value)
                    continue
                col = cols["factor" if key == "factor" else f"element:{key}"]
                recognition, why = value if isinstance(value, tuple) else (value, "")
                ws.cell(row, col, recognition)
                ws.cell(row, col + 1, why or None)
        ws = wb[PRIORITY_SHEET]
        ws.cell(row, 1, label)
        for j, factor in enumerate(spec.factors):
            if factor.id in ranks:
                ws.cell(row, 2 + j, ranks[factor.id])
    if edit is not None:
        edit(wb)
    wb.save(path)
    return path


MOTHERS = [
    (
        "Deelnemer 1",
        {
            A: {"factor": ("ja", "Veel geleerd."), "tips": "ja", "herkenning": "ja"},
            B: {"factor": "ja", "gezelligheid": "ja", "eruit_zijn": "ja", "elkaar_helpen": "ja"},
            C: {"factor": ("deels", "Soms te strak."), "programma": "nee", "rondes": "ja"},
        },
        {A: 1, B: 2, C: 3},
    ),
    (
        "Deelnemer 2",
        {
            A: {"factor": "ja", "tips": "deels", "herkenning": "ja", "addition": "Meer over geld."},
            B: {"factor": "Ja ", "gezelligheid": "ja", "eruit_zijn": "nee"},
            C: {"factor": "nee", "programma": "nee", "rondes": "deels"},
        },
        {A: 1, C: 2, B: 3},
    ),
    (
        "Deelnemer 3",
        {
            A: {"factor": "deels", "tips": "ja"},
            B: {"factor": "ja", "gezelligheid": "ja", "elkaar_helpen": "ja"},
        },
        {B: 1, A: 2, C: 3},
    ),
]
PROFESSIONALS = [
    (
        "Deelnemer 1",
        {A: {"factor": "ja"}, C: {"factor": "ja", "programma": "ja"}},
        {C: 1, B: 2, A: 3},
    ),
    ("Deelnemer 2", {B: {"factor": "ja", "addition": "Netwerk."}}, {C: 1, A: 2, B: 3}),
]


def test_round_trip_counts_and_borda_by_hand(tmp_path: Path) -> None:
    folder = tmp_path / "feedback"
    moeders = _fill(tmp_path / "moeders.xlsx", _spec(), MOTHERS)
    profs = _fill(tmp_path / "prof.xlsx", _spec("professionals"), PROFESSIONALS)
    expected = {"vve_hoogeveen_moeders": _spec().version}
    expected["vve_hoogeveen_professionals"] = _spec("professionals").version
    first = import_form(moeders, folder, CODEBOOK, expected)
    second = import_form(profs, folder, CODEBOOK, expected)
    assert first.new and second.new
    assert first.stored.name == "vve_hoogeveen_moeders_1.json"
    assert second.stored.name == "vve_hoogeveen_professionals_1.json"
    assert [r.respondent for r in first.session.respondents] == [p[0] for p in MOTHERS]

    summary = summarise(load_sessions(folder))
    assert summary.respondents == {"moeders": 3, "professionals": 2, ALL: 5}
    rec = summary.recognition.set_index(["group", "factor_id", "element_id"])
    # factor C as a whole, mothers: deels, nee (Deelnemer 3 did not answer)
    row = rec.loc[("moeders", C, "")]
    assert (row["ja"], row["deels"], row["nee"], row["n"]) == (0, 1, 1, 2)
    assert row["share_deels"] == pytest.approx(0.5)
    # "Ja " is read as ja; overall B as a whole: 3 mothers + 1 professional
    assert rec.loc[(ALL, B, "")]["ja"] == 4
    # element eruit_zijn: ja, nee → 50% ja
    assert rec.loc[("moeders", B, "eruit_zijn")]["share_ja"] == pytest.approx(0.5)
    # an element nobody answered: share undefined
    assert rec.loc[("professionals", B, "eruit_zijn")]["n"] == 0
    assert math.isnan(rec.loc[("professionals", B, "eruit_zijn")]["share_ja"])

    pri = summary.priorities.set_index(["group", "factor_id"])
    # n = 3 factors: rank 1 → 2 points, rank 2 → 1, rank 3 → 0
    assert [pri.loc[("moeders", f)]["borda"] for f in (A, B, C)] == [5, 3, 1]
    assert pri.loc[("moeders", A)]["mean_rank"] == pytest.approx(4 / 3)
    assert [pri.loc[("professionals", f)]["borda"] for f in (A, B, C)] == [1, 1, 4]
    # A and B tie on points and mean rank (2.5): poster order decides
    assert [pri.loc[("professionals", f)]["place"] for f in (C, A, B)] == [1, 2, 3]
    assert [pri.loc[(ALL, f)]["borda"] for f in (A, B, C)] == [6, 4, 5]
    assert [pri.loc[(ALL, f)]["place"] for f in (A, C, B)] == [1, 2, 3]
    assert pri.loc[(ALL, C)]["mean_rank"] == pytest.approx(2.0)

    texts = summary.texts
    assert sorted(summary.additions["text"]) == ["Meer over geld.", "Netwerk."]
    assert set(texts[texts["kind"] == "deels"]["text"]) == {"Soms te strak."}


def test_reimport_of_the_same_file_stores_nothing(tmp_path: Path) -> None:
    form = _fill(tmp_path / "m.xlsx", _spec(), MOTHERS)
    first = import_form(form, tmp_path / "fb", CODEBOOK)
    again = import_form(form, tmp_path / "fb", CODEBOOK)
    assert not again.new and again.stored == first.stored
    assert len(list((tmp_path / "fb").glob("*.json"))) == 1
    stored = json.loads(first.stored.read_text(encoding="utf-8"))
    assert stored["group"] == "moeders" and stored["template_version"] == _spec().version


def _problems(path: Path, **kwargs: Any) -> str:
    with pytest.raises(ValidationError) as info:
        read_form(path, CODEBOOK, **kwargs)
    return str(info.value)


def test_bad_recognition_is_reported_with_sheet_row_and_column(tmp_path: Path) -> None:
    people = [("Deelnemer 1", {A: {"factor": "misschien", "herkenning": "ja"}}, {A: 1, B: 2, C: 3})]
    form = _fill(tmp_path / "f.xlsx", _spec(), people)
    text = _problems(form)
    assert "sheet '1 Uitwisselen en leren', cell B5 (row 5, column B" in text
    assert "'misschien' is not one of: ja, deels, nee" in text
    with pytest.raises(ValidationError):
        import_form(form, tmp_path / "fb", CODEBOOK)
    assert not (tmp_path / "fb").exists() or not list((tmp_path / "fb").iterdir())


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ({A: 1, B: 1, C: 3}, "rank 1 is used twice (also in column B)"),
        ({A: 1, B: 2}, "rank 3 is missing"),
        ({A: 1, B: 2, C: 4}, "rank 4 is not a whole number from 1 to 3"),
        ({A: 1, B: 2, C: 2.5}, "rank 2.5 is not a whole number from 1 to 3"),
        ({A: 1, B: "twee", C: 3}, "rank 'twee' is not a whole number"),
    ],
)
def test_bad_ranking(tmp_path: Path, ranks: dict[str, Any], message: str) -> None:
    form = _fill(tmp_path / "f.xlsx", _spec(), [("Deelnemer 1", {A: {"factor": "ja"}}, ranks)])
    text = _problems(form)
    assert message in text
    assert f"sheet '{PRIORITY_SHEET}'" in text and "row 5" in text


def test_unknown_factor(tmp_path: Path) -> None:
    form = _fill(tmp_path / "f.xlsx", _spec(), MOTHERS[:1])
    small = Codebook(id="klein", name="klein", factors=[Factor(id=A, label="A")])
    with pytest.raises(ValidationError) as info:
        read_form(form, small)
    assert "unknown factor 'ontmoeten_en_steunen'" in str(info.value)
    assert "unknown factor 'structuur'" in str(info.value)


def test_form_of_another_template_version(tmp_path: Path) -> None:
    form = _fill(tmp_path / "f.xlsx", _spec(), MOTHERS[:1])
    text = _problems(form, expected={"vve_hoogeveen_moeders": "0123456789ab"})
    assert f"template version '{_spec().version}'" in text
    assert "current posters of vve_hoogeveen have version '0123456789ab'" in text
    assert "no current form" in _problems(form, expected={"huiskamer_groningen_moeders": "x"})


def _set_meta(key: str, value: Any) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        for row in wb[META_SHEET].iter_rows():
            if row[0].value == key:
                row[1].value = value

    return edit


def test_form_of_another_layout_version_or_group(tmp_path: Path) -> None:
    form = _fill(tmp_path / "f.xlsx", _spec(), MOTHERS[:1], _set_meta("format_version", 99))
    assert "layout version '99'" in _problems(form)
    form = _fill(tmp_path / "g.xlsx", _spec(), MOTHERS[:1], _set_meta("group", "opa's"))
    assert 'unknown group "opa\'s"' in _problems(form)


def test_not_a_form_and_not_a_workbook(tmp_path: Path) -> None:
    form = _fill(tmp_path / "f.xlsx", _spec(), MOTHERS[:1], lambda wb: wb.remove(wb[META_SHEET]))
    assert "no hidden sheet '_meta'" in _problems(form)
    text_file = tmp_path / "kapot.xlsx"
    text_file.write_text("geen excel", encoding="utf-8")
    with pytest.raises(VerhalenError, match="cannot be read as an Excel workbook"):
        read_form(text_file, CODEBOOK)


def test_moved_column_missing_sheet_and_respondent_problems(tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        wb["1 Uitwisselen en leren"].insert_cols(4)
        del wb["3 Structuur"]
        ws = wb["2 Ontmoeten en steunen"]
        ws.cell(FIRST_ROW + 1, 1, "Deelnemer 1")  # the same respondent twice
        ws.cell(20, 2, "ja")  # answers without a respondent (below the labelled rows)

    form = _fill(tmp_path / "f.xlsx", _spec(), MOTHERS, edit)
    text = _problems(form)
    assert "expected the header 'Tips en adviezen' but found None" not in text
    assert "sheet '1 Uitwisselen en leren', cell D3" in text and "a column was moved" in text
    assert "sheet '3 Structuur' is missing" in text
    assert "respondent 'Deelnemer 1' appears twice" in text
    assert "cell A20 (row 20, column A: Deelnemer)" in text
    assert "answers without a respondent number" in text


def test_empty_form(tmp_path: Path) -> None:
    form = tmp_path / "leeg.xlsx"
    form.write_bytes(form_xlsx(_spec()))
    assert "the form has no answers" in _problems(form)


def test_template_layout_validation_and_metadata() -> None:
    wb = load_workbook(io.BytesIO(form_xlsx(_spec())))
    assert wb.sheetnames == [
        "Uitleg",
        "1 Uitwisselen en leren",
        "2 Ontmoeten en steunen",
        "3 Structuur",
        PRIORITY_SHEET,
        META_SHEET,
    ]
    assert wb[META_SHEET].sheet_state == "hidden"
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows(max_row=8)}
    assert meta["practice"] == "vve_hoogeveen" and meta["group"] == "moeders"
    assert meta["template_version"] == _spec().version
    sheet = wb["2 Ontmoeten en steunen"]
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"ja,deels,nee"'
    assert "B5:B54" in str(lists[0].sqref) and "H5:H54" in str(lists[0].sqref)
    assert sheet["A5"].value == "Deelnemer 1"
    ranks = wb[PRIORITY_SHEET].data_validations.dataValidation[0]
    assert ranks.type == "custom" and "COUNTIF($B5:$D5,B5)=1" in ranks.formula1


def test_template_files_are_deterministic_and_dutch() -> None:
    spec = _spec()
    assert form_xlsx(spec) == form_xlsx(spec)
    with zipfile.ZipFile(io.BytesIO(form_xlsx(spec))) as zf:
        core = zf.read("docProps/core.xml").decode()
    assert "2000-01-01" in core or "1980" in core or "modified" in core
    assert form_pdf(spec) == form_pdf(spec)
    assert form_pdf(spec).startswith(b"%PDF")
    html = form_html(spec)
    assert "@page { size: A4 portrait" in html
    assert "Herkent u dit?" in html and "☐ deels" in html and "1 = belangrijkst" not in html
    assert "Gebruik elk getal één keer." in html
    assert spec.version != _spec("professionals").version
