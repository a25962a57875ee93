"""The ingested corpus: participants, transcripts and segments, plus DataFrame views.

Stored as one JSON-lines file (``data/corpus.jsonl``): a header line with the participants
and the segmentation settings, then one transcript per line. It is written atomically, so
an interrupted ingest leaves the previous corpus intact, and it can be streamed line by
line (:func:`iter_transcripts`) when a corpus is too large to hold at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
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
            self._segments = [
                seg
                for t in self.transcripts
                for seg in segment_transcript(t, self.unit, self.respondent_only, self.min_chars)
            ]
        return self._segments

    def transcript(self, transcript_id: str) -> Transcript:
        for t in self.transcripts:
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
        rows = []
        for t in self.transcripts:
            p = self.participant_of(t)
            rows.append(
                {
                    "transcript_id": t.id,
                    "participant_id": t.participant,
                    "role": p.role if p else None,
                    "practice": p.practice if p else None,
                    "date": t.date,
                    "source_file": t.source_file,
                    "source_format": t.source_format,
                    "encoding": t.encoding,
                    "n_turns": len(t.turns),
                    "n_words": len(t.text.split()),
                }
            )
        return pd.DataFrame(rows)

    def segments_df(self) -> pd.DataFrame:
        """One row per coding unit, with role and practice joined in."""
        roles = {p.id: (p.role, p.practice) for p in self.participants.values()}
        rows = [
            {
                "segment_id": s.id,
                "transcript_id": s.transcript_id,
                "participant_id": s.participant_id,
                "role": roles.get(s.participant_id or "", (None, None))[0],
                "practice": roles.get(s.participant_id or "", (None, None))[1],
                "turn_index": s.turn_index,
                "start": s.start,
                "end": s.end,
                "speaker": s.speaker,
                "text": s.text,
            }
            for s in self.segments
        ]
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ storage

    def save(self, path: str | Path) -> None:
        """Write the corpus as JSON lines, atomically."""
        header = {
            "format": "verhalen-corpus",
            "version": FORMAT_VERSION,
            "unit": self.unit.value,
            "respondent_only": self.respondent_only,
            "min_chars": self.min_chars,
            "participants": [p.model_dump(mode="json") for p in self.participants.values()],
        }
        with atomic_open(path, "w") as fh:
            fh.write(json.dumps(header, ensure_ascii=False, sort_keys=True) + "\n")
            for t in self.transcripts:
                fh.write(t.model_dump_json() + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Corpus:
        """Read a corpus written by :meth:`save`."""
        header, transcripts = _open(path)
        return cls(
            participants={p["id"]: Participant.model_validate(p) for p in header["participants"]},
            transcripts=list(transcripts),
            unit=SegmentUnit(header["unit"]),
            respondent_only=header["respondent_only"],
            min_chars=header.get("min_chars", 1),
        )


def _open(path: str | Path) -> tuple[dict[str, Any], Iterator[Transcript]]:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{path}: no ingested corpus — run `verhalen ingest data/raw` first")
    fh = path.open(encoding="utf-8")
    first = fh.readline()
    try:
        header = json.loads(first)
    except json.JSONDecodeError as exc:
        fh.close()
        raise VerhalenError(
            f"{path}:1: corrupt corpus header ({exc}) — re-run `verhalen ingest`"
        ) from exc
    if header.get("format") != "verhalen-corpus":
        fh.close()
        raise VerhalenError(f"{path}:1: not a verhalen corpus file — re-run `verhalen ingest`")

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
