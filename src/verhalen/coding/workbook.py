"""Build the coding workbook (openpyxl) and serialise it reproducibly.

See :mod:`verhalen.coding.sheet_format` for the layout. :func:`deterministic_xlsx` fixes
the workbook's created/modified properties and the zip entry timestamps, so the same
inputs give byte-identical files.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from verhalen.coding.sheet_format import (
    CODE_COLUMN_PREFIX,
    CODEBOOK_SHEET,
    COL_MEMO,
    COL_NEXT,
    COL_PRACTICE,
    COL_PREVIOUS,
    COL_PROPOSAL,
    COL_ROLE,
    COL_SEGMENT,
    COL_SUGGESTIONS,
    COL_TEXT,
    COL_TRANSCRIPT,
    FIXED_TIME,
    FORMAT,
    FORMAT_VERSION,
    HELP_SHEET,
    LIST_NAME,
    LIST_SHEET,
    MAIN_SHEET,
    META_SHEET,
    META_TABLE_HEADER,
    SheetMeta,
    SheetRow,
    Suggestion,
    main_headers,
)
from verhalen.errors import VerhalenError
from verhalen.io import sha256_text
from verhalen.records import Codebook

_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_EDIT_FILL = PatternFill("solid", fgColor="FFF7D6")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _suggestion_text(items: Sequence[Suggestion]) -> str:
    lines = []
    for rank, (code, score, reason) in enumerate(items, start=1):
        line = f"{rank}. {code} ({f'{score:.2f}'.replace('.', ',')})"
        lines.append(f"{line}: {reason}" if reason else line)
    return "\n".join(lines)


def _put(ws: Any, row: int, col: int, value: object) -> Any:
    """Write a value; text that starts with '=' stays text (never a formula)."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _header(ws: Any, headers: Sequence[str], widths: Sequence[float]) -> None:
    for col, (title, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = _put(ws, 1, col, title)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width


def _help_lines(meta: SheetMeta, n_code_columns: int) -> list[str]:
    lines = [
        f"Codeerblad voor {meta.coder} — codeboek {meta.codebook_id} "
        f"versie {meta.codebook_version}",
        "",
        "Zo werkt u met dit blad:",
        "1. Lees in het blad 'Coderen' per rij de tekst (kolom 'tekst'); de vorige en volgende "
        "beurt staan ernaast als context.",
        f"2. Kies in 'code 1' t/m 'code {n_code_columns}' de codes die van toepassing zijn "
        "(keuzelijst). Meerdere codes per fragment mag; geen code is ook een antwoord.",
        "3. Schrijf in 'memo' waarom u twijfelt of wat opvalt.",
        "4. Past geen bestaande code? Schrijf een voorstel in 'nieuwe code (voorstel)'.",
        "5. Wijzig de tekst, de segmentcodes en de volgorde niet, en voeg geen rijen toe.",
        "6. Lever het bestand in; het wordt ingelezen met `verhalen sheets import`.",
        "",
        "De definities van de codes staan in het blad 'Codeboek'.",
    ]
    if meta.round_id:
        lines.insert(1, f"Kalibratieronde {meta.round_id}: codeer zelfstandig, zonder overleg.")
    if meta.suggestions:
        lines.append("De kolom 'suggesties' bevat voorstellen van de computer; u beslist zelf.")
    return lines


def _codebook_rows(codebook: Codebook) -> list[list[str]]:
    """Active codes grouped by factor (in codebook order), then in codebook order."""
    order = {f.id: i for i, f in enumerate(codebook.factors)}
    codes = sorted(  # sorted() is stable: codebook order within a factor
        codebook.active_codes,
        key=lambda c: order.get(codebook.factor_of(c.id) or "", len(order)),
    )
    rows = []
    for code in codes:
        factor = codebook.factor(codebook.factor_of(code.id) or "")
        rows.append(
            [
                code.id,
                code.label,
                factor.label if factor else "",
                code.definition,
                "\n".join(code.inclusion),
                "\n".join(code.exclusion),
                "\n".join(code.examples[:2]),
            ]
        )
    return rows


def deterministic_xlsx(wb: Workbook) -> bytes:
    """Serialise a workbook with fixed properties and zip timestamps (reproducible bytes)."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "verhalen"
    wb.properties.lastModifiedBy = "verhalen"
    raw = io.BytesIO()
    wb.save(raw)  # openpyxl stamps 'modified' with the current time: rewritten below
    stamp = FIXED_TIME.isoformat() + "Z"
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                start = text.find("<dcterms:modified")
                if start >= 0:
                    end = text.find("</dcterms:modified>", start)
                    head_end = text.find(">", start) + 1
                    text = text[:head_end] + stamp + text[end:]
                data = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def build_workbook(
    rows: Sequence[SheetRow],
    codebook: Codebook,
    meta: SheetMeta,
    *,
    n_code_columns: int = 5,
) -> Workbook:
    """The coding workbook for one coder (see the module docstring for its layout)."""
    if n_code_columns < 1:
        raise VerhalenError(f"n_code_columns must be at least 1, got {n_code_columns}")
    if not codebook.active_codes:
        raise VerhalenError(
            f"codebook {codebook.id!r} has no active codes — add codes before exporting sheets"
        )
    seen: set[str] = set()
    for row in rows:
        if row.segment_id in seen:
            raise VerhalenError(f"segment {row.segment_id!r} appears twice in the sheet rows")
        seen.add(row.segment_id)
        if len(row.text) > 32000:
            raise VerhalenError(
                f"segment {row.segment_id!r} has {len(row.text)} characters, more than an Excel "
                "cell holds — segment by paragraph or sentence ([segmentation] unit)"
            )
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    headers = main_headers(meta.suggestions, n_code_columns)
    widths = {
        COL_SEGMENT: 16,
        COL_TRANSCRIPT: 11,
        COL_ROLE: 14,
        COL_PRACTICE: 18,
        COL_PREVIOUS: 32,
        COL_TEXT: 60,
        COL_NEXT: 32,
        COL_SUGGESTIONS: 34,
        COL_MEMO: 32,
        COL_PROPOSAL: 24,
    }
    _header(ws, headers, [widths.get(h, 22) for h in headers])
    editable = [
        i
        for i, h in enumerate(headers, start=1)
        if h.startswith(CODE_COLUMN_PREFIX) or h in (COL_MEMO, COL_PROPOSAL)
    ]
    for r, row in enumerate(rows, start=2):
        values = {
            COL_SEGMENT: row.segment_id,
            COL_TRANSCRIPT: row.transcript_id,
            COL_ROLE: row.role,
            COL_PRACTICE: row.practice,
            COL_PREVIOUS: row.previous,
            COL_TEXT: row.text,
            COL_NEXT: row.next,
            COL_SUGGESTIONS: _suggestion_text(row.suggestions),
        }
        for c, title in enumerate(headers, start=1):
            cell = _put(ws, r, c, values.get(title))
            cell.alignment = _WRAP
            if c in editable:
                cell.protection = Protection(locked=False)
                cell.fill = _EDIT_FILL
    ws.freeze_panes = "B2"
    last = max(len(rows) + 1, 2)
    # The dropdown: a defined name over the hidden list of active code ids.
    codes = [row[0] for row in _codebook_rows(codebook)]
    lst = wb.create_sheet(LIST_SHEET)
    for i, code in enumerate(codes, start=1):
        _put(lst, i, 1, code)
    lst.sheet_state = "hidden"
    lst.protection.sheet = True
    wb.defined_names[LIST_NAME] = DefinedName(
        LIST_NAME, attr_text=f"'{LIST_SHEET}'!$A$1:$A${len(codes)}"
    )
    dv = DataValidation(type="list", formula1=LIST_NAME, allow_blank=True, showDropDown=False)
    dv.error = "Kies een code uit de lijst (zie het blad 'Codeboek')."
    dv.errorTitle = "Onbekende code"
    dv.showErrorMessage = True
    code_cols = [i for i, h in enumerate(headers, start=1) if h.startswith(CODE_COLUMN_PREFIX)]
    dv.add(f"{get_column_letter(code_cols[0])}2:{get_column_letter(code_cols[-1])}{last}")
    ws.add_data_validation(dv)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # coders may still widen columns and rows
    ws.protection.formatRows = False
    # Reference sheets.
    book = wb.create_sheet(CODEBOOK_SHEET, 1)
    _header(
        book,
        ["code", "naam", "factor", "definitie", "wel", "niet", "voorbeeld"],
        [22, 26, 26, 60, 40, 40, 50],
    )
    for r, book_row in enumerate(_codebook_rows(codebook), start=2):
        for c, text in enumerate(book_row, start=1):
            _put(book, r, c, text).alignment = _WRAP
    book.freeze_panes = "B2"
    book.protection.sheet = True
    help_ws = wb.create_sheet(HELP_SHEET, 2)
    help_ws.column_dimensions["A"].width = 110
    for r, line in enumerate(_help_lines(meta, n_code_columns), start=1):
        _put(help_ws, r, 1, line).alignment = Alignment(wrap_text=True)
    help_ws["A1"].font = Font(bold=True, size=13)
    # Metadata for the import checks.
    info = wb.create_sheet(META_SHEET)
    pairs: list[tuple[str, object]] = [
        ("format", FORMAT),
        ("format_version", FORMAT_VERSION),
        ("codebook_id", meta.codebook_id),
        ("codebook_version", meta.codebook_version),
        ("coder", meta.coder),
        ("seed", meta.seed),
        ("stratify", ",".join(meta.stratify)),
        ("round", meta.round_id or ""),
        ("suggestions", "ja" if meta.suggestions else "nee"),
        ("n_segments", len(rows)),
    ]
    for r, (key, item) in enumerate(pairs, start=1):
        _put(info, r, 1, key)
        _put(info, r, 2, item)
    start = len(pairs) + 2
    for c, title in enumerate(META_TABLE_HEADER, start=1):
        _put(info, start, c, title)
    for r, row in enumerate(rows, start=start + 1):
        _put(info, r, 1, row.segment_id)
        _put(info, r, 2, sha256_text(row.text))
        _put(info, r, 3, ",".join(code for code, _s, _r in row.suggestions))
        _put(info, r, 4, row.corpus_hash or sha256_text(row.text))
    info.sheet_state = "veryHidden"
    info.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    return wb
