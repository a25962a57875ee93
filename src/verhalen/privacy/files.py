"""Pseudonymised copies of transcript files, in their own format.

``verhalen pseudonymise INPUT... --out DIR`` writes one copy per input with the same file
name, format, turns and speaker labels (.txt .md .vtt .srt .docx .json). Structural parts
of a file are never changed: front-matter keys and ids, timestamps, cue timings and
speaker labels (unless a label is itself a name in the key). A participants manifest in
an input folder is copied without its ``name`` column, so the copies can be ingested.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verhalen.config import ProjectConfig
from verhalen.errors import Problem, ValidationError, VerhalenError
from verhalen.ingest.folder import read_transcripts, transcript_files
from verhalen.ingest.manifest import Manifest, find_manifest, read_manifest
from verhalen.ingest.text import decode
from verhalen.ingest.turns import LABEL_RE, TIMESTAMP_RE, SpeakerLabels
from verhalen.io import atomic_write_bytes, atomic_write_text
from verhalen.privacy.detect import Detection
from verhalen.privacy.engine import PrivacyEngine, Progress
from verhalen.privacy.key import PseudonymKey
from verhalen.privacy.normalise import Kind
from verhalen.privacy.replace import OffsetMap
from verhalen.privacy.transcripts import (
    DetectJob,
    detect_many,
    pseudonymise_transcript,
    with_participants,
)
from verhalen.records import Transcript

STRUCTURAL_KEYS = {
    "id",
    "participant",
    "participants",
    "role",
    "practice",
    "date",
    "language",
    "speakers",
    "fictief",
    "fictional",
}
_META_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_TIMING = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->.*$")
_VOICE = re.compile(r"<v(?:\.[\w.]+)?\s+([^>]+)>")


@dataclass
class Job:
    """One file: the text to pseudonymise, what to keep, and how to write the result."""

    source: Path
    transcript: Transcript
    text: str = ""
    protected: list[tuple[int, int]] = field(default_factory=list)
    labels: list[tuple[int, int]] = field(default_factory=list)
    write: Callable[[str, OffsetMap, Path], None] | None = None


def _protect_metadata(lines: list[str], offsets: list[int], job: Job) -> None:
    for line, start in zip(lines, offsets, strict=True):
        m = _META_LINE.match(line)
        if m is None:
            job.protected.append((start, start + len(line)))
            continue
        if m.group(1).casefold() in STRUCTURAL_KEYS:
            job.protected.append((start, start + len(line)))
        else:
            job.protected.append((start, start + m.start(2)))


def _line_offsets(text: str) -> tuple[list[str], list[int]]:
    lines = text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    return lines, offsets


def _plan_lines(job: Job, labels: SpeakerLabels, fmt: str) -> None:
    """Protected spans of a line-based file (.txt .md .srt .vtt)."""
    lines, offsets = _line_offsets(job.text)
    body = 0
    if fmt in ("txt", "md") and lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
        _protect_metadata(lines[: end + 1], offsets[: end + 1], job)
        body = end + 1
    in_note = False
    for i in range(body, len(lines)):
        line, start = lines[i], offsets[i]
        if fmt == "vtt":
            if i == 0 or line.startswith("NOTE") or (in_note and line.strip()):
                in_note = in_note or line.startswith("NOTE")
                _protect_metadata([line], [start], job)
                continue
            in_note = False
        if fmt in ("srt", "vtt") and (line.strip().isdigit() or _TIMING.match(line)):
            job.protected.append((start, start + len(line)))
            continue
        for m in _VOICE.finditer(line):
            job.protected.append((start + m.start(), start + m.end()))
            job.labels.append((start + m.start(1), start + m.end(1)))
        pos = 0
        ts = TIMESTAMP_RE.match(line)
        if ts:
            job.protected.append((start, start + ts.end()))
            pos = ts.end()
        lm = LABEL_RE.match(line[pos:])
        if lm and labels.role_of(lm.group(1)):
            label_end = pos + lm.start(2)
            job.protected.append((start + pos, start + label_end))
            job.labels.append((start + pos, start + pos + len(lm.group(1).strip())))


def _write_text(job: Job) -> Callable[[str, OffsetMap, Path], None]:
    def write(text: str, omap: OffsetMap, target: Path) -> None:
        atomic_write_text(target, text if text.endswith("\n") else text + "\n")

    return write


def _plan_docx(job: Job, labels: SpeakerLabels) -> None:
    import docx

    document = docx.Document(str(job.source))
    paragraphs = list(document.paragraphs)
    for section in document.sections:
        for part in (section.header, section.footer):
            paragraphs.extend(part.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    job.text = "\n".join(p.text for p in paragraphs)
    _plan_lines(job, labels, "md")

    def write(text: str, omap: OffsetMap, target: Path) -> None:
        starts = []
        pos = 0
        for para in paragraphs:
            starts.append(pos)
            pos += len(para.text) + 1
        for rep in reversed(omap.replacements):
            index = max(i for i, s in enumerate(starts) if s <= rep.start)
            _replace_in_runs(
                paragraphs[index],
                rep.start - starts[index],
                rep.end - starts[index],
                rep.replacement,
            )
        props = document.core_properties
        props.author = ""
        props.last_modified_by = ""
        buffer = io.BytesIO()
        document.save(buffer)
        atomic_write_bytes(target, _without_times(buffer.getvalue()))

    job.write = write


def _without_times(data: bytes) -> bytes:
    """A zip file (``.docx``) with every member's time fixed: the same input, the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _replace_in_runs(paragraph: Any, start: int, end: int, new: str) -> None:
    """Replace ``[start, end)`` of a paragraph's text inside its runs (formatting kept)."""
    runs = list(paragraph.runs)
    pos = 0
    placed = False
    for run in runs:
        text = run.text
        a, b = pos, pos + len(text)
        pos = b
        if b <= start or a >= end:
            continue
        cut_from, cut_to = max(start, a) - a, min(end, b) - a
        run.text = text[:cut_from] + ("" if placed else new) + text[cut_to:]
        placed = True
    if not placed:  # text outside runs (e.g. in a hyperlink): rewrite the paragraph
        full = paragraph.text
        paragraph.text = full[:start] + new + full[end:]


def manifest_for(paths: list[Path], fallback: Path | None) -> tuple[Manifest, Path | None]:
    folders = {p.parent for p in paths}
    for folder in sorted(folders):
        found = find_manifest(folder)
        if found is not None:
            return _read(found), found
    if fallback is not None:
        found = find_manifest(fallback)
        if found is not None:
            return _read(found), None
    return Manifest(), None


def _read(path: Path) -> Manifest:
    manifest, problems = read_manifest(path)
    if problems:
        raise ValidationError(problems, summary=f"{path}: invalid manifest")
    return manifest


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files given, plus the transcript files of folders given (sorted, no duplicates)."""
    out: list[Path] = []
    problems: list[Problem] = []
    for path in inputs:
        if path.is_dir():
            out.extend(transcript_files(path))
        elif path.is_file():
            out.append(path)
        else:
            problems.append(Problem(str(path), "no such file or folder", "check the path"))
    if problems:
        raise ValidationError(problems)
    return sorted(dict.fromkeys(p.resolve() for p in out))


def pseudonymise_files(
    inputs: Iterable[Path],
    out_dir: Path,
    engine: PrivacyEngine,
    key: PseudonymKey,
    config: ProjectConfig,
    raw_dir: Path | None = None,
    progress: Progress | None = None,
    n_process: int | None = None,
) -> list[Path]:
    """Write pseudonymised copies of transcript files into ``out_dir``; returns their paths.

    Identifiers are detected in ``n_process`` processes (default: ``[privacy] n_process``
    of ``config``; see :func:`~verhalen.privacy.transcripts.detect_many`).

    Raises
    ------
    ValidationError
        If an input cannot be read as a transcript (all problems at once).
    VerhalenError
        If ``out_dir`` is the folder of an input (the originals would be overwritten).
    """
    paths = expand_inputs(inputs)
    out_dir = out_dir.resolve()
    clash = [p for p in paths if p.parent == out_dir]
    if clash:
        raise VerhalenError(
            f"{out_dir}: the output folder holds the input {clash[0].name} — "
            "choose another --out folder, the originals must stay intact"
        )
    manifest, manifest_path = manifest_for(paths, raw_dir)
    corpus, _, problems = read_transcripts(paths, config, manifest)
    if problems:
        raise ValidationError(problems, summary="cannot pseudonymise: inputs have problems")
    if not engine.participants:
        engine = with_participants(engine, corpus.participants)
    by_file = {t.source_file: t for t in corpus.transcripts}
    jobs = [_plan(path, by_file[path.name], config) for path in paths]
    engine.prepare_key(key)
    found: dict[Path, list[Detection]] = {}
    to_detect = sorted((j for j in jobs if j.write is not None), key=lambda j: j.transcript.id)
    runs = detect_many(
        to_detect,
        _detect_job,
        _job_name,
        engine,
        progress,
        config.privacy.n_process if n_process is None else n_process,
    )
    for job, dets in runs:
        for det in dets:
            key.register(det)
        found[job.source] = dets
    finder = engine.key_detector(key)
    written: list[Path] = []
    iterable: Iterable[Job] = progress(jobs, "Writing") if progress else jobs
    for job in iterable:
        target = out_dir / job.source.name
        if job.write is None:  # .json: a transcript record
            new, _ = pseudonymise_transcript(job.transcript, engine, key, key_detector=finder)
            atomic_write_text(
                target, json.dumps(new.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
            )
        else:
            forced = [
                Detection(a, b, job.text[a:b], Kind.naam, "sleutel")
                for a, b in job.labels
                if key.find(job.text[a:b])
            ]
            text, omap = engine.pseudonymise_text(
                job.text,
                key,
                job.transcript.participant,
                job.protected,
                found[job.source],
                forced,
                finder,
            )
            job.write(text, omap, target)
        written.append(target)
    if manifest_path is not None:
        written.append(_write_manifest(manifest_path, out_dir))
    return written


def _detect_job(job: Job) -> DetectJob:
    return job.text, job.transcript.participant, job.protected


def _job_name(job: Job) -> str:
    return job.source.name


def _plan(path: Path, transcript: Transcript, config: ProjectConfig) -> Job:
    job = Job(path, transcript)
    extra = transcript.metadata.get("speakers")
    labels = SpeakerLabels.build(
        config.speakers.interviewer,
        config.speakers.respondent,
        config.speakers.other,
        extra if isinstance(extra, dict) else None,
    )
    for turn in transcript.turns:
        labels.roles.setdefault(turn.speaker.casefold(), turn.role)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return job
    if suffix == ".docx":
        _plan_docx(job, labels)
        return job
    decoded = decode(path.read_bytes(), str(path))
    if isinstance(decoded, Problem):
        raise ValidationError([decoded])
    job.text = decoded.text
    _plan_lines(job, labels, suffix.lstrip("."))
    job.write = _write_text(job)
    return job


def _write_manifest(source: Path, out_dir: Path) -> Path:
    """The manifest without its ``name`` column (as CSV)."""
    import pandas as pd

    frame = (
        pd.read_excel(source)
        if source.suffix == ".xlsx"
        else pd.read_csv(source, dtype=str, keep_default_na=False)
    )
    frame = frame.drop(columns=[c for c in frame.columns if str(c).strip().lower() == "name"])
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
    target = out_dir / "participants.csv"
    atomic_write_text(target, buffer.getvalue())
    return target
