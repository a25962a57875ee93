"""Cut transcripts into coding units (segments) with stable ids.

Units: a speaker turn (default), a paragraph of a turn, or a sentence. Only respondent
(and interpreter) turns by default. Ids are positional and therefore stable across re-runs
of unchanged input: ``<transcript>-t007`` (turn 7), ``<transcript>-t007-p2`` (its second
paragraph), ``<transcript>-t007-s3`` (its third sentence).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from verhalen.records import Segment, SegmentUnit, Transcript, Turn

_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! ? or … (possibly repeated, possibly followed by a closing quote or
# bracket) followed by whitespace and a capital or digit (so a hesitation "eh... (lacht)"
# does not end a sentence); abbreviations common in Dutch speech are not ends.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[\"'‘“]?[A-ZÀ-Ý0-9])")
_ABBREVIATIONS = ("bijv.", "bv.", "o.a.", "d.w.z.", "enz.", "mevr.", "dhr.", "ca.", "nl.", "m.n.")


def _spans(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    start = 0
    for m in pattern.finditer(text):
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def _sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        candidate = text[start : m.start()]
        if candidate.lower().endswith(_ABBREVIATIONS) or len(candidate.strip()) < 3:
            continue
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def segment_turn(
    transcript: Transcript, turn: Turn, unit: SegmentUnit, participant_id: str | None
) -> list[Segment]:
    """Segments of one turn; offsets are into ``transcript.text``."""
    base = f"{transcript.id}-t{turn.index:03d}"
    if unit == SegmentUnit.turn:
        pieces = [(0, len(turn.text))]
    elif unit == SegmentUnit.paragraph:
        pieces = list(_spans(turn.text, _PARAGRAPH_RE))
    else:
        pieces = [
            span
            for para in _spans(turn.text, _PARAGRAPH_RE)
            for span in (
                (para[0] + a, para[0] + b) for a, b in _sentence_spans(turn.text[para[0] : para[1]])
            )
        ]
    segments: list[Segment] = []
    suffix = {"paragraph": "p", "sentence": "s"}.get(unit.value, "")
    n = 0
    for a, b in pieces:
        a, b = _trimmed(turn.text, a, b)
        if b <= a:
            continue
        n += 1
        start, end = turn.start + a, turn.start + b
        segments.append(
            Segment(
                id=base if unit == SegmentUnit.turn else f"{base}-{suffix}{n}",
                transcript_id=transcript.id,
                participant_id=participant_id,
                turn_index=turn.index,
                unit=unit,
                start=start,
                end=end,
                text=transcript.text[start:end],
                speaker=turn.speaker,
                is_interviewer=turn.is_interviewer,
            )
        )
    return segments


def segment_transcript(
    transcript: Transcript,
    unit: SegmentUnit = SegmentUnit.turn,
    respondent_only: bool = True,
    min_chars: int = 1,
) -> list[Segment]:
    """All coding units of a transcript, in text order."""
    out: list[Segment] = []
    for turn in transcript.turns:
        if respondent_only and turn.is_interviewer:
            continue
        for seg in segment_turn(transcript, turn, unit, transcript.participant):
            if len(seg.text) >= min_chars:
                out.append(seg)
    return out
