"""Read a folder (or a list of files) of transcripts into a validated :class:`Corpus`.

Every problem in every file is collected before anything is raised, so ``verhalen ingest
--check`` can list them all at once with file, line and a fix.

Two options for large corpora (both used by ``Project.ingest`` when it writes):

* an :class:`IngestCache` (``data/cache/ingest/``) keeps every parsed transcript keyed by
  the SHA-256 of its source file, the file name, the settings that shape a transcript
  (project language, roles, practices, speaker labels, segmentation), the manifest file
  and the ingest code itself. An unchanged file is then not read, decoded or parsed again;
  the result is identical (byte for byte in ``corpus.jsonl``). Files with problems are never
  cached, so their problems are always reported.
* ``stream_to``: transcripts are written to the corpus file as they are read and not kept
  in memory; only participants and ids are, and a file-backed
  :class:`~verhalen.corpus.CorpusFile` is returned.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, TypeVar

from pydantic import ValidationError as PydanticValidationError

from verhalen.config import ProjectConfig
from verhalen.corpus import Corpus, CorpusFile
from verhalen.errors import Problem, ValidationError
from verhalen.ingest.formats import READERS, SUPPORTED_SUFFIXES, SourceDoc
from verhalen.ingest.manifest import MANIFEST_NAMES, Manifest, find_manifest, read_manifest
from verhalen.ingest.turns import SpeakerLabels, assemble
from verhalen.io import atomic_open
from verhalen.records import Participant, Segment, Transcript
from verhalen.segmentation import segment_transcript

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


@dataclass
class _Resolved:
    """Who a transcript belongs to, as read from its metadata and the manifest."""

    tid: str
    pid_list: list[str]
    values: dict[str, str]


def _resolve(
    doc: SourceDoc, config: ProjectConfig, manifest: Manifest
) -> tuple[_Resolved | None, list[Problem]]:
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
    return _Resolved(tid, pid_list, values), problems


def _register(
    participants: dict[str, Participant],
    manifest: Manifest,
    pid: str,
    values: dict[str, str],
    where: str,
) -> list[Problem]:
    """Record the transcript's participant; a role/practice clash with another file is a
    problem."""
    row = manifest.participants.get(pid)
    if pid not in participants:
        participants[pid] = (
            row.model_copy(update=values)
            if row
            else Participant(id=pid, role=values["role"], practice=values["practice"])
        )
        return []
    known = participants[pid]
    if (known.role, known.practice) != (values["role"], values["practice"]):
        return [
            Problem(
                where,
                f"participant {pid!r} has role/practice {values['role']}/"
                f"{values['practice']} here but {known.role}/"
                f"{known.practice} in another transcript",
                "give the participant one role and practice",
            )
        ]
    return []


def _make(
    doc: SourceDoc, config: ProjectConfig, resolved: _Resolved
) -> tuple[Transcript | None, list[Problem]]:
    where = str(doc.path)
    meta = doc.meta
    problems: list[Problem] = []
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
    values = resolved.values
    try:
        transcript = Transcript(
            id=resolved.tid,
            participants=resolved.pid_list,
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


def _build(
    doc: SourceDoc, config: ProjectConfig, manifest: Manifest, participants: dict[str, Participant]
) -> tuple[Transcript | None, list[Problem]]:
    resolved, problems = _resolve(doc, config, manifest)
    if resolved is None:
        return None, problems
    where = f"{doc.path}:{doc.meta_line}"
    problems = _register(participants, manifest, resolved.pid_list[0], resolved.values, where)
    if problems:
        return None, problems
    return _make(doc, config, resolved)


# --------------------------------------------------------------------------- cache

INGEST_CACHE_VERSION = "1"
_CODE_MODULES = (
    "verhalen.ingest.folder",
    "verhalen.ingest.formats",
    "verhalen.ingest.manifest",
    "verhalen.ingest.text",
    "verhalen.ingest.turns",
    "verhalen.records",
    "verhalen.segmentation",
)
_LIBRARIES = ("python-docx", "webvtt-py", "PyYAML", "pydantic")


@functools.cache
def _code_fingerprint() -> str:
    """A hash of the ingest code and the reader libraries: new code never reuses old work."""
    h = hashlib.sha256(INGEST_CACHE_VERSION.encode())
    for name in _CODE_MODULES:
        module = sys.modules.get(name)
        source = getattr(module, "__file__", None)
        h.update(name.encode() + b"\x1f")
        if source:
            with contextlib.suppress(OSError):
                h.update(Path(source).read_bytes())
    for lib in _LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            h.update(f"{lib}={importlib.metadata.version(lib)}".encode())
    return h.hexdigest()


@dataclass
class _Entry:
    """One cached transcript: what replaying its build needs, and its JSON line."""

    key: str
    tid: str
    pid: str
    values: dict[str, str]
    meta_line: int
    note: str | None
    n_segments: int
    line: str


class IngestCache:
    """Parsed transcripts of unchanged source files (``data/cache/ingest/``).

    One entry per source file name (a JSON line of what replaying the build needs, then
    the transcript's JSON line), written atomically; an entry is used only
    when its key matches: the SHA-256 of the file's bytes and name, the configuration
    sections that shape a transcript or its segments, the manifest file's bytes and the
    ingest code (:func:`_code_fingerprint`). A corrupt or foreign entry is a miss.

    Parameters
    ----------
    directory
        The cache folder (created on first write).
    config
        The project configuration.
    manifest_path
        The manifest used for this ingest, or ``None``.
    """

    SUFFIX = ".ingest"

    def __init__(
        self, directory: str | Path, config: ProjectConfig, manifest_path: Path | None
    ) -> None:
        self.directory = Path(directory)
        settings = config.model_dump(
            mode="json", include={"project", "roles", "practices", "speakers", "segmentation"}
        )
        h = hashlib.sha256(_code_fingerprint().encode())
        h.update(json.dumps(settings, sort_keys=True).encode())
        if manifest_path is not None:
            try:
                h.update(manifest_path.name.encode() + b"\x1f" + manifest_path.read_bytes())
            except OSError:  # unreadable manifest (reported by the ingest): no reuse
                h.update(os.urandom(16))
        self.context = h.hexdigest()
        self.hits = 0
        self.misses = 0

    def key(self, path: Path, data: bytes) -> str:
        """The key of a source file's current content under this context."""
        h = hashlib.sha256(self.context.encode())
        h.update(path.name.encode() + b"\x1f")
        h.update(hashlib.sha256(data).digest())
        return h.hexdigest()

    def entry_path(self, path: Path) -> Path:
        return self.directory / (hashlib.sha256(path.name.encode()).hexdigest()[:32] + self.SUFFIX)

    def get(self, path: Path, key: str) -> _Entry | None:
        try:
            with self.entry_path(path).open(encoding="utf-8") as fh:
                head = json.loads(fh.readline())
                line = fh.readline().rstrip("\n")
            entry = _Entry(**head, line=line) if line and isinstance(head, dict) else None
        except (OSError, ValueError, TypeError):  # missing or corrupt: a miss
            entry = None
        if entry is None or entry.key != key:
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, path: Path, entry: _Entry) -> None:
        """Store an entry: written beside its target, then renamed over it (no fsync:
        an entry lost or cut short by a crash is a miss, never a wrong transcript)."""
        head = asdict(entry)
        line = head.pop("line")
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.entry_path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(json.dumps(head, ensure_ascii=False) + "\n" + line + "\n")
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def prune(self, paths: Iterable[Path]) -> None:
        """Delete the entries of source files that are no longer there."""
        if not self.directory.is_dir():
            return
        keep = {self.entry_path(p).name for p in paths}
        for entry in self.directory.glob("*" + self.SUFFIX):
            if entry.name not in keep:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()


def read_transcripts(
    paths: Iterable[Path],
    config: ProjectConfig,
    manifest: Manifest,
    progress: Progress[Path] | None = None,
    *,
    cache: IngestCache | None = None,
    sink: Callable[[str], object] | None = None,
) -> tuple[Corpus, IngestReport, list[Problem]]:
    """Read transcript files into a corpus; returns the problems instead of raising.

    Parameters
    ----------
    cache
        Reuse (and store) parsed transcripts of unchanged files (:class:`IngestCache`).
    sink
        If given, each transcript is passed to it as its JSON line (as in ``corpus.jsonl``)
        instead of being kept: the returned corpus then has participants but no transcripts,
        and ``report.segments`` is already counted.
    """
    paths = list(paths)
    report = IngestReport(files=len(paths))
    problems: list[Problem] = []
    participants: dict[str, Participant] = {}
    transcripts: list[Transcript] = []
    seen: dict[str, Path] = {}
    labels_for = _labels_for(config)
    seg = config.segmentation
    # with a cache, every transcript is segmented while it is read (for the entry's count)
    segments: list[Segment] | None = [] if cache is not None and sink is None else None
    units: list[Segment] = []
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
        key = entry = None
        if cache is not None:
            try:
                key = cache.key(path, path.read_bytes())
            except OSError:
                key = None  # the reader reports it
            entry = cache.get(path, key) if key is not None else None
        transcript: Transcript | None = None
        if entry is not None:
            if entry.note:
                report.notes.append(entry.note)
            found = _register(
                participants, manifest, entry.pid, entry.values, f"{path}:{entry.meta_line}"
            )
            problems.extend(found)
            if found:
                continue
            tid, line, n_segments = entry.tid, entry.line, entry.n_segments
        else:
            doc, doc_problems = reader(path, labels_for)
            problems.extend(doc_problems)
            if doc is None or doc_problems:
                continue
            note = None
            if doc.encoding == "cp1252":
                note = f"{path.name}: decoded as Windows-1252 (cp1252)"
                report.notes.append(note)
            resolved, build_problems = _resolve(doc, config, manifest)
            if resolved is not None:
                where = f"{doc.path}:{doc.meta_line}"
                pid = resolved.pid_list[0]
                build_problems = _register(participants, manifest, pid, resolved.values, where)
                if not build_problems:
                    transcript, build_problems = _make(doc, config, resolved)
            problems.extend(build_problems)
            if transcript is None or resolved is None:
                continue
            tid, line, n_segments = transcript.id, "", -1
            if cache is not None or sink is not None:
                line = transcript.model_dump_json()
                units = segment_transcript(transcript, seg.unit, seg.respondent_only, seg.min_chars)
                n_segments = len(units)
            if cache is not None and key is not None and not build_problems:
                cache.put(
                    path,
                    _Entry(key, tid, pid, resolved.values, doc.meta_line, note, n_segments, line),
                )
        if tid in seen:
            problems.append(
                Problem(
                    str(path),
                    f"duplicate transcript id {tid!r} (also in {seen[tid]})",
                    "give every transcript a unique `id`",
                )
            )
            continue
        seen[tid] = path
        if sink is not None:
            sink(line)
            report.segments += n_segments
            continue
        if transcript is None:
            transcript = Transcript.model_validate_json(line)
            units = segment_transcript(transcript, seg.unit, seg.respondent_only, seg.min_chars)
        transcripts.append(transcript)
        if segments is not None:
            segments.extend(units)
    corpus = Corpus(
        participants=participants,
        transcripts=transcripts,
        unit=config.segmentation.unit,
        respondent_only=config.segmentation.respondent_only,
        min_chars=config.segmentation.min_chars,
    )
    if segments is not None:  # segmented while reading: keep them (as corpus.segments)
        corpus._segments = segments
        report.segments = len(segments)
    report.transcripts = len(seen)
    return corpus, report, problems


def ingest_folder(
    folder: str | Path,
    config: ProjectConfig,
    progress: Progress[Path] | None = None,
    *,
    cache_dir: str | Path | None = None,
    stream_to: str | Path | None = None,
) -> tuple[Corpus, IngestReport]:
    """Read every transcript in ``folder`` (and its manifest) into a validated corpus.

    Parameters
    ----------
    cache_dir
        Folder of an :class:`IngestCache`: unchanged files are not parsed again.
    stream_to
        Write the corpus file here (atomically) while reading, keeping no transcripts in
        memory, and return a :class:`~verhalen.corpus.CorpusFile` on it.

    Raises
    ------
    ValidationError
        Listing every problem in every file (nothing is returned or written then; an
        ingest cache may have learnt the files that were fine).
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
    cache = IngestCache(cache_dir, config, manifest_path) if cache_dir is not None else None
    target = Path(stream_to) if stream_to is not None else None
    with contextlib.ExitStack() as stack:
        body: IO[str] | None = None
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            body = stack.enter_context(
                tempfile.NamedTemporaryFile(
                    "w+",
                    encoding="utf-8",
                    newline="",
                    dir=target.parent,
                    prefix=f".{target.name}.",
                    suffix=".body.tmp",
                )
            )
        sink = (lambda line: body.write(line + "\n")) if body is not None else None
        corpus, report, file_problems = read_transcripts(
            files, config, manifest, progress, cache=cache, sink=sink
        )
        problems.extend(file_problems)
        _check_manifest(manifest, config, corpus, problems)
        if problems:
            raise ValidationError(
                problems,
                summary=f"{folder}: {len(problems)} problem"
                f"{'s' if len(problems) != 1 else ''} found, nothing written",
            )
        if cache is not None:
            cache.prune(files)
        if body is None or target is None:
            report.segments = len(corpus.segments)  # already there if segmented while reading
            return corpus, report
        body.flush()
        body.seek(0)
        with atomic_open(target, "w") as fh:
            fh.write(json.dumps(corpus.header(), ensure_ascii=False, sort_keys=True) + "\n")
            shutil.copyfileobj(body, fh, 1 << 20)
    return CorpusFile(target), report


def _check_manifest(
    manifest: Manifest, config: ProjectConfig, corpus: Corpus, problems: list[Problem]
) -> None:
    """Check the manifest's roles and practices; add its participants to the corpus."""
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
