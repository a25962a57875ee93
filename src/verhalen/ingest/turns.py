"""Speaker-labelled lines → turns, and turns → the transcript's plain text.

Shared by every line-based format (``.txt``, ``.md``, ``.docx``, ``.srt``). A turn starts
with a known speaker label and a colon, optionally after a ``[hh:mm:ss]`` timestamp;
unlabelled lines continue the current turn, and a blank line inside a turn starts a new
paragraph of the same turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from verhalen.errors import Problem
from verhalen.records import Turn

SpeakerRole = Literal["interviewer", "respondent", "other"]

TIMESTAMP_RE = re.compile(r"^\s*\[(\d{1,2}):(\d{2})(?::(\d{2}))?\]\s*")
LABEL_RE = re.compile(r"^([A-Za-zÀ-ÿ][\w .'-]{0,29}?)\s*:\s*(.*)$")
SHORT_LABEL_RE = re.compile(r"^[A-Z]{1,3}\d?$")


@dataclass
class RawTurn:
    """A turn as read from the source, before offsets are assigned."""

    speaker: str
    role: SpeakerRole
    paragraphs: list[list[str]]
    line: int
    time_start: float | None = None
    time_end: float | None = None


@dataclass
class SpeakerLabels:
    """Maps a label (case-insensitive) to the speaker's role."""

    roles: dict[str, SpeakerRole] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        interviewer: list[str],
        respondent: list[str],
        other: list[str],
        extra: dict[str, str] | None = None,
    ) -> SpeakerLabels:
        roles: dict[str, SpeakerRole] = {}
        for labels, role in (
            (interviewer, "interviewer"),
            (respondent, "respondent"),
            (other, "other"),
        ):
            for label in labels:
                roles[label.casefold()] = role  # type: ignore[assignment]
        for label, role in (extra or {}).items():
            if role in ("interviewer", "respondent", "other"):
                roles[str(label).casefold()] = role  # type: ignore[assignment]
        return cls(roles)

    def role_of(self, label: str) -> SpeakerRole | None:
        return self.roles.get(label.strip().casefold())

    def allowed(self) -> str:
        return ", ".join(sorted({k for k in self.roles}))


def parse_timestamp(match: re.Match[str]) -> float:
    """Seconds from a ``[hh:mm:ss]`` or ``[mm:ss]`` match."""
    a, b, c = match.group(1), match.group(2), match.group(3)
    if c is None:
        return int(a) * 60 + int(b)
    return int(a) * 3600 + int(b) * 60 + int(c)


def parse_lines(
    lines: list[tuple[int, str]], labels: SpeakerLabels, where: str
) -> tuple[list[RawTurn], list[Problem]]:
    """Parse numbered body lines into raw turns, collecting every problem."""
    turns: list[RawTurn] = []
    problems: list[Problem] = []
    current: RawTurn | None = None
    pending_blank = False
    in_unlabelled = False
    for line_no, raw in lines:
        line = raw.strip()
        if not line:
            pending_blank = current is not None
            continue
        time: float | None = None
        ts = TIMESTAMP_RE.match(line)
        if ts:
            time = parse_timestamp(ts)
            line = line[ts.end() :]
        label_match = LABEL_RE.match(line)
        role = labels.role_of(label_match.group(1)) if label_match else None
        if label_match and role is not None:
            current = RawTurn(
                speaker=label_match.group(1).strip(),
                role=role,
                paragraphs=[[label_match.group(2).strip()]]
                if label_match.group(2).strip()
                else [[]],
                line=line_no,
                time_start=time,
            )
            turns.append(current)
            pending_blank = in_unlabelled = False
            continue
        if label_match and SHORT_LABEL_RE.match(label_match.group(1).strip()):
            problems.append(
                Problem(
                    f"{where}:{line_no}",
                    f"unknown speaker label {label_match.group(1).strip()!r}",
                    f"use one of: {labels.allowed()}; or declare it in the front matter, "
                    f"e.g. `speakers: {{{label_match.group(1).strip()}: respondent}}`",
                )
            )
            current = None
            in_unlabelled = True
            continue
        if current is None:
            if not in_unlabelled:
                problems.append(
                    Problem(
                        f"{where}:{line_no}",
                        f"unlabelled line {line[:40]!r}: no speaker label before it",
                        "start the turn with a speaker label such as `I:` or `R:`",
                    )
                )
            in_unlabelled = True
            continue
        if ts and time is not None and current.time_start is None:
            current.time_start = time
        if pending_blank:
            current.paragraphs.append([line])
        else:
            current.paragraphs[-1].append(line)
        pending_blank = False
    for turn in turns:
        turn.paragraphs = [p for p in turn.paragraphs if p]
    return [t for t in turns if t.paragraphs], problems


def assemble(raw_turns: list[RawTurn]) -> tuple[str, list[Turn]]:
    """Build the normalised plain text and the turns with exact offsets.

    The text is ``"<label>: <utterance>"`` per turn, turns separated by a blank line;
    lines of a turn are joined with a newline and paragraphs with a blank line. A turn's
    ``[start, end)`` covers the utterance only, not the label.
    """
    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for index, raw in enumerate(raw_turns):
        if parts:
            parts.append("\n\n")
            pos += 2
        prefix = f"{raw.speaker}: "
        body = "\n\n".join("\n".join(p) for p in raw.paragraphs)
        parts.append(prefix + body)
        start = pos + len(prefix)
        end = start + len(body)
        turns.append(
            Turn(
                index=index,
                speaker=raw.speaker,
                is_interviewer=raw.role == "interviewer",
                role=raw.role,
                text=body,
                start=start,
                end=end,
                time_start=raw.time_start,
                time_end=raw.time_end,
                source_line=raw.line,
            )
        )
        pos = end
    return "".join(parts), turns
