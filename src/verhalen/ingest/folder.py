"""Read a folder (or a list of files) of transcripts into a validated :class:`Corpus`.

Every problem in every file is collected before anything is raised, so ``verhalen ingest
--check`` can list them all at once with file, line and a fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError as PydanticValidationError

from verhalen.config import ProjectConfig
from verhalen.corpus import Corpus
from verhalen.errors import Problem, ValidationError
from verhalen.ingest.formats import READERS, SUPPORTED_SUFFIXES, SourceDoc
from verhalen.ingest.manifest import MANIFEST_NAMES, Manifest, find_manifest, read_manifest
from verhalen.ingest.turns import SpeakerLabels, assemble
from verhalen.records import Participant, Transcript

T = TypeVar("T")
Progress = Callable[[Iterable[T], str], Iterable[T]]

KNOWN_KEYS = {
    "id",
    "participant",
    "participants",
    "role",
    "practice",
    "interviewer",
    "interviewers",
    "date",
    "language",
    "speakers",
}


@dataclass
class IngestReport:
    """What an ingest found: counts and notes (e.g. files decoded as cp1252)."""

    files: int = 0
    transcripts: int = 0
    segments: int = 0
    notes: list[str] = field(default_factory=list)


def transcript_files(folder: Path) -> list[Path]:
    """Transcript files in a folder (sorted, hidden files and the manifest skipped)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not p.name.startswith((".", "~$"))
        and p.name not in MANIFEST_NAMES
    )


def _labels_for(config: ProjectConfig) -> Callable[[dict[str, Any]], SpeakerLabels]:
    def build(meta: dict[str, Any]) -> SpeakerLabels:
        extra = meta.get("speakers") if isinstance(meta.get("speakers"), dict) else None
        return SpeakerLabels.build(
            config.speakers.interviewer, config.speakers.respondent, config.speakers.other, extra
        )

    return build


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _build(
    doc: SourceDoc, config: ProjectConfig, manifest: Manifest, participants: dict[str, Participant]
) -> tuple[Transcript | None, list[Problem]]:
    where = str(doc.path)
    meta = doc.meta
    problems: list[Problem] = []
    tid = str(meta.get("id") or doc.path.stem)
    pid_list = _as_list(meta.get("participants") or meta.get("participant"))
    if not pid_list and tid in manifest.transcript_of:
        pid_list = [manifest.transcript_of[tid]]
    if not pid_list and doc.path.stem in manifest.transcript_of:
        pid_list = [manifest.transcript_of[doc.path.stem]]
    if not pid_list:
        problems.append(
            Problem(
                f"{where}:{doc.meta_line}",
                "no participant for this transcript",
                "add `participant: <id>` to the front matter, or a manifest "
                f"row with transcript = {tid}",
            )
        )
        return None, problems
    pid = pid_list[0]
    row = manifest.participants.get(pid)
    values: dict[str, str] = {}
    for key, allowed in (("role", config.roles), ("practice", config.practices)):
        given = str(meta[key]).strip() if meta.get(key) not in (None, "") else None
        from_manifest = row.__getattribute__(key) if row else None
        if given and from_manifest and given != from_manifest:
            problems.append(
                Problem(
                    f"{where}:{doc.meta_line} ({key})",
                    f"{key} {given!r} conflicts with {from_manifest!r} in the manifest "
                    f"({manifest.path}:{manifest.rows.get(pid)})",
                    "make the front matter and the manifest agree",
                )
            )
            continue
        value = given or from_manifest
        if not value:
            problems.append(
                Problem(
                    f"{where}:{doc.meta_line} ({key})",
                    f"missing {key} for participant {pid!r}",
                    f"add `{key}:` to the front matter or a manifest row",
                )
            )
            continue
        if value not in allowed:
            problems.append(
                Problem(
                    f"{where}:{doc.meta_line} ({key})",
                    f"unknown {key} {value!r}",
                    f"use one of: {', '.join(allowed)} (or add it to [{key}s] in verhalen.toml)",
                )
            )
            continue
        values[key] = value
    if problems:
        return None, problems
    if pid not in participants:
        participants[pid] = (
            row.model_copy(update=values)
            if row
            else Participant(id=pid, role=values["role"], practice=values["practice"])
        )
    else:
        known = participants[pid]
        if (known.role, known.practice) != (values["role"], values["practice"]):
            problems.append(
                Problem(
                    f"{where}:{doc.meta_line}",
                    f"participant {pid!r} has role/practice {values['role']}/"
                    f"{values['practice']} here but {known.role}/"
                    f"{known.practice} in another transcript",
                    "give the participant one role and practice",
                )
            )
            return None, problems

    if doc.record is not None:
        return doc.record.model_copy(update={"source_file": doc.path.name}), problems
    if not any(t.role != "interviewer" for t in doc.turns):
        problems.append(
            Problem(
                where,
                "empty transcript: no respondent turns found",
                "check that the turns start with a respondent label like `R:`",
            )
        )
        return None, problems
    text, turns = assemble(doc.turns)
    raw_date = meta.get("date")
    when: date | None = None
    if raw_date:
        try:
            when = raw_date if isinstance(raw_date, date) else date.fromisoformat(str(raw_date))
        except ValueError:
            problems.append(
                Problem(
                    f"{where}:{doc.meta_line} (date)",
                    f"date {raw_date!r} is not a date",
                    "write it as YYYY-MM-DD",
                )
            )
            return None, problems
    try:
        transcript = Transcript(
            id=tid,
            participants=pid_list,
            interviewers=_as_list(meta.get("interviewers") or meta.get("interviewer")),
            date=when,
            language=str(meta.get("language") or config.project.language),
            source_file=doc.path.name,
            source_format=doc.format,
            encoding=doc.encoding,
            text=text,
            turns=turns,
            metadata={
                k: v if isinstance(v, str | int | float | bool) else str(v)
                for k, v in meta.items()
                if k not in KNOWN_KEYS
            }
            | {"role": values["role"], "practice": values["practice"]},
        )
    except PydanticValidationError as exc:
        return None, [Problem(where, str(e["msg"]), "") for e in exc.errors()]
    return transcript, problems


def read_transcripts(
    paths: Iterable[Path],
    config: ProjectConfig,
    manifest: Manifest,
    progress: Progress[Path] | None = None,
) -> tuple[Corpus, IngestReport, list[Problem]]:
    """Read transcript files into a corpus; returns the problems instead of raising."""
    paths = list(paths)
    report = IngestReport(files=len(paths))
    problems: list[Problem] = []
    participants: dict[str, Participant] = {}
    transcripts: list[Transcript] = []
    seen: dict[str, Path] = {}
    labels_for = _labels_for(config)
    iterable: Iterable[Path] = progress(paths, "Reading transcripts") if progress else paths
    for path in iterable:
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            problems.append(
                Problem(
                    str(path),
                    f"unsupported file type {path.suffix!r}",
                    f"use one of {', '.join(SUPPORTED_SUFFIXES)}",
                )
            )
            continue
        doc, doc_problems = reader(path, labels_for)
        problems.extend(doc_problems)
        if doc is None or doc_problems:
            continue
        if doc.encoding == "cp1252":
            report.notes.append(f"{path.name}: decoded as Windows-1252 (cp1252)")
        transcript, build_problems = _build(doc, config, manifest, participants)
        problems.extend(build_problems)
        if transcript is None:
            continue
        if transcript.id in seen:
            problems.append(
                Problem(
                    str(path),
                    f"duplicate transcript id {transcript.id!r} (also in {seen[transcript.id]})",
                    "give every transcript a unique `id`",
                )
            )
            continue
        seen[transcript.id] = path
        transcripts.append(transcript)
    corpus = Corpus(
        participants=participants,
        transcripts=transcripts,
        unit=config.segmentation.unit,
        respondent_only=config.segmentation.respondent_only,
        min_chars=config.segmentation.min_chars,
    )
    report.transcripts = len(transcripts)
    return corpus, report, problems


def ingest_folder(
    folder: str | Path, config: ProjectConfig, progress: Progress[Path] | None = None
) -> tuple[Corpus, IngestReport]:
    """Read every transcript in ``folder`` (and its manifest) into a validated corpus.

    Raises
    ------
    ValidationError
        Listing every problem in every file (nothing is returned or written then).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(
            [Problem(str(folder), "not a folder", "pass the folder that holds the transcripts")]
        )
    manifest = Manifest()
    problems: list[Problem] = []
    manifest_path = find_manifest(folder)
    if manifest_path is not None:
        manifest, problems = read_manifest(manifest_path)
    files = transcript_files(folder)
    if not files:
        problems.append(
            Problem(
                str(folder),
                "no transcripts found",
                f"add files ending in {', '.join(SUPPORTED_SUFFIXES)}",
            )
        )
    corpus, report, file_problems = read_transcripts(files, config, manifest, progress)
    problems.extend(file_problems)
    for pid, participant in manifest.participants.items():
        for key, allowed in (("role", config.roles), ("practice", config.practices)):
            value = getattr(participant, key)
            if value != "?" and value not in allowed:
                problems.append(
                    Problem(
                        f"{manifest.path}:{manifest.rows[pid]} ({key})",
                        f"unknown {key} {value!r} for participant {pid!r}",
                        f"use one of: {', '.join(allowed)}",
                    )
                )
        corpus.participants.setdefault(pid, participant)
    if problems:
        raise ValidationError(
            problems,
            summary=f"{folder}: {len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''} found, nothing written",
        )
    report.segments = len(corpus.segments)
    return corpus, report
