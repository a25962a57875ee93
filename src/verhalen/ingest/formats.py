"""Readers for each transcript format. Each returns a :class:`SourceDoc` or problems.

A reader only reads: metadata (front matter or its equivalent) and raw turns. Joining
with the manifest, validation of roles and practices, and segmentation happen in
:mod:`verhalen.ingest.folder`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from verhalen.errors import Problem
from verhalen.ingest.text import decode, normalise
from verhalen.ingest.turns import RawTurn, SpeakerLabels, parse_lines
from verhalen.records import Transcript

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt", ".json")


@dataclass
class SourceDoc:
    """What a reader found in one file."""

    path: Path
    format: str
    encoding: str = "utf-8"
    meta: dict[str, Any] = field(default_factory=dict)
    meta_line: int = 1
    turns: list[RawTurn] = field(default_factory=list)
    record: Transcript | None = None


LabelsFor = Callable[[dict[str, Any]], SpeakerLabels]


def _parse_front_matter(lines: list[str], where: str) -> tuple[dict[str, Any], int, list[Problem]]:
    """Split off a ``---`` YAML block. Returns (meta, index of first body line, problems)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0, []
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            block = "\n".join(lines[1:i])
            try:
                meta = yaml.safe_load(block) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = (mark.line + 2) if mark is not None else 2
                return (
                    {},
                    i + 1,
                    [
                        Problem(
                            f"{where}:{line}",
                            f"front matter is not valid YAML ({exc})",
                            "write one `key: value` per line",
                        )
                    ],
                )
            if not isinstance(meta, dict):
                return (
                    {},
                    i + 1,
                    [
                        Problem(
                            f"{where}:2",
                            "front matter is not a set of `key: value` lines",
                            "write one `key: value` per line",
                        )
                    ],
                )
            return meta, i + 1, []
    return (
        {},
        0,
        [
            Problem(
                f"{where}:1",
                "front matter starts with `---` but is never closed",
                "add a line `---` after the last metadata line",
            )
        ],
    )


def _read_lines_format(
    path: Path, fmt: str, text: str, encoding: str, labels_for: LabelsFor
) -> tuple[SourceDoc, list[Problem]]:
    where = str(path)
    lines = text.split("\n")
    meta, body_start, problems = _parse_front_matter(lines, where)
    numbered = [(i + 1, lines[i]) for i in range(body_start, len(lines))]
    turns, turn_problems = parse_lines(numbered, labels_for(meta), where)
    doc = SourceDoc(path, fmt, encoding, meta, 2 if meta else 1, turns)
    return doc, problems + turn_problems


def read_text_file(path: Path, labels_for: LabelsFor) -> tuple[SourceDoc | None, list[Problem]]:
    """``.txt`` / ``.md``: YAML front matter and speaker-labelled lines."""
    decoded = decode(path.read_bytes(), str(path))
    if isinstance(decoded, Problem):
        return None, [decoded]
    fmt = path.suffix.lstrip(".").lower()
    return _read_lines_format(path, fmt, decoded.text, decoded.encoding, labels_for)


def read_docx(path: Path, labels_for: LabelsFor) -> tuple[SourceDoc | None, list[Problem]]:
    """``.docx``: one paragraph per line; a bold run at the start is a speaker label."""
    import docx  # python-docx; imported here to keep start-up fast

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types
        return None, [
            Problem(
                str(path),
                f"not a readable Word document ({exc})",
                "open and re-save it in Word as .docx",
            )
        ]
    lines: list[str] = []
    for para in document.paragraphs:
        runs = list(para.runs)
        bold = ""
        rest_start = 0
        for i, run in enumerate(runs):
            if run.bold and run.text.strip():
                bold += run.text
                rest_start = i + 1
            elif run.text.strip() or bold:
                break
        text = para.text
        if bold.strip():
            label = bold.strip().rstrip(":").strip()
            rest = "".join(r.text for r in runs[rest_start:]).lstrip().lstrip(":").lstrip()
            text = f"{label}: {rest}"
        lines.append(normalise(text))
    return _read_lines_format(path, "docx", "\n".join(lines), "docx", labels_for)


_VTT_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")


def _seconds(stamp: str) -> float:
    m = _VTT_TIME.match(stamp.strip())
    if not m:
        return 0.0
    h = int(m.group(1) or 0)
    return h * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + int(m.group(4).ljust(3, "0")) / 1000


def read_subtitles(path: Path, labels_for: LabelsFor) -> tuple[SourceDoc | None, list[Problem]]:
    """``.vtt`` (voice tags) and ``.srt`` (``I:``/``R:`` prefixes); cues → turns."""
    import webvtt

    where = str(path)
    decoded = decode(path.read_bytes(), where)
    if isinstance(decoded, Problem):
        return None, [decoded]
    fmt = path.suffix.lstrip(".").lower()
    try:
        if fmt == "vtt":
            vtt = webvtt.from_string(decoded.text)
        else:
            import io

            vtt = webvtt.from_buffer(io.StringIO(decoded.text), format="srt")
    except Exception as exc:  # webvtt raises its own MalformedFileError and others
        return None, [
            Problem(
                where,
                f"not a valid {fmt.upper()} file ({exc})",
                "check the cue timings and blank lines between cues",
            )
        ]
    meta: dict[str, Any] = {}
    problems: list[Problem] = []
    for comment in getattr(vtt, "header_comments", []) or []:
        try:
            block = yaml.safe_load(comment)
        except yaml.YAMLError:
            block = None
        if isinstance(block, dict):
            meta.update(block)
    labels = labels_for(meta)
    turns: list[RawTurn] = []
    for n, cue in enumerate(vtt.captions, start=1):
        text = " ".join(line.strip() for line in cue.text.split("\n") if line.strip())
        speaker = (cue.voice or "").strip() if fmt == "vtt" else ""
        if not speaker:
            m = re.match(r"^([A-Za-zÀ-ÿ][\w .'-]{0,29}?)\s*:\s*(.*)$", text)
            if m and labels.role_of(m.group(1)):
                speaker, text = m.group(1).strip(), m.group(2)
        role = labels.role_of(speaker) if speaker else None
        if role is None:
            if speaker:
                problems.append(
                    Problem(
                        f"{where} (cue {n}, {cue.start})",
                        f"unknown speaker {speaker!r}",
                        f"use one of: {labels.allowed()}",
                    )
                )
            elif turns:
                turns[-1].paragraphs[-1].append(text)
                turns[-1].time_end = _seconds(cue.end)
            else:
                problems.append(
                    Problem(
                        f"{where} (cue {n}, {cue.start})",
                        "unlabelled cue: no speaker voice tag or label",
                        "start the cue with <v Interviewer> or <v Respondent>",
                    )
                )
            continue
        if turns and turns[-1].speaker == speaker:
            turns[-1].paragraphs[-1].append(text)
            turns[-1].time_end = _seconds(cue.end)
        else:
            turns.append(
                RawTurn(speaker, role, [[text]], n, _seconds(cue.start), _seconds(cue.end))
            )
    for t in turns:
        t.paragraphs = [[" ".join(p)] for p in t.paragraphs]
    return SourceDoc(path, fmt, decoded.encoding, meta, 1, turns), problems


def read_json(path: Path, labels_for: LabelsFor) -> tuple[SourceDoc | None, list[Problem]]:
    """``.json``: a :class:`~verhalen.records.Transcript` record as written by verhalen."""
    from pydantic import ValidationError as PydanticValidationError

    decoded = decode(path.read_bytes(), str(path))
    if isinstance(decoded, Problem):
        return None, [decoded]
    try:
        record = Transcript.model_validate_json(decoded.text)
    except PydanticValidationError as exc:
        return None, [
            Problem(
                f"{path} ({'.'.join(str(p) for p in e['loc'])})",
                e["msg"],
                "the JSON must be a transcript record as written by verhalen",
            )
            for e in exc.errors()
        ]
    meta: dict[str, Any] = dict(record.metadata)
    meta.setdefault("id", record.id)
    if record.participants:
        meta.setdefault("participant", record.participants[0])
    return SourceDoc(path, "json", decoded.encoding, meta, 1, [], record), []


READERS: dict[str, Callable[[Path, LabelsFor], tuple[SourceDoc | None, list[Problem]]]] = {
    ".txt": read_text_file,
    ".md": read_text_file,
    ".docx": read_docx,
    ".vtt": read_subtitles,
    ".srt": read_subtitles,
    ".json": read_json,
}
