"""Imported TextSources and Cases → ``verhalen`` transcripts and participants.

* Text comes from ``sources/<file>`` in the archive (``internal://``) or inline
  ``PlainTextContent``; files outside the archive (``relative://``, ``absolute://``) are
  never read — an imported project must not make ``verhalen`` open arbitrary files.
* Participants come from named Cases: ``role`` and ``practice`` variables (also ``rol``
  and ``praktijk``), every other variable an attribute; without a practice variable the
  practice is the one ``Set`` of documents holding the participant's transcript. An
  unnamed Case with one ``SourceRef`` (MAXQDA, Quirkos) holds document variables.
* Transcripts: document variables ``interview.datum``/``interviewers``/``taal`` fill the
  date, interviewers and language; other document variables become metadata.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote

from verhalen.errors import VerhalenError
from verhalen.ingest.turns import SpeakerLabels
from verhalen.interchange.names import Unique
from verhalen.interchange.qdpx_read import RProject, RSource
from verhalen.interchange.report import LossReport
from verhalen.interchange.safe import Container
from verhalen.interchange.textturns import turns_from_text
from verhalen.interchange.variables import Value, as_attribute, value_text
from verhalen.interchange.xmltools import mapping
from verhalen.io import sha256_text
from verhalen.records import Participant, Transcript, Turn

DOC_PREFIX = "interview."
EXTENSIONS = (".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md", ".htm", ".html")
ROLE_NAMES = {"role", "rol"}
PRACTICE_NAMES = {"practice", "praktijk"}


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text of a source file and the encoding found (a BOM is removed, never counted)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def decode_text(
    source: RSource, container: Container, project: RProject, loss: LossReport, notes: list[str]
) -> tuple[str, str] | None:
    """The text of a TextSource, or ``None`` (recorded as lost) when it is not available."""
    label = source.name or source.guid
    if source.content is not None and not source.plain_path:
        return source.content, "utf-8"
    path = source.plain_path or ""
    if path.startswith("internal://"):
        name = path[len("internal://") :]
        entry = (
            container.find(f"sources/{name}")
            or container.find(name)
            or container.find(f"sources/{unquote(name)}")
        )
        if entry is None:
            n = len(source.selections)
            loss.add(
                "missing text",
                label,
                f"{path} is not in the archive; the document and its {n} selection(s) were skipped",
            )
            return None
        text, encoding = decode_bytes(container.read(entry))
        if encoding == "cp1252":
            notes.append(f"{label}: text is not UTF-8; read as Windows-1252")
        return text, encoding
    if source.content is not None:
        return source.content, "utf-8"
    loss.add(
        "external text",
        label,
        f"text file {path or '(none)'} lies outside the archive "
        "and was not read; export the project with its documents embedded",
    )
    return None


def _doc_id(name: str, verhalen_origin: bool) -> str:
    """The transcript id for a source name (verhalen's own names are ids already)."""
    if verhalen_origin:
        return name or "document"
    ident = name.strip()
    if ident.lower().endswith(EXTENSIONS):
        ident = ident.rsplit(".", 1)[0].strip()
    return ident or "document"


def build_participants(
    project: RProject, extra: dict[str, Any], notes: list[str]
) -> tuple[
    dict[str, Participant],
    dict[str, list[str]],
    dict[str, list[tuple[str, Value]]],
    dict[str, str],
]:
    """Participants, the participants of each source GUID, the document variables found
    in unnamed single-source Cases, and the participant id of each Case GUID."""
    participants: dict[str, Participant] = {}
    by_source: dict[str, list[str]] = {}
    doc_vars: dict[str, list[tuple[str, Value]]] = {}
    unique = Unique(separator="_")
    typed = mapping(extra.get("attributes"))
    missing: list[str] = []
    case_ids: dict[str, str] = {}
    for n, case in enumerate(project.cases, start=1):
        named = [(project.variables.get(g, ("", "Text"))[0], v) for g, v in case.variables]
        if not case.name and len(case.sources) == 1:
            doc_vars.setdefault(case.sources[0], []).extend(named)
            continue
        pid = unique(case.name or f"case_{n}")
        case_ids[case.guid] = pid
        role = practice = None
        attributes: dict[str, Any] = {}
        exact = mapping(typed.get(pid))
        for name, value in named:
            if name.casefold() in ROLE_NAMES and value is not None and role is None:
                role = str(value)
            elif name.casefold() in PRACTICE_NAMES and value is not None and practice is None:
                practice = str(value)
            elif (
                name in exact
                and isinstance(exact[name], bool | int | float)
                and value_text(exact[name], "Text") == value
            ):
                attributes[name] = exact[name]
            else:
                attributes[name] = as_attribute(value)
        if practice is None:
            sets = {s for s, members in project.source_sets if set(members) & set(case.sources)}
            practice = sets.pop() if len(sets) == 1 else None
        if role is None or practice is None:
            missing.append(pid)
        participants[pid] = Participant(
            id=pid, role=role or "?", practice=practice or "?", attributes=attributes
        )
        for source in case.sources:
            by_source.setdefault(source, []).append(pid)
    if missing:
        notes.append(
            f"{len(missing)} participant(s) without a role or practice ('?'): "
            f"{', '.join(missing[:10])}{' …' if len(missing) > 10 else ''} — add "
            "'role' and 'practice' case variables or fill them in later"
        )
    return participants, by_source, doc_vars, case_ids


def _date(value: Value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _sidecar_turns(data: Any, text: str) -> list[Turn] | None:
    if not isinstance(data, list):
        return None
    try:
        return [Turn(**t, text=text[t["start"] : t["end"]]) for t in data]
    except (TypeError, KeyError, ValueError):
        return None


def build_transcripts(
    sources: list[RSource],
    texts: dict[str, tuple[str, list[bool], str]],
    project: RProject,
    extra: dict[str, Any],
    labels: SpeakerLabels,
    by_source: dict[str, list[str]],
    doc_vars: dict[str, list[tuple[str, Value]]],
    verhalen_origin: bool,
    notes: list[str],
) -> tuple[list[Transcript], dict[str, str]]:
    """Transcripts (in document order) and the transcript id of each source GUID."""
    unique = Unique(separator="_")
    ids: dict[str, str] = {}
    out: list[Transcript] = []
    sidecars = mapping(extra.get("transcripts"))
    unlinked = 0
    for source in sources:
        tid = unique(_doc_id(source.name, verhalen_origin))
        ids[source.guid] = tid
        text, _, encoding = texts[source.guid]
        side = mapping(sidecars.get(tid)) if verhalen_origin else {}
        if side.get("sha256") != sha256_text(text):
            side = {}
        variables = [(project.variables.get(g, ("", "Text"))[0], v) for g, v in source.variables]
        variables += doc_vars.get(source.guid, [])
        date, interviewers, language = None, [], "nl"
        metadata: dict[str, Any] = {}
        for name, value in variables:
            key = name[len(DOC_PREFIX) :] if name.startswith(DOC_PREFIX) else None
            if key == "datum":
                date = _date(value)
            elif key == "interviewers":
                interviewers = [p.strip() for p in str(value or "").split(";") if p.strip()]
            elif key == "taal" and value:
                language = str(value)
            else:
                metadata[key if key is not None else name] = as_attribute(value)
        if isinstance(side.get("metadata"), dict):
            metadata = side["metadata"]
        pids = by_source.get(source.guid, [])
        ordered = side.get("participants")
        if (
            isinstance(ordered, list)
            and all(isinstance(p, str) for p in ordered)
            and sorted(ordered) == sorted(pids)
        ):
            pids = list(ordered)
        unlinked += not pids
        turns = _sidecar_turns(side.get("turns"), text)
        if turns is None:
            turns, turn_notes = turns_from_text(text, labels, tid)
            notes.extend(turn_notes)
        try:
            out.append(
                Transcript(
                    id=tid,
                    participants=pids,
                    interviewers=interviewers,
                    date=date,
                    language=language,
                    source_file=str(side.get("source_file", source.name)),
                    source_format=str(side.get("source_format", "refi-qda")),
                    encoding=str(side.get("encoding", encoding)),
                    text=text,
                    turns=turns,
                    metadata=metadata,
                )
            )
        except ValueError as exc:
            raise VerhalenError(
                f"{source.name}: cannot build a transcript ({exc}) — please "
                "report this with the file"
            ) from exc
    if unlinked:
        notes.append(
            f"{unlinked} transcript(s) have no participant (no Case refers to them) — "
            "add Cases in the QDA program, or participants later"
        )
    return out, ids
