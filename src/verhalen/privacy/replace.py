"""Replacing detections in a text, and the offset map from original to pseudonymised text.

Coding made on the original text stays attached to the right words: the
:class:`OffsetMap` of a transcript records every replacement, and
:meth:`OffsetMap.map_span` moves a span ``[start, end)`` to the pseudonymised text. A span
that starts or ends inside a replaced identifier is widened to cover its whole
replacement, so a coded fragment never ends up with half a pseudonym.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from verhalen.errors import VerhalenError
from verhalen.privacy.detect import Detection
from verhalen.records import Coding, Segment


@dataclass(frozen=True)
class Replacement:
    """One replacement: ``original[start:end]`` became ``new[new_start:new_end]``."""

    start: int
    end: int
    new_start: int
    new_end: int
    kind: str
    entry_id: str
    replacement: str


@dataclass
class OffsetMap:
    """Original → pseudonymised offsets for one text (and back)."""

    replacements: list[Replacement]
    original_length: int
    new_length: int

    def __post_init__(self) -> None:
        self._starts = [r.start for r in self.replacements]
        self._new_starts = [r.new_start for r in self.replacements]

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        """The map of a text in which nothing was replaced."""
        return cls([], length, length)

    def to_new(self, pos: int, side: str = "left") -> int:
        """Map an original offset; inside a replacement, to its start (``left``) or end."""
        if not 0 <= pos <= self.original_length:
            raise VerhalenError(
                f"offset {pos} is outside the original text (0–{self.original_length})"
            )
        i = bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos
        r = self.replacements[i]
        if pos >= r.end:
            return r.new_end + (pos - r.end)
        if pos == r.start:
            return r.new_start
        return r.new_start if side == "left" else r.new_end

    def to_original(self, pos: int, side: str = "left") -> int:
        """Map a pseudonymised offset back to the original text."""
        if not 0 <= pos <= self.new_length:
            raise VerhalenError(
                f"offset {pos} is outside the pseudonymised text (0–{self.new_length})"
            )
        i = bisect_right(self._new_starts, pos) - 1
        if i < 0:
            return pos
        r = self.replacements[i]
        if pos >= r.new_end:
            return r.end + (pos - r.new_end)
        if pos == r.new_start:
            return r.start
        return r.start if side == "left" else r.end

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span ``[start, end)``, widened to whole replacements at its edges."""
        if end < start:
            raise VerhalenError(f"span end {end} is before its start {start}")
        new_start = self.to_new(start, "left")
        new_end = self.to_new(end, "right") if end > start else new_start
        return new_start, max(new_start, new_end)

    def map_segment(self, segment: Segment, new_text: str) -> Segment:
        """``segment`` moved to the pseudonymised text ``new_text`` of its transcript."""
        start, end = self.map_span(segment.start, segment.end)
        return segment.model_copy(update={"start": start, "end": end, "text": new_text[start:end]})

    def map_coding(self, coding: Coding) -> Coding:
        """``coding`` with its span (if it has one) moved to the pseudonymised text."""
        if coding.start is None or coding.end is None:
            return coding
        start, end = self.map_span(coding.start, coding.end)
        return coding.model_copy(update={"start": start, "end": end})

    def to_json(self) -> dict[str, object]:
        """A JSON-friendly form (no original text, so it can be stored with the data)."""
        return {
            "original_length": self.original_length,
            "new_length": self.new_length,
            "replacements": [
                [r.start, r.end, r.new_start, r.new_end, r.kind, r.entry_id]
                for r in self.replacements
            ],
        }


Render = Callable[[Detection], tuple[str, str]]
"""Given a detection, the replacement text and the key entry id."""


def apply(text: str, detections: Sequence[Detection], render: Render) -> tuple[str, OffsetMap]:
    """Replace non-overlapping, sorted ``detections`` in ``text``.

    Returns the new text and its :class:`OffsetMap`.
    """
    parts: list[str] = []
    replacements: list[Replacement] = []
    pos = 0
    new_pos = 0
    for det in detections:
        if det.start < pos:
            raise VerhalenError(f"overlapping detections at offset {det.start}; merge first")
        parts.append(text[pos : det.start])
        new_pos += det.start - pos
        new, entry_id = render(det)
        parts.append(new)
        replacements.append(
            Replacement(
                det.start, det.end, new_pos, new_pos + len(new), det.kind.value, entry_id, new
            )
        )
        new_pos += len(new)
        pos = det.end
    parts.append(text[pos:])
    new_text = "".join(parts)
    return new_text, OffsetMap(replacements, len(text), len(new_text))
