"""Turns and segments for text imported from another QDA program.

The text of an imported source is kept exactly (apart from line breaks, which become
``\\n``), because the selections point into it. Turns are then *located* in that text:

* when lines start with speaker labels (``I:``, ``R:``, ``[00:01:02] Tolk:`` …), the
  labels are parsed with ``verhalen``'s own parser (:func:`verhalen.ingest.turns.
  parse_lines`) and each turn covers its utterance up to the next label. Short labels the
  project does not know (``M:``, ``V2:``) become speakers with role ``other`` and are
  reported, so nobody's words silently disappear;
* otherwise every paragraph (text between blank lines) is one respondent turn.

For text ``verhalen`` itself wrote, this gives exactly the turns it had.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from verhalen.ingest.turns import (
    LABEL_RE,
    SHORT_LABEL_RE,
    TIMESTAMP_RE,
    SpeakerLabels,
    SpeakerRole,
    parse_lines,
)
from verhalen.records import Coding, Segment, Turn

_PARAGRAPH_RE = re.compile(r"\n[ \t\r]*\n")


def _label(line: str, labels: SpeakerLabels) -> tuple[int, str, str] | None:
    """``(body offset in line, speaker, role)`` when ``line`` starts with a known label."""
    offset = len(line) - len(line.lstrip())
    rest = line[offset:]
    ts = TIMESTAMP_RE.match(rest)
    if ts:
        offset += ts.end()
        rest = rest[ts.end() :]
    match = LABEL_RE.match(rest)
    if not match:
        return None
    role = labels.role_of(match.group(1))
    if role is None:
        return None
    return offset + match.start(2), match.group(1).strip(), role


def unknown_labels(lines: Iterable[str], labels: SpeakerLabels) -> list[str]:
    """Short speaker labels (``M``, ``V2``) at line starts that ``labels`` does not know."""
    found: dict[str, None] = {}
    for line in lines:
        rest = line.strip()
        ts = TIMESTAMP_RE.match(rest)
        if ts:
            rest = rest[ts.end() :]
        match = LABEL_RE.match(rest)
        if match:
            label = match.group(1).strip()
            if labels.role_of(label) is None and SHORT_LABEL_RE.match(label):
                found.setdefault(label, None)
    return list(found)


def paragraph_turns(text: str) -> list[Turn]:
    """One respondent turn per paragraph (text between blank lines), trimmed."""
    turns: list[Turn] = []
    start = 0
    bounds = [(m.start(), m.end()) for m in _PARAGRAPH_RE.finditer(text)]
    for stop, next_start in [*bounds, (len(text), len(text))]:
        a, b = start, stop
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            turns.append(
                Turn(
                    index=len(turns),
                    speaker="",
                    is_interviewer=False,
                    role="respondent",
                    text=text[a:b],
                    start=a,
                    end=b,
                    source_line=text.count("\n", 0, a) + 1,
                )
            )
        start = next_start
    return turns


def turns_from_text(text: str, labels: SpeakerLabels, where: str) -> tuple[list[Turn], list[str]]:
    """Turns located in ``text`` and notes (unknown labels, paragraph mode).

    Parameters
    ----------
    text
        The transcript text, line breaks ``\\n`` (a ``\\r`` before them is tolerated).
    labels
        The project's speaker labels.
    where
        The source's name, for notes.
    """
    lines = text.split("\n")
    notes: list[str] = []
    unknown = unknown_labels(lines, labels)
    if unknown:
        roles: dict[str, SpeakerRole] = dict(labels.roles)
        roles.update({u.casefold(): "other" for u in unknown})
        labels = SpeakerLabels(roles)
        notes.append(
            f"{where}: unknown speaker label(s) {', '.join(unknown)} imported with "
            "role 'other' — add them to [speakers] in verhalen.toml and import again"
        )
    raw_turns, _ = parse_lines(list(enumerate(lines, start=1)), labels, where)
    if not raw_turns:
        paragraphs = paragraph_turns(text)
        if paragraphs:
            notes.append(f"{where}: no speaker labels found; one turn per paragraph")
        return paragraphs, notes
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    label_lines = [i for i, line in enumerate(lines) if _label(line, labels) is not None]
    turns: list[Turn] = []
    for raw in raw_turns:
        first = raw.line - 1
        found = _label(lines[first], labels)
        if found is None:  # cannot happen: parse_lines starts turns at labels
            continue
        later = [i for i in label_lines if i > first]
        stop = later[0] if later else len(lines)
        start = starts[first] + found[0]
        end = start
        for j in range(stop - 1, first - 1, -1):
            if lines[j].strip():
                end = starts[j] + len(lines[j].rstrip())
                break
        while start < end and text[start].isspace():
            start += 1
        if end <= start:
            continue
        turns.append(
            Turn(
                index=len(turns),
                speaker=raw.speaker,
                is_interviewer=raw.role == "interviewer",
                role=raw.role,
                text=text[start:end],
                start=start,
                end=end,
                time_start=raw.time_start,
                time_end=raw.time_end,
                source_line=raw.line,
            )
        )
    if label_lines and label_lines[0] > 0 and any(s.strip() for s in lines[: label_lines[0]]):
        notes.append(f"{where}: text before the first speaker label is not part of any turn")
    return turns, notes


def segment_for(segments: list[Segment], transcript_id: str, start: int, end: int) -> str:
    """The id of the segment holding ``start`` (else the first overlapping one, else the
    transcript id itself: a transcript-level coding)."""
    for seg in segments:
        if seg.start <= start < seg.end:
            return seg.id
    for seg in segments:
        if seg.start < end and start < seg.end:
            return seg.id
    return transcript_id


def assign_segments(codings: list[Coding], segments: list[Segment]) -> list[Coding]:
    """Codings with ``segment_id`` set from their span (see :func:`segment_for`)."""
    by_transcript: dict[str, list[Segment]] = {}
    for seg in segments:
        by_transcript.setdefault(seg.transcript_id, []).append(seg)
    out = []
    for coding in codings:
        tid = coding.transcript_id or ""
        start = coding.start if coding.start is not None else 0
        end = coding.end if coding.end is not None else start
        seg_id = segment_for(by_transcript.get(tid, []), tid, start, end)
        out.append(
            coding
            if seg_id == coding.segment_id
            else coding.model_copy(update={"segment_id": seg_id})
        )
    return out
