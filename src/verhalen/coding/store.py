"""The coded store: ``data/coded/<coder>.jsonl``, an append-only history per coder.

Each line is one event (``add`` or ``remove`` a coding) with who made it, when, with which
codebook version and from which source (manual / suggested / imported). The current coding
of a coder is the replay of its events. Files are rewritten atomically, never edited in
place, so an interrupted write leaves the previous history intact. JSON lines with sorted
keys keep the files human-readable and diffable in git.

Codings keep the code id they were made with; merges and renames in the codebook are
applied when reading (:meth:`CodedStore.codings` with a codebook), so history is never lost.

Reading is built for large stores (hundreds of thousands of events per coder): each line is
checked against a strict schema of the canonical line in compiled code, without building a
model object per event; the replay is done on columns (numpy/pandas), and
:meth:`CodedStore.dataframe` builds its columns straight from them. Only a line that does
not pass the strict check is validated again as a :class:`CodingEvent`, so non-canonical but
valid lines are still read, and every invalid line is reported with its file, line and field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any, Literal, NotRequired

import numpy as np
import pandas as pd
from pydantic import ConfigDict, TypeAdapter, with_config
from pydantic import ValidationError as PydanticValidationError
from typing_extensions import TypedDict

from verhalen.errors import Problem, ValidationError, VerhalenError, location
from verhalen.io import atomic_write_bytes
from verhalen.records import Codebook, Coding, CodingSource, Record

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


# --------------------------------------------------------------------------- fast reading

# The strict shape of a line as :meth:`CodedStore._append` writes it. Timestamps stay
# strings here; each distinct string is parsed once, as pydantic parses it in a
# CodingEvent. A line that does not fit is validated again as a CodingEvent (lax), so this
# schema only decides which lines take the fast path, never whether a line is valid.
_STRICT = ConfigDict(extra="forbid", strict=True, cache_strings="all")


@with_config(_STRICT)
class _CodingLine(TypedDict):
    segment_id: str
    code_id: str
    coder: str
    timestamp: str
    source: NotRequired[CodingSource]
    codebook_version: NotRequired[str]
    memo: NotRequired[str]
    transcript_id: NotRequired[str | None]
    start: NotRequired[int | None]
    end: NotRequired[int | None]


@with_config(_STRICT)
class _EventLine(TypedDict):
    op: Literal["add", "remove"]
    coding: _CodingLine
    who: str
    when: str
    note: NotRequired[str]


_EVENT_LINE: TypeAdapter[_EventLine] = TypeAdapter(_EventLine)
_VALIDATE_LINE = _EVENT_LINE.validator.validate_json
_DATETIME: TypeAdapter[dt.datetime] = TypeAdapter(dt.datetime)

FIELDS: tuple[str, ...] = tuple(Coding.model_fields)
"""Columns of :meth:`CodedStore.dataframe` (before ``factor_id``), in :class:`Coding` order."""
_VALUE_FIELDS = tuple(name for name in FIELDS if name != "timestamp")
_DEFAULTS: dict[str, Any] = {
    name: info.default for name, info in Coding.model_fields.items() if not info.is_required()
}
_ALL_SET = frozenset(FIELDS)
_CHUNK_BYTES = 4_000_000  # read and validated per batch: bounds the memory of per-line dicts
_MAX_BAD_LINES = 100  # corrupt lines listed per file; the rest are counted
_FIX = "restore the line from git, or remove it"


class _Moments:
    """Every distinct timestamp of a read, parsed once and shared by the rows that use it.

    Strings are keyed by themselves. A datetime from a line that needed full validation is
    keyed by a fresh token, so it is never merged with an equal instant in another time zone.
    """

    def __init__(self) -> None:
        self.index: dict[object, int] = {}
        self.values: list[dt.datetime] = []
        self.bad: set[str] = set()

    def learn(self, strings: Iterable[str]) -> set[str]:
        """Parse the strings not seen before; returns the ones that are not timestamps."""
        found: set[str] = set()
        for s in strings:
            if s in self.index:
                continue
            if s in self.bad:
                found.add(s)
                continue
            try:
                moment = _DATETIME.validate_json(json.dumps(s))
            except PydanticValidationError:
                self.bad.add(s)
                found.add(s)
                continue
            self.index[s] = len(self.values)
            self.values.append(moment)
        return found

    def token(self, moment: dt.datetime) -> object:
        key = object()
        self.index[key] = len(self.values)
        self.values.append(moment)
        return key


@dataclass
class _Rows:
    """Every event of the files read, as columns in file and line order."""

    paths: list[Path]
    file: np.ndarray  # index into paths
    add: np.ndarray  # bool: add (True) or remove (False)
    when: np.ndarray  # index into moments
    timestamp: np.ndarray  # index into moments (the coding's timestamp)
    values: dict[str, np.ndarray]  # the other Coding fields, object arrays
    moments: list[dt.datetime]
    fields_set: dict[int, set[str]]  # rows whose line left out fields with defaults
    _codes: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.add)

    def codes(self, name: str) -> np.ndarray:
        """Integer codes of a value column (equal values, equal codes; ``None`` is -1)."""
        if name not in self._codes:
            self._codes[name] = _factorize(self.values[name])[0]
        return self._codes[name]


_GET_CODING = itemgetter("coding")
_GET_OP = itemgetter("op")
_GET_WHEN = itemgetter("when")
_GET_TIMESTAMP = itemgetter("timestamp")
_GET_START = methodcaller("get", "start")
_GET_END = methodcaller("get", "end")
_GET_VALUES = {name: itemgetter(name) for name in _VALUE_FIELDS}


@dataclass
class _FileReader:
    """Columns of one file, filled chunk by chunk (lists of shared objects)."""

    path: Path
    moments: _Moments
    add: list[bool] = field(default_factory=list)
    when: list[object] = field(default_factory=list)
    timestamp: list[object] = field(default_factory=list)
    values: dict[str, list[Any]] = field(default_factory=lambda: {n: [] for n in _VALUE_FIELDS})
    fields_set: dict[int, set[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    bad_lines: int = 0

    def read(self) -> None:
        n = 1
        with self.path.open("rb") as fh:
            while chunk := fh.readlines(_CHUNK_BYTES):
                self._chunk(n, chunk)
                n += len(chunk)
        hidden = self.bad_lines - _MAX_BAD_LINES
        if hidden > 0:
            self.problems.append(
                Problem(str(self.path), f"and {hidden} more corrupt line(s) not listed", _FIX)
            )

    def _chunk(self, first: int, chunk: list[bytes]) -> None:
        """Lines ``first``, ``first + 1``, …: the fast path, else line by line."""
        if all(map(bytes.strip, chunk)):
            try:
                events: list[Any] = list(map(_VALIDATE_LINE, chunk))
            except PydanticValidationError:
                pass
            else:
                if self._extend_checked(events):
                    return
        self._chunk_by_line([(first + i, line) for i, line in enumerate(chunk) if line.strip()])

    def _extend_checked(self, events: list[_EventLine]) -> bool:
        """Add strictly valid lines if all are valid CodingEvents (timestamps, spans)."""
        codings = list(map(_GET_CODING, events))
        when = list(map(_GET_WHEN, events))
        timestamps = list(map(_GET_TIMESTAMP, codings))
        if self.moments.learn(set(when).union(timestamps)):
            return False  # a string that is no timestamp: line by line, for the messages
        starts, ends = list(map(_GET_START, codings)), list(map(_GET_END, codings))
        n = len(events)
        if (starts.count(None) != n or ends.count(None) != n) and not all(
            map(_span_ok, starts, ends)
        ):
            return False
        offset = len(self.add)
        self.add.extend(map("add".__eq__, map(_GET_OP, events)))
        self.when.extend(when)
        self.timestamp.extend(timestamps)
        if set(map(len, codings)) == {len(FIELDS)}:
            for name, get in _GET_VALUES.items():
                self.values[name].extend(map(get, codings))
            return True
        for name in _VALUE_FIELDS:
            if name in _DEFAULTS:
                default = _DEFAULTS[name]
                self.values[name].extend([c.get(name, default) for c in codings])
            else:
                self.values[name].extend([c[name] for c in codings])
        for i, c in enumerate(codings):
            if len(c) != len(FIELDS):
                self.fields_set[offset + i] = set(c)
        return True

    def _chunk_by_line(self, lines: list[tuple[int, bytes]]) -> None:
        """Each line strictly, else as a CodingEvent, collecting every problem."""
        for n, line in lines:
            try:
                event = _VALIDATE_LINE(line)
            except PydanticValidationError:
                self._full(n, line)
                continue
            if not self._extend_checked([event]):
                self._full(n, line)

    def _full(self, n: int, line: bytes) -> None:
        """Validate a line as a :class:`CodingEvent`: add its values, or its problems."""
        if not line.decode("utf-8", errors="replace").strip():
            return  # a line of (non-ASCII) white space only
        try:
            event = CodingEvent.model_validate_json(line)
        except PydanticValidationError as exc:
            self.bad_lines += 1
            if self.bad_lines <= _MAX_BAD_LINES:
                self.problems.extend(_problems(self.path, n, exc))
            return
        coding = event.coding
        if coding.model_fields_set != _ALL_SET:
            self.fields_set[len(self.add)] = set(coding.model_fields_set)
        self.add.append(event.op == "add")
        self.when.append(self.moments.token(event.when))
        self.timestamp.append(self.moments.token(coding.timestamp))
        for name in _VALUE_FIELDS:
            self.values[name].append(getattr(coding, name))

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """``add``, ``when``, ``timestamp`` and the value columns as arrays."""
        index = self.moments.index
        n = len(self.add)
        add = np.fromiter(self.add, dtype=bool, count=n)
        when = np.fromiter(map(index.__getitem__, self.when), dtype=np.int64, count=n)
        timestamp = np.fromiter(map(index.__getitem__, self.timestamp), dtype=np.int64, count=n)
        self.add, self.when, self.timestamp = [], [], []
        values = {}
        for name in _VALUE_FIELDS:  # one list at a time, to keep the peak low
            values[name] = _object_array(self.values[name])
            self.values[name] = []
        return add, when, timestamp, values


def _span_ok(start: int | None, end: int | None) -> bool:
    """The span rule of :class:`Coding`: both or neither, and not ending before it starts."""
    if start is None or end is None:
        return start is None and end is None
    return end >= start


def _problems(path: Path, n: int, exc: PydanticValidationError) -> list[Problem]:
    """One problem per error in a line, each naming the file, line and field."""
    out = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(part) for part in err["loc"])
        what = f"not a valid coding event: {err['msg']}"
        received = err.get("input")
        if err["type"] != "missing" and isinstance(received, str | int | float | bool):
            shown = repr(received)
            what += f" (got {shown[:60]}{'…' if len(shown) > 60 else ''})"
        out.append(Problem(location(path, n, where or None), what, _FIX))
    return out


def _object_array(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Codes and distinct values in order of appearance; ``None`` gets code -1."""
    if not len(values):
        return np.zeros(0, dtype=np.int64), []
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64, copy=False), list(uniques)


def _combine(columns: list[np.ndarray], n: int) -> np.ndarray:
    """One group id per row for the tuple of integer code columns (codes may be -1)."""
    group = np.zeros(n, dtype=np.int64)
    for column in columns:
        shifted = column.astype(np.int64) + 1
        size = int(shifted.max()) + 1 if n else 1
        group = pd.factorize(group * size + shifted)[0].astype(np.int64, copy=False)
    return group


def _read(paths: list[Path]) -> _Rows:
    """Read coder files into columns; every problem of every file raised at once."""
    moments = _Moments()
    readers = []
    with _gc_paused():
        for path in paths:
            reader = _FileReader(path, moments)
            if path.is_file():
                reader.read()
            readers.append(reader)
    problems = [p for r in readers for p in r.problems]
    if problems:
        bad = [r.path for r in readers if r.problems]
        summary = (
            f"{bad[0]}: corrupt coded store"
            if len(bad) == 1
            else f"{len(bad)} coder files in {bad[0].parent}: corrupt coded store"
        )
        raise ValidationError(problems, summary=summary)
    fields_set: dict[int, set[str]] = {}
    offset = 0
    for r in readers:
        fields_set.update({offset + i: s for i, s in r.fields_set.items()})
        offset += len(r.add)
    parts = [r.rows() for r in readers]
    del readers
    return _Rows(
        paths=paths,
        file=np.repeat(np.arange(len(parts)), [len(p[0]) for p in parts]),
        add=np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=bool),
        when=np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int64),
        timestamp=np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=np.int64),
        values={
            name: np.concatenate([p[3][name] for p in parts])
            if parts
            else np.empty(0, dtype=object)
            for name in _VALUE_FIELDS
        },
        moments=moments.values,
        fields_set=fields_set,
    )


def _replay(rows: _Rows, as_of: dt.datetime | None) -> np.ndarray:
    """Rows of the current codings (per file, in the order a dict replay would keep them).

    Per file and key (coder, segment, code, start, end) the last event up to ``as_of``
    decides: an add keeps that event's coding, a remove drops it. A coding that stays keeps
    the place of the first add after its last remove (a dict keeps the first insertion).
    """
    idx = np.arange(len(rows), dtype=np.int64)
    if as_of is not None and len(idx):
        cut = _aware(as_of)
        late = np.fromiter((_aware(m) > cut for m in rows.moments), bool, len(rows.moments))
        idx = idx[~late[rows.when]]
    if not len(idx):
        return idx
    key = _combine(
        [rows.file[idx]]
        + [rows.codes(name)[idx] for name in ("coder", "segment_id", "code_id", "start", "end")],
        len(idx),
    )
    order = np.argsort(key, kind="stable")  # by key, then file order
    key, idx = key[order], idx[order]
    add = rows.add[idx]
    m = len(idx)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    lasts = np.r_[starts[1:], m] - 1
    last_remove = np.maximum.reduceat(np.where(add, -1, np.arange(m)), starts)
    firsts = np.where(last_remove >= starts, last_remove + 1, starts)
    alive = add[lasts]
    value_rows, places = idx[lasts[alive]], idx[firsts[alive]]
    return value_rows[np.argsort(places, kind="stable")]


def _resolved(
    rows: _Rows, selected: np.ndarray, codebook: Codebook | None
) -> tuple[np.ndarray, np.ndarray]:
    """Merged/renamed codes resolved, and codings a merge made identical dropped.

    Returns the rows kept (in order) and their resolved code ids (object array).
    """
    code_ids = rows.values["code_id"][selected]
    if codebook is not None and len(code_ids):
        codes, uniques = _factorize(code_ids)
        resolved = _object_array([codebook.resolve(c) for c in uniques])
        code_ids = resolved[codes]
    if not len(selected):
        return selected, code_ids
    key = _combine(
        [
            rows.codes("coder")[selected],
            rows.codes("segment_id")[selected],
            _factorize(code_ids)[0],
            rows.codes("start")[selected],
            rows.codes("end")[selected],
        ],
        len(selected),
    )
    first = ~pd.Series(key).duplicated(keep="first").to_numpy()
    return selected[first], code_ids[first]


def _restricted(
    rows: _Rows,
    selected: np.ndarray,
    code_ids: np.ndarray,
    segments: Collection[str] | None,
    transcripts: Collection[str] | None,
) -> tuple[np.ndarray, np.ndarray]:
    if segments is None and transcripts is None:
        return selected, code_ids
    keep = np.zeros(len(selected), dtype=bool)
    if segments is not None:
        keep |= pd.Series(rows.values["segment_id"][selected]).isin(list(segments)).to_numpy()
    if transcripts is not None:
        wanted = list(transcripts)
        keep |= pd.Series(rows.values["transcript_id"][selected]).isin(wanted).to_numpy()
    return selected[keep], code_ids[keep]


def _build_codings(
    columns: list[list[Any]], rows: list[int], partial: dict[int, set[str]]
) -> list[Coding]:
    """:class:`Coding` records from validated columns (in :data:`FIELDS` order).

    Made as ``model_construct`` makes them, without its per-field checks in Python (three
    times slower): the values come from validated lines. Every record shares one complete
    fields set (assignments only add names it has); a record whose line left out fields
    gets its own. Falls back to ``model_construct`` if the model gains private attributes
    or a post-init hook.
    """
    shared = set(FIELDS)
    records = zip(rows, zip(*columns, strict=True), strict=True)
    if Coding.__pydantic_post_init__ or Coding.__private_attributes__:  # pragma: no cover
        return [
            Coding.model_construct(
                set(partial[r]) if r in partial else shared, **dict(zip(FIELDS, v, strict=True))
            )
            for r, v in records
        ]
    new, set_attribute = Coding.__new__, object.__setattr__
    out: list[Coding] = []
    append = out.append
    for r, values in records:
        coding = new(Coding)
        set_attribute(coding, "__dict__", dict(zip(FIELDS, values, strict=True)))
        set_attribute(
            coding, "__pydantic_fields_set__", set(partial[r]) if r in partial else shared
        )
        set_attribute(coding, "__pydantic_extra__", None)
        set_attribute(coding, "__pydantic_private__", None)
        append(coding)
    return out


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many acyclic objects are made.

    Reading a large store makes millions of dicts, strings and records without reference
    cycles; the collector would scan them over and over (a fifth of the read, half of
    building the records). It is switched back on afterwards, also after an error.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _column(name: str, codes: np.ndarray, uniques: list[Any]) -> Any:
    """A frame column with the dtype pandas gives these values in ``DataFrame(records)``.

    The dtype is inferred from the distinct values only, with the same constructor the
    record-by-record frame used, and the column is then taken from them by code.
    """
    if (codes < 0).any():
        codes = np.where(codes < 0, len(uniques), codes)
        uniques = [*uniques, None]
    proto = pd.DataFrame([{name: u} for u in uniques], columns=[name])[name]
    return proto.array.take(codes)


# --------------------------------------------------------------------------- the store


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
        """Every event of a coder, oldest first; corrupt lines are reported all at once.

        Raises
        ------
        ValidationError
            Naming the file, line and field of every corrupt line.
        """
        path = self.path(coder)
        if not path.is_file():
            return []
        events: list[CodingEvent] = []
        problems: list[Problem] = []
        bad = 0
        with path.open("rb") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.decode("utf-8", errors="replace").strip():
                    continue
                try:
                    events.append(CodingEvent.model_validate_json(line))
                except PydanticValidationError as exc:
                    bad += 1
                    if bad <= _MAX_BAD_LINES:
                        problems.extend(_problems(path, n, exc))
        if bad > _MAX_BAD_LINES:
            hidden = bad - _MAX_BAD_LINES
            problems.append(
                Problem(str(path), f"and {hidden} more corrupt line(s) not listed", _FIX)
            )
        if problems:
            raise ValidationError(problems, summary=f"{path}: corrupt coded store")
        return events

    def _rows(self, coder: str | None) -> _Rows:
        coders = [coder] if coder else self.coders()
        return _read([self.path(name) for name in coders])

    def _current(
        self,
        coder: str | None,
        codebook: Codebook | None,
        as_of: dt.datetime | None,
        segments: Collection[str] | None = None,
        transcripts: Collection[str] | None = None,
    ) -> tuple[_Rows, np.ndarray, np.ndarray]:
        rows = self._rows(coder)
        selected, code_ids = _resolved(rows, _replay(rows, as_of), codebook)
        selected, code_ids = _restricted(rows, selected, code_ids, segments, transcripts)
        return rows, selected, code_ids

    def codings(
        self,
        coder: str | None = None,
        codebook: Codebook | None = None,
        as_of: dt.datetime | None = None,
        *,
        segments: Collection[str] | None = None,
        transcripts: Collection[str] | None = None,
    ) -> list[Coding]:
        """Current codings (of one coder, or all), with merged codes resolved via ``codebook``.

        Parameters
        ----------
        coder
            One coder, or every coder with a history file (in name order).
        codebook
            Follow merges and renames to the code that now carries a coding; codings that a
            merge made identical are kept once.
        as_of
            The state at that moment: only events up to and including it count (e.g. what
            coders had decided at the time of a calibration session). Naive times are UTC.
        segments, transcripts
            Only the codings on these segments or (by their ``transcript_id``) in these
            transcripts; the same records as filtering the full result, without building
            the others.

        Returns
        -------
        list of Coding
            Per coder file, in the order the codings were (last) added.

        Raises
        ------
        ValidationError
            Every corrupt line of every coder file read, with file, line and field.
        """
        rows, selected, code_ids = self._current(coder, codebook, as_of, segments, transcripts)
        columns: list[list[Any]] = []
        for name in FIELDS:
            if name == "timestamp":
                moments = rows.moments
                columns.append([moments[i] for i in rows.timestamp[selected].tolist()])
            elif name == "code_id":
                columns.append(code_ids.tolist())
            else:
                columns.append(rows.values[name][selected].tolist())
        with _gc_paused():
            return _build_codings(columns, selected.tolist(), rows.fields_set)

    def dataframe(
        self,
        codebook: Codebook | None = None,
        *,
        coder: str | None = None,
        as_of: dt.datetime | None = None,
    ) -> pd.DataFrame:
        """Current codings as a DataFrame (one row per coding, as :meth:`codings`).

        Columns are the :class:`Coding` fields plus, with a codebook, ``factor_id``; the
        dtypes are those of ``pd.DataFrame([c.model_dump() for c in codings])``. Built from
        columns: no :class:`Coding` object per row, and each distinct string is held once.

        Parameters
        ----------
        codebook
            Resolve merged/renamed codes and add the ``factor_id`` of each code.
        coder
            One coder instead of all.
        as_of
            The state at that moment (see :meth:`codings`).

        Raises
        ------
        ValidationError
            Every corrupt line of every coder file read, with file, line and field.
        """
        rows, selected, code_ids = self._current(coder, codebook, as_of)
        if not len(selected):
            return pd.DataFrame([], columns=list(FIELDS))
        data: dict[str, Any] = {}
        for name in FIELDS:
            if name == "timestamp":
                codes, ids = _factorize(rows.timestamp[selected])
                data[name] = _column(name, codes, [rows.moments[i] for i in ids])
            elif name == "code_id":
                codes, uniques = _factorize(code_ids)
                data[name] = _column(name, codes, uniques)
            else:
                codes, uniques = _factorize(rows.values[name][selected])
                data[name] = _column(name, codes, uniques)
        if codebook is not None:
            codes, uniques = _factorize(code_ids)
            data["factor_id"] = _column(
                "factor_id", codes, [codebook.factor_of(c) for c in uniques]
            )
        return pd.DataFrame(data, copy=False)

    def _append(self, coder: str, events: list[CodingEvent]) -> None:
        path = self.path(coder)
        old = path.read_bytes() if path.is_file() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        new = "".join(
            json.dumps(e.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) + "\n"
            for e in events
        )
        atomic_write_bytes(path, old + new.encode("utf-8"))

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
            rows, selected, _ = self._current(coder, None, None)
            keys = [rows.values[n][selected].tolist() for n in ("segment_id", "code_id")]
            spans = [rows.values[n][selected].tolist() for n in ("start", "end")]
            current = set(zip(*keys, *spans, strict=True))
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
