"""The coded store: ``data/coded/<coder>.jsonl``, an append-only history per coder.

Each line is one event (``add`` or ``remove`` a coding) with who made it, when, with which
codebook version and from which source (manual / suggested / imported). The current coding
of a coder is the replay of its events. Files are rewritten atomically, never edited in
place, so an interrupted write leaves the previous history intact. JSON lines with sorted
keys keep the files human-readable and diffable in git.

Codings keep the code id they were made with; merges and renames in the codebook are
applied when reading (:meth:`CodedStore.codings` with a codebook), so history is never lost.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import ValidationError as PydanticValidationError

from verhalen.errors import Problem, ValidationError, VerhalenError
from verhalen.io import atomic_write_text
from verhalen.records import Codebook, Coding, Record

CODER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class CodingEvent(Record):
    """One change to a coder's coding."""

    op: Literal["add", "remove"]
    coding: Coding
    who: str
    when: dt.datetime
    note: str = ""


def _aware(moment: dt.datetime) -> dt.datetime:
    """Naive timestamps are taken as UTC, so aware and naive ones compare."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _check_coder(coder: str) -> str:
    if not CODER_RE.match(coder):
        raise VerhalenError(
            f"coder name {coder!r} is not allowed — use letters, digits, '_', '-' or '.' "
            "(it becomes a file name in data/coded/)"
        )
    return coder


class CodedStore:
    """Read and append codings in a ``data/coded`` folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path(self, coder: str) -> Path:
        return self.folder / f"{_check_coder(coder)}.jsonl"

    def coders(self) -> list[str]:
        """Coders with a history file, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.jsonl") if not p.name.startswith("."))

    def history(self, coder: str) -> list[CodingEvent]:
        """Every event of a coder, oldest first; corrupt lines are reported all at once."""
        path = self.path(coder)
        if not path.is_file():
            return []
        events: list[CodingEvent] = []
        problems: list[Problem] = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                events.append(CodingEvent.model_validate_json(line))
            except PydanticValidationError as exc:
                problems.append(
                    Problem(
                        f"{path}:{n}",
                        f"not a valid coding event ({exc.errors()[0]['msg']})",
                        "restore the line from git, or remove it",
                    )
                )
        if problems:
            raise ValidationError(problems, summary=f"{path}: corrupt coded store")
        return events

    def codings(
        self,
        coder: str | None = None,
        codebook: Codebook | None = None,
        as_of: dt.datetime | None = None,
    ) -> list[Coding]:
        """Current codings (of one coder, or all), with merged codes resolved via ``codebook``.

        With ``as_of``, the state at that moment: only events up to and including it count
        (e.g. what coders had decided at the time of a calibration session).
        """
        coders = [coder] if coder else self.coders()
        out: list[Coding] = []
        for name in coders:
            state: dict[tuple[str, str, str, int | None, int | None], Coding] = {}
            for event in self.history(name):
                if as_of is not None and _aware(event.when) > _aware(as_of):
                    continue
                c = event.coding
                key = (c.coder, c.segment_id, c.code_id, c.start, c.end)
                if event.op == "add":
                    state[key] = c
                else:
                    state.pop(key, None)
            for c in state.values():
                if codebook is not None:
                    resolved = codebook.resolve(c.code_id)
                    if resolved != c.code_id:
                        c = c.model_copy(update={"code_id": resolved})
                out.append(c)
        # de-duplicate codings that a merge made identical
        seen: set[tuple[str, str, str, int | None, int | None]] = set()
        unique = []
        for c in out:
            key = (c.coder, c.segment_id, c.code_id, c.start, c.end)
            if key not in seen:
                seen.add(key)
                unique.append(c)
        return unique

    def _append(self, coder: str, events: list[CodingEvent]) -> None:
        path = self.path(coder)
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        if old and not old.endswith("\n"):
            old += "\n"
        new = "".join(
            json.dumps(e.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) + "\n"
            for e in events
        )
        atomic_write_text(path, old + new)

    def add(
        self,
        codings: Iterable[Coding],
        who: str | None = None,
        note: str = "",
        when: dt.datetime | None = None,
    ) -> int:
        """Record codings (skipping ones the coder already has); returns how many were new."""
        when = when or dt.datetime.now(dt.UTC).replace(microsecond=0)
        by_coder: dict[str, list[Coding]] = {}
        for c in codings:
            by_coder.setdefault(c.coder, []).append(c)
        added = 0
        for coder, items in by_coder.items():
            current = {(c.segment_id, c.code_id, c.start, c.end) for c in self.codings(coder)}
            events = []
            for c in items:
                key = (c.segment_id, c.code_id, c.start, c.end)
                if key in current:
                    continue
                current.add(key)
                events.append(
                    CodingEvent(op="add", coding=c, who=who or coder, when=when, note=note)
                )
            if events:
                self._append(coder, events)
                added += len(events)
        return added

    def remove(
        self, codings: Iterable[Coding], who: str, note: str = "", when: dt.datetime | None = None
    ) -> int:
        """Withdraw codings (history keeps them); returns how many were removed."""
        when = when or dt.datetime.now(dt.UTC).replace(microsecond=0)
        by_coder: dict[str, list[Coding]] = {}
        for c in codings:
            by_coder.setdefault(c.coder, []).append(c)
        removed = 0
        for coder, items in by_coder.items():
            current = {(c.segment_id, c.code_id, c.start, c.end): c for c in self.codings(coder)}
            events = [
                CodingEvent(op="remove", coding=current[k], who=who, when=when, note=note)
                for c in items
                if (k := (c.segment_id, c.code_id, c.start, c.end)) in current
            ]
            if events:
                self._append(coder, events)
                removed += len(events)
        return removed

    def dataframe(self, codebook: Codebook | None = None) -> pd.DataFrame:
        """Current codings of every coder as a DataFrame (one row per coding)."""
        rows = [c.model_dump() for c in self.codings(codebook=codebook)]
        columns = list(Coding.model_fields)
        frame = pd.DataFrame(rows, columns=columns)
        if codebook is not None and not frame.empty:
            frame["factor_id"] = [codebook.factor_of(c) for c in frame["code_id"]]
        return frame
