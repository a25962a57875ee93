"""The ingested corpus: participants, transcripts and segments, plus DataFrame views.

Stored as one JSON-lines file (``data/corpus.jsonl``): a header line with the participants
and the segmentation settings, then one transcript per line. It is written atomically, so
an interrupted ingest leaves the previous corpus intact, and it can be streamed line by
line (:func:`iter_transcripts`) when a corpus is too large to hold at once.

:meth:`Corpus.open` (and ``Project.ingest(stream=True)``) gives a :class:`CorpusFile`: the
same API, but backed by the file. Its participants are in memory; transcripts are read one
at a time for :meth:`~Corpus.iter_transcripts`, :meth:`~Corpus.iter_segments`,
:meth:`~Corpus.segments_df` and :meth:`~Corpus.transcripts_df`, and only loaded all at once
when :attr:`~Corpus.transcripts` is used. On 5,000 interviews of 6,000 words the loaded
corpus takes about 3 GB; the segments DataFrame about a tenth of that.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from verhalen.errors import NotFoundError, VerhalenError
from verhalen.io import atomic_open
from verhalen.records import Participant, Segment, SegmentUnit, Transcript
from verhalen.segmentation import segment_transcript

FORMAT_VERSION = 1


@dataclass
class Corpus:
    """Participants, transcripts and their coding units."""

    participants: dict[str, Participant] = field(default_factory=dict)
    transcripts: list[Transcript] = field(default_factory=list)
    unit: SegmentUnit = SegmentUnit.turn
    respondent_only: bool = True
    min_chars: int = 1
    _segments: list[Segment] | None = field(default=None, repr=False)

    @property
    def segments(self) -> list[Segment]:
        """Coding units of every transcript (computed once, in corpus order)."""
        if self._segments is None:
            self._segments = list(self.iter_segments())
        return self._segments

    def iter_transcripts(self) -> Iterator[Transcript]:
        """Transcripts one by one, in corpus order (streamed from the file by a
        :class:`CorpusFile`)."""
        yield from self.transcripts

    def segments_of(self, transcript: Transcript) -> list[Segment]:
        """The coding units of one transcript, with this corpus's segmentation settings."""
        return segment_transcript(transcript, self.unit, self.respondent_only, self.min_chars)

    def iter_segments(self) -> Iterator[Segment]:
        """Coding units in corpus order, without keeping them (unless already computed)."""
        if self._segments is not None:
            yield from self._segments
            return
        for t in self.iter_transcripts():
            yield from self.segments_of(t)

    def transcript(self, transcript_id: str) -> Transcript:
        for t in self.iter_transcripts():
            if t.id == transcript_id:
                return t
        raise NotFoundError(f"no transcript {transcript_id!r} in the corpus")

    def segment_index(self) -> dict[str, Segment]:
        return {s.id: s for s in self.segments}

    def participant_of(self, transcript: Transcript) -> Participant | None:
        pid = transcript.participant
        return self.participants.get(pid) if pid else None

    # ------------------------------------------------------------------ DataFrames

    def participants_df(self) -> pd.DataFrame:
        """One row per participant: id, role, practice and every attribute (no names)."""
        rows = [
            {"participant_id": p.id, "role": p.role, "practice": p.practice, **p.attributes}
            for p in self.participants.values()
        ]
        return pd.DataFrame(rows, columns=None if rows else ["participant_id", "role", "practice"])

    def transcripts_df(self) -> pd.DataFrame:
        """One row per transcript with its participant's role and practice and word count."""
        columns: dict[str, list[Any]] = {name: [] for name in _TRANSCRIPT_COLUMNS}
        for t in self.iter_transcripts():
            p = self.participant_of(t)
            for name, value in zip(
                _TRANSCRIPT_COLUMNS,
                (
                    t.id,
                    t.participant,
                    p.role if p else None,
                    p.practice if p else None,
                    t.date,
                    t.source_file,
                    t.source_format,
                    t.encoding,
                    len(t.turns),
                    len(t.text.split()),
                ),
                strict=True,
            ):
                columns[name].append(value)
        return _frame(columns)

    def segments_df(self) -> pd.DataFrame:
        """One row per coding unit, with role and practice joined in.

        Built column by column while the segments stream past (:meth:`iter_segments`), so
        a :class:`CorpusFile` never holds its transcripts or segments as objects.
        """
        return _segments_frame(self.participants, self._segments_for_df())

    def _segments_for_df(self) -> Iterable[Segment]:
        return self.segments

    # ------------------------------------------------------------------ storage

    def header(self) -> dict[str, Any]:
        """The first line of the corpus file: format, segmentation settings, participants."""
        return corpus_header(
            self.participants.values(), self.unit, self.respondent_only, self.min_chars
        )

    def save(self, path: str | Path) -> None:
        """Write the corpus as JSON lines, atomically."""
        with atomic_open(path, "w") as fh:
            fh.write(json.dumps(self.header(), ensure_ascii=False, sort_keys=True) + "\n")
            for t in self.iter_transcripts():
                fh.write(t.model_dump_json() + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Corpus:
        """Read a corpus written by :meth:`save`."""
        header, transcripts = _open(path)
        return cls(
            participants=_participants(header),
            transcripts=list(transcripts),
            unit=SegmentUnit(header["unit"]),
            respondent_only=header["respondent_only"],
            min_chars=header.get("min_chars", 1),
        )

    @staticmethod
    def open(path: str | Path) -> CorpusFile:
        """A corpus backed by its file: transcripts are streamed, not loaded (see
        :class:`CorpusFile`)."""
        return CorpusFile(path)


_TRANSCRIPT_COLUMNS = (
    "transcript_id",
    "participant_id",
    "role",
    "practice",
    "date",
    "source_file",
    "source_format",
    "encoding",
    "n_turns",
    "n_words",
)
_SEGMENT_COLUMNS = (
    "segment_id",
    "transcript_id",
    "participant_id",
    "role",
    "practice",
    "turn_index",
    "start",
    "end",
    "speaker",
    "text",
)


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """A DataFrame from columns; no rows gives an empty frame without columns (as before)."""
    if not next(iter(columns.values()), []):
        return pd.DataFrame([])
    return pd.DataFrame(columns)


def _segments_frame(
    participants: dict[str, Participant], segments: Iterable[Segment]
) -> pd.DataFrame:
    roles = {p.id: (p.role, p.practice) for p in participants.values()}
    columns: dict[str, list[Any]] = {name: [] for name in _SEGMENT_COLUMNS}
    (seg_id, tid, pid, role, practice, turn, start, end, speaker, text) = columns.values()
    for s in segments:
        who = roles.get(s.participant_id or "", (None, None))
        seg_id.append(s.id)
        tid.append(s.transcript_id)
        pid.append(s.participant_id)
        role.append(who[0])
        practice.append(who[1])
        turn.append(s.turn_index)
        start.append(s.start)
        end.append(s.end)
        speaker.append(s.speaker)
        text.append(s.text)
    return _frame(columns)


def corpus_header(
    participants: Iterable[Participant],
    unit: SegmentUnit,
    respondent_only: bool,
    min_chars: int,
) -> dict[str, Any]:
    """The header line of a corpus file (see :meth:`Corpus.save`)."""
    return {
        "format": "verhalen-corpus",
        "version": FORMAT_VERSION,
        "unit": SegmentUnit(unit).value,
        "respondent_only": respondent_only,
        "min_chars": min_chars,
        "participants": [p.model_dump(mode="json") for p in participants],
    }


def _participants(header: dict[str, Any]) -> dict[str, Participant]:
    return {p["id"]: Participant.model_validate(p) for p in header["participants"]}


class CorpusFile(Corpus):
    """A corpus backed by its JSON-lines file, for corpora too large to hold at once.

    Participants and settings are read from the header; transcripts are streamed from the
    file by :meth:`iter_transcripts`, :meth:`iter_segments`, :meth:`segments_df`,
    :meth:`transcripts_df` and :meth:`save`, and only loaded (and then kept) when
    :attr:`transcripts` is read. :attr:`segments` keeps the segments, not the transcripts.

    Raises
    ------
    VerhalenError
        When streaming, if the file was replaced after it was opened (open it again).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        header = _read_header(self.path)
        self._signature = _signature(self.path)
        self.participants = _participants(header)
        self.unit = SegmentUnit(header["unit"])
        self.respondent_only = header["respondent_only"]
        self.min_chars = header.get("min_chars", 1)
        self._segments = None
        self._loaded: list[Transcript] | None = None

    @property
    def transcripts(self) -> list[Transcript]:
        """Every transcript, loaded from the file on first use (then kept)."""
        if self._loaded is None:
            self._loaded = list(self._stream())
        return self._loaded

    @transcripts.setter
    def transcripts(self, value: list[Transcript]) -> None:
        self._loaded = list(value)
        self._segments = None

    def _stream(self) -> Iterator[Transcript]:
        if _signature(self.path) != self._signature:
            raise VerhalenError(
                f"{self.path}: the corpus file changed after it was opened — open it again "
                "(Corpus.open or project.corpus())"
            )
        _, rows = _open(self.path)
        yield from rows

    def iter_transcripts(self) -> Iterator[Transcript]:
        if self._loaded is not None:
            yield from self._loaded
        else:
            yield from self._stream()

    def _segments_for_df(self) -> Iterable[Segment]:
        return self.iter_segments()

    def __repr__(self) -> str:
        state = "loaded" if self._loaded is not None else "streamed"
        return (
            f"CorpusFile({str(self.path)!r}, {len(self.participants)} participants, "
            f"transcripts {state})"
        )


def _signature(path: Path) -> tuple[int, int, int]:
    stat = os.stat(path)
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _parse_header(first: str, path: Path) -> dict[str, Any]:
    try:
        header = json.loads(first)
    except json.JSONDecodeError as exc:
        raise VerhalenError(
            f"{path}:1: corrupt corpus header ({exc}) — re-run `verhalen ingest`"
        ) from exc
    if not isinstance(header, dict) or header.get("format") != "verhalen-corpus":
        raise VerhalenError(f"{path}:1: not a verhalen corpus file — re-run `verhalen ingest`")
    return header


def _read_header(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise NotFoundError(f"{path}: no ingested corpus — run `verhalen ingest data/raw` first")
    with path.open(encoding="utf-8") as fh:
        return _parse_header(fh.readline(), path)


def _open(path: str | Path) -> tuple[dict[str, Any], Iterator[Transcript]]:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{path}: no ingested corpus — run `verhalen ingest data/raw` first")
    fh = path.open(encoding="utf-8")
    try:
        header = _parse_header(fh.readline(), path)
    except VerhalenError:
        fh.close()
        raise

    def rows() -> Iterator[Transcript]:
        with fh:
            for line_no, line in enumerate(fh, start=2):
                if line.strip():
                    try:
                        yield Transcript.model_validate_json(line)
                    except ValueError as exc:
                        raise VerhalenError(
                            f"{path}:{line_no}: corrupt transcript record ({exc}) — "
                            "re-run `verhalen ingest`"
                        ) from exc

    return header, rows()


def iter_transcripts(path: str | Path) -> Iterator[Transcript]:
    """Stream transcripts one by one without loading the whole corpus."""
    _, transcripts = _open(path)
    yield from transcripts
