"""Reading the sheets of a filled-in feedback form (used by :mod:`.feedback_import`).

:func:`read_meta` reads the hidden ``_meta`` sheet, :func:`check_meta` checks it against the
codebook and the current template versions, and :class:`SheetReader` reads the factor sheets
and the priority sheet, collecting answers and every problem with its sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

from verhalen.errors import Problem
from verhalen.klankbord.content import GROUPS
from verhalen.klankbord.feedback_form import (
    FORM_FORMAT,
    FORM_FORMAT_VERSION,
    HEADER_ROW,
    META_COLUMNS,
    META_SHEET,
    RECOGNITION,
)
from verhalen.klankbord.session import ElementAnswer, FactorAnswer, Recognition
from verhalen.records import Codebook

TEMPLATE_HINT = "print a new form with `verhalen feedback template` and fill that in"


@dataclass
class MetaItem:
    kind: str
    factor_id: str
    element_id: str
    sheet: str
    column: str
    label: str
    header: str
    meta_row: int


@dataclass
class FormMeta:
    values: dict[str, Any] = field(default_factory=dict)
    items: list[MetaItem] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _where(path: Path, sheet: str, row: int, column: str, header: str = "") -> str:
    head = f": {header}" if header else ""
    return f"{path.name}, sheet {sheet!r}, cell {column}{row} (row {row}, column {column}{head})"


def read_meta(path: Path, wb: Any, problems: list[Problem]) -> FormMeta | None:
    if META_SHEET not in wb.sheetnames:
        problems.append(
            Problem(
                path.name,
                f"not a verhalen feedback form: it has no hidden sheet {META_SHEET!r}",
                TEMPLATE_HINT,
            )
        )
        return None
    ws = wb[META_SHEET]
    meta = FormMeta()
    in_items = False
    for row in ws.iter_rows(min_row=1, values_only=True):
        cells = [_text(v) for v in row]
        if not any(cells):
            continue
        if tuple(cells[: len(META_COLUMNS)]) == META_COLUMNS:
            in_items = True
            continue
        if in_items:
            padded = (cells + [""] * len(META_COLUMNS))[: len(META_COLUMNS)]
            kind, factor_id, element_id, sheet, column, label, header = padded
            meta.items.append(
                MetaItem(kind, factor_id, element_id, sheet, column, label, header, len(meta.items))
            )
        else:
            meta.values[cells[0]] = cells[1] if len(cells) > 1 else ""
    where = f"{path.name}, sheet {META_SHEET!r}"
    if meta.values.get("format") != FORM_FORMAT:
        problems.append(
            Problem(where, "not a verhalen feedback form (format unknown)", TEMPLATE_HINT)
        )
        return None
    if meta.values.get("format_version") != str(FORM_FORMAT_VERSION):
        problems.append(
            Problem(
                where,
                f"a form of layout version {meta.values.get('format_version')!r}; this verhalen "
                f"reads version {FORM_FORMAT_VERSION}",
                TEMPLATE_HINT,
            )
        )
        return None
    return meta


def check_meta(
    path: Path,
    meta: FormMeta,
    codebook: Codebook | None,
    expected: Mapping[str, str] | None,
    problems: list[Problem],
) -> None:
    where = f"{path.name}, sheet {META_SHEET!r}"
    practice, group = meta.values.get("practice", ""), meta.values.get("group", "")
    version = meta.values.get("template_version", "")
    if group not in GROUPS:
        problems.append(
            Problem(
                where, f"unknown group {group!r}", f"allowed: {', '.join(GROUPS)} — {TEMPLATE_HINT}"
            )
        )
    if expected is not None:
        current = expected.get(f"{practice}_{group}")
        if current is None:
            problems.append(
                Problem(
                    where,
                    f"no current form for practice {practice!r}, group {group!r}",
                    f"forms exist for: {', '.join(sorted(expected)) or 'none'}",
                )
            )
        elif current != version:
            problems.append(
                Problem(
                    where,
                    f"this form is template version {version!r}, but the current posters of "
                    f"{practice} have version {current!r} (the posters changed since it was "
                    "printed)",
                    TEMPLATE_HINT,
                )
            )
    known = {f.id for f in codebook.factors} if codebook is not None else None
    for item in meta.items:
        if item.kind not in HEADER_ROW:
            problems.append(Problem(where, f"unknown item kind {item.kind!r}", TEMPLATE_HINT))
        elif known is not None and item.factor_id not in known:
            problems.append(
                Problem(
                    f"{where}, item {item.meta_row + 1}",
                    f"unknown factor {item.factor_id!r} (sheet {item.sheet!r}, column "
                    f"{item.column})",
                    f"the codebook has: {', '.join(sorted(known))} — {TEMPLATE_HINT}",
                )
            )


def _recognition(value: Any) -> Recognition | None:
    text = _text(value).lower()
    return cast(Recognition, text) if text in RECOGNITION else None


def _rank(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    text = _text(value)
    return int(text) if text.isdigit() else None


class SheetReader:
    """Collects answers and problems from the sheets of one workbook."""

    def __init__(self, path: Path, wb: Any, meta: FormMeta) -> None:
        self.path, self.wb, self.meta = path, wb, meta
        self.first = int(meta.values.get("first_row") or 5)
        self.problems: list[Problem] = []
        self.answers: dict[str, dict[str, FactorAnswer]] = {}
        self.ranks: dict[str, dict[str, int]] = {}
        self.order: dict[str, tuple[int, int]] = {}

    def _sheet(self, title: str) -> Worksheet | None:
        if title in self.wb.sheetnames:
            ws: Worksheet = self.wb[title]
            return ws
        self.problems.append(Problem(self.path.name, f"sheet {title!r} is missing", TEMPLATE_HINT))
        return None

    def _headers_ok(self, ws: Worksheet, items: list[MetaItem]) -> bool:
        ok = True
        for item in items:
            row = HEADER_ROW[item.kind]
            found = _text(ws[f"{item.column}{row}"].value)
            if found != item.header:
                ok = False
                self.problems.append(
                    Problem(
                        _where(self.path, ws.title, row, item.column),
                        f"expected the header {item.header!r} but found {found!r}: a column "
                        "was moved, added or renamed",
                        f"put the columns back as in the template, or {TEMPLATE_HINT}",
                    )
                )
        return ok

    def _respondent(self, ws: Worksheet, row: int, sheet_no: int, seen: set[str]) -> str | None:
        name = _text(ws.cell(row, 1).value)
        if not name:
            self.problems.append(
                Problem(
                    _where(self.path, ws.title, row, "A", "Deelnemer"),
                    "answers without a respondent number",
                    "write a number such as 'Deelnemer 3' (never a name)",
                )
            )
            return None
        if name in seen:
            self.problems.append(
                Problem(
                    _where(self.path, ws.title, row, "A", "Deelnemer"),
                    f"respondent {name!r} appears twice on this sheet",
                    "give each respondent one row",
                )
            )
            return None
        seen.add(name)
        self.order.setdefault(name, (sheet_no, row))
        return name

    def factor_sheet(self, factor_id: str, items: list[MetaItem], sheet_no: int) -> None:
        ws = self._sheet(items[0].sheet)
        if ws is None or not self._headers_ok(ws, items):
            return
        seen: set[str] = set()
        for row in range(self.first, ws.max_row + 1):
            cells = [
                (
                    ws[f"{i.column}{row}"].value,
                    None
                    if i.kind == "addition"
                    else ws.cell(row, column_index_from_string(i.column) + 1).value,
                )
                for i in items
            ]
            if not any(_text(value) or _text(why) for value, why in cells):
                continue
            name = self._respondent(ws, row, sheet_no, seen)
            answer = FactorAnswer(factor_id=factor_id)
            for item, (value, why) in zip(items, cells, strict=True):
                if item.kind == "addition":
                    answer.addition = _text(value)
                    continue
                recognition = _recognition(value)
                if _text(value) and recognition is None:
                    self.problems.append(
                        Problem(
                            _where(
                                self.path,
                                ws.title,
                                row,
                                item.column,
                                f"Herkent u dit? – {item.header}",
                            ),
                            f"recognition {value!r} is not one of: {', '.join(RECOGNITION)}",
                            "choose ja, deels or nee from the drop-down",
                        )
                    )
                if item.kind == "factor":
                    answer.recognition, answer.why = recognition, _text(why)
                else:
                    answer.elements.append(
                        ElementAnswer(
                            element_id=item.element_id, recognition=recognition, why=_text(why)
                        )
                    )
            if name is not None:
                self.answers.setdefault(name, {})[factor_id] = answer

    def priority_sheet(self, items: list[MetaItem], sheet_no: int) -> None:
        ws = self._sheet(items[0].sheet)
        if ws is None or not self._headers_ok(ws, items):
            return
        n = len(items)
        seen: set[str] = set()
        for row in range(self.first, ws.max_row + 1):
            values = [ws[f"{i.column}{row}"].value for i in items]
            if not any(_text(v) for v in values):
                continue
            name = self._respondent(ws, row, sheet_no, seen)
            ranks: dict[str, int] = {}
            used: dict[int, str] = {}
            for item, value in zip(items, values, strict=True):
                where = _where(self.path, ws.title, row, item.column, item.header)
                rank = _rank(value)
                if not _text(value):
                    continue
                if rank is None or not 1 <= rank <= n:
                    self.problems.append(
                        Problem(
                            where,
                            f"rank {value!r} is not a whole number from 1 to {n}",
                            f"use each of 1..{n} once (1 = belangrijkst)",
                        )
                    )
                elif rank in used:
                    self.problems.append(
                        Problem(
                            where,
                            f"rank {rank} is used twice (also in column {used[rank]})",
                            f"use each of 1..{n} once",
                        )
                    )
                else:
                    used[rank] = item.column
                    ranks[item.factor_id] = rank
            missing = [str(r) for r in range(1, n + 1) if r not in used]
            if missing:
                self.problems.append(
                    Problem(
                        f"{self.path.name}, sheet {ws.title!r}, row {row}, columns "
                        f"{items[0].column}–{items[-1].column}",
                        f"rank {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing",
                        f"give every factor a rank: each of 1..{n} once",
                    )
                )
            if name is not None:
                self.ranks[name] = ranks
