"""Read filled-in coding sheets back: check everything, then store all or nothing.

:func:`read_sheet` parses one sheet written by :mod:`verhalen.coding.sheets` and checks it
against the corpus and the codebook. Every problem is collected and raised together as a
:class:`~verhalen.errors.ValidationError` naming the sheet row: unknown segment ids, rows
whose segment text was edited, duplicate rows, unknown code ids, codes that no longer exist,
and a sheet made for another codebook (or another version, whose renamed/merged codes are
mapped with :meth:`Codebook.resolve <verhalen.records.Codebook.resolve>` only when the
caller allows it). Only a sheet without problems is stored (:func:`store_sheet`).

A code that equals one of the suggestions shown on its row is stored with
``source="suggested"`` (an accepted suggestion); other codes with ``source="manual"``.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from verhalen.coding.proposals import CodeProposal
from verhalen.coding.sheet_format import (
    CODE_COLUMN_PREFIX,
    COL_MEMO,
    COL_PROPOSAL,
    COL_SEGMENT,
    COL_TEXT,
    FORMAT,
    MAIN_SHEET,
    META_SHEET,
    META_TABLE_HEADER,
    SheetMeta,
)
from verhalen.coding.store import CodedStore
from verhalen.errors import Problem, ValidationError, VerhalenError
from verhalen.io import sha256_text
from verhalen.records import Codebook, CodeStatus, Coding, CodingSource, Segment

_SPLIT_RE = re.compile(r"[,;\n]+")


@dataclass(frozen=True)
class CodeMapping:
    """A code on a sheet that was renamed or merged since the sheet was made."""

    row: int
    segment_id: str
    old: str
    new: str


@dataclass
class SheetContent:
    """A checked sheet: its metadata, codings, proposals and notes."""

    path: Path
    meta: SheetMeta
    codings: list[Coding]
    segments: list[str]
    memos: dict[str, str] = field(default_factory=dict)
    proposals: list[CodeProposal] = field(default_factory=list)
    mapped: list[CodeMapping] = field(default_factory=list)
    empty_rows: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoreResult:
    """What storing one sheet changed in the coded store."""

    added: int
    removed: int
    unchanged: int


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _open(path: Path) -> Any:
    if not path.is_file():
        raise VerhalenError(f"{path}: file not found — give the path of a filled-in coding sheet")
    try:
        return load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise VerhalenError(
            f"{path}: not a readable .xlsx file ({exc}) — save the sheet as Excel workbook (.xlsx)"
        ) from exc


def read_meta(path: str | Path, wb: Any | None = None) -> SheetMeta:
    """The metadata a sheet was written with (raises if it is not a verhalen coding sheet)."""
    path = Path(path)
    wb = wb if wb is not None else _open(path)
    if META_SHEET not in wb.sheetnames or MAIN_SHEET not in wb.sheetnames:
        raise VerhalenError(
            f"{path}: not a verhalen coding sheet (no '{MAIN_SHEET}' and '{META_SHEET}' sheets) "
            "— import only sheets written by `verhalen sheets export` or `verhalen calibrate new`"
        )
    ws = wb[META_SHEET]
    values: dict[str, str] = {}
    hashes: dict[str, str] = {}
    suggested: dict[str, tuple[str, ...]] = {}
    corpus_hashes: dict[str, str] = {}
    in_table = False
    width = len(META_TABLE_HEADER)
    for row in ws.iter_rows(values_only=True):
        cells = [_text(v) for v in (*row, *([None] * width))[:width]]
        if not in_table:
            if tuple(cells) == META_TABLE_HEADER:
                in_table = True
            elif cells[0]:
                values[cells[0]] = cells[1]
        elif cells[0]:
            hashes[cells[0]] = cells[1]
            suggested[cells[0]] = tuple(c for c in cells[2].split(",") if c)
            corpus_hashes[cells[0]] = cells[3] or cells[1]
    if values.get("format") != FORMAT or not in_table:
        raise VerhalenError(f"{path}: the metadata sheet is damaged — export the sheet again")
    seed = values.get("seed", "")
    return SheetMeta(
        codebook_id=values.get("codebook_id", ""),
        codebook_version=values.get("codebook_version", ""),
        coder=values.get("coder", ""),
        seed=int(seed) if seed.lstrip("-").isdigit() else None,
        stratify=tuple(s for s in values.get("stratify", "").split(",") if s),
        round_id=values.get("round") or None,
        suggestions=values.get("suggestions") == "ja",
        text_hashes=hashes,
        suggested=suggested,
        corpus_hashes=corpus_hashes,
    )


def _resolve_code(
    raw: str, codebook: Codebook, active: set[str], known: set[str]
) -> tuple[str | None, str | None]:
    """``(code id, None)`` if usable as-is, ``(new id, None)`` if mapped, ``(None, why)`` if not."""
    code = raw.strip()
    if code not in known and code.lower() in known:
        code = code.lower()
    if code in active:
        return code, None
    if code not in known:
        return None, f"unknown code id {raw!r}"
    target = codebook.resolve(code)
    if target in active:
        return target, None
    entry = codebook.code(code)
    status = entry.status.value if entry else "unknown"
    if status == CodeStatus.retired.value:
        return None, f"code {code!r} no longer exists (retired)"
    return None, f"code {code!r} no longer exists ({status}; it resolves to {target!r})"


def read_sheet(
    path: str | Path,
    *,
    segments: Mapping[str, Segment],
    codebook: Codebook,
    map_codes: bool = False,
    round_id: str | None = None,
    when: dt.datetime | None = None,
) -> SheetContent:
    """Read and check a filled-in coding sheet; nothing is stored.

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    segments
        The corpus segments by id (:meth:`verhalen.corpus.Corpus.segment_index`).
    codebook
        The current codebook.
    map_codes
        Accept a sheet made with another codebook version: codes renamed or merged since
        then are mapped to their current id (listed in :attr:`SheetContent.mapped`).
    round_id
        The calibration round this sheet must belong to; ``None`` for an ordinary sheet
        (then a calibration sheet is refused).
    when
        Timestamp of the codings (default: now, UTC).

    Raises
    ------
    ValidationError
        With every problem found, each naming the sheet row.
    """
    path = Path(path)
    wb = _open(path)
    meta = read_meta(path, wb)
    where = f"{path.name} ({MAIN_SHEET})"
    problems: list[Problem] = []
    if meta.codebook_id != codebook.id:
        raise ValidationError(
            [
                Problem(
                    path.name,
                    (
                        f"the sheet was made for codebook {meta.codebook_id!r}, the project uses "
                        f"{codebook.id!r}"
                    ),
                    "export a new sheet with the project's codebook",
                )
            ]
        )
    if meta.round_id != round_id:
        if round_id is None:
            fix = f"import it with `verhalen calibrate import {meta.round_id} {path.name}`"
            what = f"this is a calibration sheet of round {meta.round_id}"
        else:
            fix = "import it with the round it belongs to (see the sheet's Uitleg)"
            found = f"round {meta.round_id}" if meta.round_id else "an ordinary sheet"
            what = f"this sheet is not from calibration round {round_id} (it is {found})"
        raise ValidationError([Problem(path.name, what, fix)])
    ws = wb[MAIN_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    headers = [_text(h).strip() for h in (rows[0] if rows else ())]
    col = {h: i for i, h in enumerate(headers) if h}
    code_cols = [i for i, h in enumerate(headers) if h.startswith(CODE_COLUMN_PREFIX)]
    missing_cols = [h for h in (COL_SEGMENT, COL_TEXT, COL_MEMO, COL_PROPOSAL) if h not in col]
    if missing_cols or not code_cols:
        raise ValidationError(
            [
                Problem(
                    where,
                    (f"column(s) {', '.join(missing_cols) or 'code 1…'} are missing from row 1"),
                    "do not rename or delete columns; export the sheet again",
                )
            ]
        )
    active = {c.id for c in codebook.active_codes}
    known = {c.id for c in codebook.codes}
    version_differs = meta.codebook_version != codebook.version
    stamp = when or dt.datetime.now(dt.UTC).replace(microsecond=0)
    content = SheetContent(path=path, meta=meta, codings=[], segments=[])
    first_row: dict[str, int] = {}
    pending_maps: list[CodeMapping] = []
    for r, row in enumerate(rows[1:], start=2):
        cells = [_text(v) for v in row]
        cells += [""] * (len(headers) - len(cells))
        if not any(c.strip() for c in cells):
            continue
        seg_id = cells[col[COL_SEGMENT]].strip()
        here = f"{where} row {r}" + (f" (segment {seg_id})" if seg_id else "")
        if not seg_id:
            problems.append(Problem(here, "no segment id", "do not add rows; delete this row"))
            continue
        if seg_id in first_row:
            problems.append(
                Problem(
                    here,
                    f"duplicate row: segment {seg_id} is also on row {first_row[seg_id]}",
                    "keep one row per segment",
                )
            )
            continue
        first_row[seg_id] = r
        if seg_id not in segments:
            problems.append(
                Problem(
                    here,
                    f"unknown segment id {seg_id!r} (not in the corpus)",
                    "do not change the segment column; export the sheet again",
                )
            )
            continue
        if seg_id not in meta.text_hashes:
            problems.append(
                Problem(
                    here,
                    f"segment {seg_id!r} was not on this sheet when it was exported",
                    "do not add rows or change segment ids",
                )
            )
            continue
        text_hash = sha256_text(cells[col[COL_TEXT]])
        if text_hash != meta.text_hashes[seg_id]:
            problems.append(
                Problem(
                    here,
                    "the segment text was edited",
                    "undo the change (code the original text; put remarks in memo)",
                )
            )
            continue
        if meta.corpus_hashes[seg_id] != sha256_text(segments[seg_id].text):
            problems.append(
                Problem(
                    here,
                    "the segment text in the corpus changed since the sheet was exported",
                    "export a new sheet for this segment",
                )
            )
            continue
        memo = cells[col[COL_MEMO]].strip()
        proposal = cells[col[COL_PROPOSAL]].strip()
        raw_codes = [p.strip() for i in code_cols for p in _SPLIT_RE.split(cells[i]) if p.strip()]
        codes: list[tuple[str, str]] = []  # (code as written, code to store)
        for raw in raw_codes:
            code, why = _resolve_code(raw, codebook, active, known)
            if code is None:
                problems.append(
                    Problem(
                        here,
                        str(why),
                        "choose a code from the dropdown "
                        "(the Codeboek sheet lists the current codes)",
                    )
                )
                continue
            written = raw.strip().lower() if raw.strip().lower() in known else raw.strip()
            if code != written:
                pending_maps.append(CodeMapping(r, seg_id, written, code))
            if code not in [c for _, c in codes]:
                codes.append((written, code))
        content.segments.append(seg_id)
        if memo:
            content.memos[seg_id] = memo
        if not codes:
            content.empty_rows.append(r)
        suggested = set(meta.suggested.get(seg_id, ()))
        for written, code in codes:
            content.codings.append(
                Coding(
                    segment_id=seg_id,
                    code_id=code,
                    coder=meta.coder,
                    timestamp=stamp,
                    source=CodingSource.suggested
                    if written in suggested or code in suggested
                    else CodingSource.manual,
                    codebook_version=meta.codebook_version,
                    memo=memo,
                    transcript_id=segments[seg_id].transcript_id,
                )
            )
        if proposal:
            content.proposals.append(
                CodeProposal(
                    coder=meta.coder,
                    segment_id=seg_id,
                    proposal=proposal,
                    memo=memo,
                    sheet=path.name,
                    row=r,
                    codebook_version=meta.codebook_version,
                    round_id=meta.round_id,
                )
            )
        elif memo and not codes:
            content.notes.append(
                f"row {r} ({seg_id}): memo without a code — kept with the "
                "round, not stored as a coding"
            )
    if pending_maps and not map_codes:
        for m in pending_maps:
            problems.append(
                Problem(
                    f"{where} row {m.row} (segment {m.segment_id})",
                    f"code {m.old!r} was renamed or merged into {m.new!r} since codebook version "
                    f"{meta.codebook_version} (now {codebook.version})",
                    "re-run with --map-codes to import it as the current code",
                )
            )
    if problems:
        raise ValidationError(
            problems,
            summary=f"{path.name}: {len(problems)} problem(s); nothing of this sheet was imported",
        )
    content.mapped = pending_maps
    if version_differs:
        content.notes.insert(
            0,
            f"sheet made with codebook version {meta.codebook_version}, "
            f"the codebook is now {codebook.version}",
        )
    deleted = sorted(set(meta.text_hashes) - set(first_row))
    if deleted:
        content.notes.append(
            f"{len(deleted)} segment(s) of the sheet have no row any more and "
            f"were not imported: {', '.join(deleted[:10])}"
        )
    return content


def store_sheet(
    store: CodedStore, content: SheetContent, *, note: str = "", replace: bool = True
) -> StoreResult:
    """Store a checked sheet's codings in the coded store (appending events).

    With ``replace`` (the default) the sheet is the coder's truth for its segments: codings
    of the coder on those segments (whole-segment codings only) that are no longer on the
    sheet are withdrawn, and codings whose memo changed are replaced. History keeps
    everything. Without ``replace`` codings are only added.
    """
    coder = content.meta.coder
    note = note or f"sheet {content.path.name}"
    on_sheet = set(content.segments)
    current = {
        (c.segment_id, c.code_id): c
        for c in store.codings(coder)
        if c.segment_id in on_sheet and c.start is None and c.end is None
    }
    new = {(c.segment_id, c.code_id): c for c in content.codings}
    changed = [k for k in new if k in current and current[k].memo != new[k].memo]
    removals = [current[k] for k in changed]
    if replace:
        removals += [c for k, c in current.items() if k not in new]
    additions = [c for k, c in new.items() if k not in current or k in changed]
    removed = store.remove(removals, who=coder, note=note) if removals else 0
    added = store.add(additions, who=coder, note=note) if additions else 0
    return StoreResult(added=added, removed=removed, unchanged=len(new) - len(additions))
