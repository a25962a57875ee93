"""Feedback forms for klankbordgroep sessions: an xlsx template and a printable version.

One form per session, i.e. per practice × group (moeders / vrijwilligers / professionals).
It asks, for every factor on the posters and for each of its kenmerkende elementen,
whether people recognise it (ja / deels / nee) and why, what they would add, and how they
rank the factors (1 = belangrijkst).

Workbook layout: one row per respondent
---------------------------------------
A session goes poster by poster, round the table. So the workbook has **one sheet per
factor** (in poster order) with **one row per respondent**: the facilitator stays on the
sheet of the poster being discussed and fills in one row per person, with every answer
about that poster on one screen. The columns are

``Deelnemer`` | factor: ``Herkent u dit?``, ``Waarom?`` | per element: ``Herkent u dit?``,
``Waarom?`` | ``Wat wilt u toevoegen?``

Recognition cells have a drop-down (``ja``, ``deels``, ``nee``). The sheet ``Prioriteit``
has one row per respondent and one column per factor for the rank: a whole number 1..n,
each used once per row (checked by Excel's data validation while typing, and again on
import). Rows 5–16 are labelled ``Deelnemer 1`` … ``Deelnemer 12``; more rows can be added
below (validation covers up to row 54). Names are never written: respondents are numbers.

A hidden sheet ``_meta`` records the format, the template version, the practice, the group
and where every factor, element and rank lives (sheet and column), so the import
(:mod:`verhalen.klankbord.feedback_import`) never guesses. The template version is a hash
of the practice, the group and the factor and element ids (:attr:`FormSpec.version`):
when the posters change, so does the version, and a form filled in for other posters is
refused.

The printable version (HTML, and a PDF via :mod:`verhalen.klankbord.pdf`) is one paper
form per respondent, in the same order, with tick boxes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from verhalen.coding.workbook import deterministic_xlsx
from verhalen.errors import VerhalenError
from verhalen.klankbord.content import GROUPS, Poster
from verhalen.klankbord.posters import render

FORM_FORMAT = "verhalen-feedback-form"
FORM_FORMAT_VERSION = 1
RECOGNITION = ("ja", "deels", "nee")
META_SHEET = "_meta"
GUIDE_SHEET = "Uitleg"
PRIORITY_SHEET = "Prioriteit"
FIRST_ROW = 5
RESPONDENTS = 12
VALIDATED_ROWS = 50
FACTOR_HEADER = "De factor zelf"
ADDITION_HEADER = "Wat wilt u toevoegen?"
META_COLUMNS = ("item", "factor_id", "element_id", "sheet", "column", "label", "header")
HEADER_ROW = {"factor": 3, "element": 3, "addition": 4, "rank": 4}
"""Row of the header each kind of metadata item checks (so a moved column is noticed)."""
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class FormElement:
    id: str
    label: str


@dataclass(frozen=True)
class FormFactor:
    id: str
    label: str
    number: int
    color: str
    elements: tuple[FormElement, ...]

    @property
    def sheet(self) -> str:
        """The sheet title: number and label, at most 31 characters (Excel's limit)."""
        return f"{self.number} {self.label}".translate(_BAD_SHEET_CHARS)[:31].strip()


@dataclass(frozen=True)
class FormSpec:
    """What one session's form asks: the factors and elements of a practice's posters."""

    practice: str
    practice_label: str
    group: str
    factors: tuple[FormFactor, ...]
    fictional: bool = False

    @property
    def group_label(self) -> str:
        return GROUPS.get(self.group, self.group)

    @property
    def stem(self) -> str:
        """File name stem: ``<practice>_<group>``."""
        return f"{self.practice}_{self.group}"

    @property
    def version(self) -> str:
        """Template version: SHA-256 (12 hex digits) of the format, practice, group and ids."""
        ids = [[f.id, [e.id for e in f.elements]] for f in self.factors]
        blob = json.dumps([FORM_FORMAT_VERSION, self.practice, self.group, ids])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def form_specs(
    posters: Mapping[str, Sequence[Poster]], groups: Sequence[str] | None = None
) -> list[FormSpec]:
    """One form per practice × group, asking about that practice's posters."""
    chosen = list(groups) if groups else list(GROUPS)
    unknown = [g for g in chosen if g not in GROUPS]
    if unknown:
        raise VerhalenError(
            f"group {', '.join(map(repr, unknown))} is unknown — choose from: {', '.join(GROUPS)}"
        )
    specs = []
    for practice, items in posters.items():
        if not items:
            continue
        factors = tuple(
            FormFactor(
                p.factor_id,
                p.factor_label,
                p.number,
                p.color,
                tuple(FormElement(e.id, e.label) for e in p.elements),
            )
            for p in items
        )
        for group in chosen:
            specs.append(
                FormSpec(practice, items[0].practice_label, group, factors, items[0].fictional)
            )
    return specs


# --------------------------------------------------------------------------- xlsx

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=16)
_HEAD_FILL = PatternFill("solid", fgColor="E8EDF2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def factor_columns(factor: FormFactor) -> dict[str, int]:
    """Column numbers on a factor sheet: ``factor``, ``element:<id>`` and ``addition``.

    Each recognition column is followed by its ``Waarom?`` column.
    """
    cols = {"factor": 2}
    for i, element in enumerate(factor.elements):
        cols[f"element:{element.id}"] = 4 + 2 * i
    cols["addition"] = 4 + 2 * len(factor.elements)
    return cols


def _respondent_rows(ws: Worksheet, count: int) -> None:
    ws.cell(4, 1, "Deelnemer").font = _BOLD
    for i in range(count):
        ws.cell(FIRST_ROW + i, 1, f"Deelnemer {i + 1}")
    ws.column_dimensions["A"].width = 14
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)


def _heading(ws: Worksheet, title: str, instruction: str) -> None:
    ws.cell(1, 1, title).font = _TITLE
    ws.cell(2, 1, instruction)


def _recognition_validation(ws: Worksheet, columns: Sequence[int]) -> None:
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(RECOGNITION) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Kies een antwoord",
        error="Kies ja, deels of nee.",
        promptTitle="Herkent u dit?",
        prompt="Kies ja, deels of nee.",
        showInputMessage=True,
    )
    last = FIRST_ROW + VALIDATED_ROWS - 1
    for col in columns:
        letter = get_column_letter(col)
        dv.add(f"{letter}{FIRST_ROW}:{letter}{last}")
    ws.add_data_validation(dv)


def _factor_sheet(wb: Workbook, spec: FormSpec, factor: FormFactor, respondents: int) -> None:
    ws = wb.create_sheet(factor.sheet)
    _heading(
        ws,
        f"{factor.number}. {factor.label}",
        f"{spec.practice_label} – {spec.group_label}. Eén rij per deelnemer. "
        "Herkent u dit? Kies ja, deels of nee. Schrijf geen namen op.",
    )
    cols = factor_columns(factor)
    groups = [(FACTOR_HEADER, cols["factor"])] + [
        (e.label, cols[f"element:{e.id}"]) for e in factor.elements
    ]
    for label, col in groups:
        ws.cell(3, col, label).font = _BOLD
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 1)
        ws.cell(4, col, "Herkent u dit?")
        ws.cell(4, col + 1, "Waarom?")
        ws.column_dimensions[get_column_letter(col)].width = 15
        ws.column_dimensions[get_column_letter(col + 1)].width = 30
    ws.cell(4, cols["addition"], ADDITION_HEADER)
    ws.column_dimensions[get_column_letter(cols["addition"])].width = 40
    for col in range(1, cols["addition"] + 1):
        for row in (3, 4):
            cell = ws.cell(row, col)
            cell.fill, cell.alignment = _HEAD_FILL, _WRAP
    _respondent_rows(ws, respondents)
    _recognition_validation(ws, [col for _, col in groups])


def _priority_sheet(wb: Workbook, spec: FormSpec, respondents: int) -> None:
    ws = wb.create_sheet(PRIORITY_SHEET)
    n = len(spec.factors)
    _heading(
        ws,
        "Wat vindt u het belangrijkst?",
        f"Zet de {n} factoren in volgorde: 1 = belangrijkst, {n} = minst belangrijk. "
        "Gebruik elk getal één keer.",
    )
    ws.cell(3, 2, "Rang (1 = belangrijkst)").font = _BOLD
    for i, factor in enumerate(spec.factors):
        cell = ws.cell(4, 2 + i, rank_header(factor))
        cell.fill, cell.alignment = _HEAD_FILL, _WRAP
        ws.column_dimensions[get_column_letter(2 + i)].width = 18
    _respondent_rows(ws, respondents)
    first, last = get_column_letter(2), get_column_letter(1 + n)
    dv = DataValidation(
        type="custom",
        formula1=(
            f"AND(ISNUMBER({first}{FIRST_ROW}),{first}{FIRST_ROW}=INT({first}{FIRST_ROW}),"
            f"{first}{FIRST_ROW}>=1,{first}{FIRST_ROW}<={n},"
            f"COUNTIF(${first}{FIRST_ROW}:${last}{FIRST_ROW},{first}{FIRST_ROW})=1)"
        ),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Rang",
        error=f"Kies een heel getal van 1 tot en met {n}. Gebruik elk getal één keer per rij.",
    )
    dv.add(f"{first}{FIRST_ROW}:{last}{FIRST_ROW + VALIDATED_ROWS - 1}")
    ws.add_data_validation(dv)


def _guide_sheet(wb: Workbook, spec: FormSpec) -> None:
    ws = wb.active
    ws.title = GUIDE_SHEET
    lines = [
        ("Feedback van de klankbordgroep", _TITLE),
        (f"Praktijk: {spec.practice_label}", _BOLD),
        (f"Groep: {spec.group_label}", _BOLD),
        ("", None),
        ("Zo vult u het in", _BOLD),
        ("1. Elke poster heeft een eigen tabblad. Vul één rij in per deelnemer.", None),
        ("2. Herkent u dit? Kies ja, deels of nee.", None),
        ("3. Waarom? Schrijf kort op wat de deelnemer zegt.", None),
        ("4. Wat wilt u toevoegen? Schrijf op wat er mist.", None),
        (
            f"5. Tabblad {PRIORITY_SHEET}: zet de factoren in volgorde. "
            "1 = belangrijkst. Gebruik elk getal één keer.",
            None,
        ),
        ("Schrijf geen namen op. Gebruik Deelnemer 1, Deelnemer 2, enzovoort.", None),
        ("Verander de tabbladen en de kolommen niet.", None),
        ("", None),
        ("Voor de onderzoeker: lees het ingevulde bestand in met", None),
        ("verhalen feedback import <bestand>.xlsx", None),
        ("", None),
        (f"Formulierversie: {spec.version}", None),
    ]
    if spec.fictional:
        lines.append(("Voorbeeld met verzonnen gegevens.", None))
    for row, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row, 1, text)
        if font is not None:
            cell.font = font
    ws.column_dimensions["A"].width = 100


def rank_header(factor: FormFactor) -> str:
    """The column header of a factor on the priority sheet."""
    return f"{factor.number}. {factor.label}"


def _meta_sheet(wb: Workbook, spec: FormSpec) -> None:
    ws = wb.create_sheet(META_SHEET)
    letter = get_column_letter
    rows: list[list[object]] = [
        ["format", FORM_FORMAT],
        ["format_version", FORM_FORMAT_VERSION],
        ["template_version", spec.version],
        ["practice", spec.practice],
        ["practice_label", spec.practice_label],
        ["group", spec.group],
        ["fictional", "ja" if spec.fictional else "nee"],
        ["first_row", FIRST_ROW],
        list(META_COLUMNS),
    ]
    for factor in spec.factors:
        cols = factor_columns(factor)
        rows.append(
            [
                "factor",
                factor.id,
                "",
                factor.sheet,
                letter(cols["factor"]),
                factor.label,
                FACTOR_HEADER,
            ]
        )
        for e in factor.elements:
            col = letter(cols[f"element:{e.id}"])
            rows.append(["element", factor.id, e.id, factor.sheet, col, e.label, e.label])
        rows.append(
            ["addition", factor.id, "", factor.sheet, letter(cols["addition"]), "", ADDITION_HEADER]
        )
    for i, factor in enumerate(spec.factors):
        rows.append(
            [
                "rank",
                factor.id,
                "",
                PRIORITY_SHEET,
                letter(2 + i),
                factor.label,
                rank_header(factor),
            ]
        )
    for row in rows:
        ws.append(row)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def form_workbook(spec: FormSpec, respondents: int = RESPONDENTS) -> Workbook:
    """The xlsx template of one session (see the module documentation for the layout)."""
    if not spec.factors:
        raise VerhalenError(f"form {spec.stem}: there are no factors to ask about")
    wb = Workbook()
    _guide_sheet(wb, spec)
    for factor in spec.factors:
        _factor_sheet(wb, spec, factor, respondents)
    _priority_sheet(wb, spec, respondents)
    _meta_sheet(wb, spec)
    wb.properties.title = f"Feedback klankbordgroep – {spec.practice_label} – {spec.group_label}"
    return wb


def form_xlsx(spec: FormSpec, respondents: int = RESPONDENTS) -> bytes:
    """The xlsx template as reproducible bytes (fixed document dates and zip times)."""
    return deterministic_xlsx(form_workbook(spec, respondents))


def form_html(spec: FormSpec) -> str:
    """The printable paper form of one respondent (A4, tick boxes, B1 Dutch)."""
    return render("form.html.j2", spec=spec, recognition=RECOGNITION)
