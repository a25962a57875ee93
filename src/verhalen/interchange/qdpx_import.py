"""Import a REFI-QDA project (``.qdpx`` or bare ``.qde``) from any QDA program.

:func:`import_qdpx` returns an :class:`ImportResult`: a corpus (participants from Cases,
transcripts from TextSources, turns located in the text), a codebook, codings of every
coder with ``coder``, ``transcript_id``, ``start`` and ``end`` (ready for unitizing
agreement), a drift report (every selection verified) and a data-loss report. Nothing is
written; the CLI (``verhalen import qdpx``) stores the result in a project.

Vendor variants handled: namespaces and folder case (:mod:`.safe`, :mod:`.xmltools`),
position schemes (:mod:`.offsets`), memos (ATLAS.ti selection ``Description``, MAXQDA
selection without coding, NVivo note linked to the selection), document variables
(MAXQDA/Quirkos unnamed case with one ``SourceRef``, others ``VariableValue`` in the
source), hierarchy (:mod:`.codetree`) and NVivo's one-selection-per-coding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from verhalen.config import SpeakerSection
from verhalen.corpus import Corpus
from verhalen.errors import Problem, ValidationError, VerhalenError
from verhalen.ingest.turns import SpeakerLabels
from verhalen.interchange.codetree import read_code_tree
from verhalen.interchange.guids import GuidMap
from verhalen.interchange.names import Unique, coder_name, slugify
from verhalen.interchange.offsets import PositionMap, normalise_newlines, scheme_for
from verhalen.interchange.qdpx_read import RProject, RSource, parse_datetime, read_project
from verhalen.interchange.report import DriftReport, LossReport
from verhalen.interchange.safe import DEFAULT_LIMITS, Container, Limits, open_container, parse_xml
from verhalen.interchange.selections import SelectionReader
from verhalen.interchange.sources import build_participants, build_transcripts, decode_text
from verhalen.interchange.textturns import assign_segments
from verhalen.interchange.xmltools import canonicalise, mapping, read_extra
from verhalen.records import ChangeEntry, Code, Codebook, Coding, Factor, SegmentUnit

CODEBOOK_META = ("id", "name", "version", "language", "description", "source")


@dataclass
class ImportResult:
    """Everything read from a REFI-QDA project; nothing is written yet."""

    corpus: Corpus
    codebook: Codebook
    codings: list[Coding]
    drift: DriftReport
    loss: LossReport
    guids: GuidMap
    coders: dict[str, str] = field(default_factory=dict)  # user GUID -> coder name
    origin: str = ""
    project_name: str = ""
    notes: list[str] = field(default_factory=list)

    def codings_by_coder(self) -> dict[str, list[Coding]]:
        """Codings grouped per coder, coders sorted."""
        out: dict[str, list[Coding]] = {}
        for coding in self.codings:
            out.setdefault(coding.coder, []).append(coding)
        return dict(sorted(out.items()))


def _labels() -> SpeakerLabels:
    section = SpeakerSection()
    return SpeakerLabels.build(section.interviewer, section.respondent, section.other)


def _codebook(
    project: RProject,
    extra: dict[str, Any],
    path: Path,
    factors: list[Factor],
    codes: list[Code],
    notes: list[str],
) -> Codebook:
    fields: dict[str, Any] = {
        "id": slugify(project.name or path.stem, "codebook"),
        "name": project.name or path.stem,
        "source": f"{path.name} ({project.origin or 'onbekend programma'})",
    }
    meta = mapping(extra.get("codebook"))
    if meta:
        try:
            kept = {k: meta[k] for k in CODEBOOK_META if k in meta}
            changelog = [ChangeEntry.model_validate(e) for e in meta.get("changelog", [])]
            return Codebook(**(fields | kept), factors=factors, codes=codes, changelog=changelog)
        except (PydanticValidationError, TypeError):
            notes.append(
                "the codebook details verhalen stored in the file are damaged; "
                "ignored (codes and factors are complete)"
            )
    return Codebook(**fields, factors=factors, codes=codes)


def _settings(extra: dict[str, Any]) -> tuple[SegmentUnit, bool, int]:
    """Segmentation stored by verhalen in the file (defaults when absent or damaged)."""
    stored = mapping(extra.get("corpus"))
    try:
        return (
            SegmentUnit(stored.get("unit", "turn")),
            bool(stored.get("respondent_only", True)),
            int(stored.get("min_chars", 1)),
        )
    except (ValueError, TypeError):
        return SegmentUnit.turn, True, 1


def _coders(project: RProject, guids: GuidMap) -> dict[str, str]:
    unique = Unique(separator="_")
    coders: dict[str, str] = {}
    for guid, name in project.users.items():
        coders[guid] = unique(coder_name(name, "coder"))
        guids[f"user:{coders[guid]}"] = guid
    return coders


def import_qdpx(
    path: str | Path,
    *,
    labels: SpeakerLabels | None = None,
    unit: SegmentUnit | None = None,
    respondent_only: bool | None = None,
    min_chars: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportResult:
    """Read a ``.qdpx`` archive or a bare ``.qde`` file.

    Parameters
    ----------
    path
        The file to import (untrusted: read with the caps of ``limits``).
    labels
        Speaker labels for locating turns (default: verhalen's default labels).
    unit, respondent_only, min_chars
        Segmentation of the resulting corpus (default: as exported by verhalen, else
        turns of respondents).
    limits
        Caps on archive size, entries and compression ratio.

    Raises
    ------
    UnsafeInputError
        Path traversal, zip bombs, DTDs (nothing is read).
    ValidationError
        Malformed GUIDs, duplicate GUIDs or positions that are not numbers (all listed).
    """
    path = Path(path)
    container = open_container(path, limits)
    try:
        return _import(container, labels or _labels(), unit, respondent_only, min_chars)
    finally:
        container.close()


def _import(
    container: Container,
    labels: SpeakerLabels,
    unit: SegmentUnit | None,
    respondent_only: bool | None,
    min_chars: int | None,
) -> ImportResult:
    where = (
        f"{container.path}!{container.qde_name}"
        if container.qde_name != container.path.name
        else str(container.path)
    )
    root = parse_xml(container.qde, where)
    canonicalise(root)
    if root.tag != "Project":
        raise VerhalenError(
            f"{where}: the root element is <{root.tag}>, not <Project> — is "
            "this a REFI-QDA project? (codebooks are .qdc files)"
        )
    problems: list[Problem] = []
    loss = LossReport()
    project = read_project(root, where, problems, loss)
    guids = GuidMap()
    tree = read_code_tree(project.codes, project.code_sets, where, problems)
    if problems:
        raise ValidationError(
            problems, summary=f"{where}: not a valid REFI-QDA project, nothing imported"
        )
    for name in tree.unmapped_sets:
        loss.add("set", name, "code group whose codes all have a parent already")
    extra = read_extra(root) or {}
    verhalen_origin = project.origin.casefold().startswith("verhalen")
    notes = list(tree.notes)
    codebook = _codebook(project, extra, container.path, tree.factors, tree.codes, notes)
    for key, guid in tree.guids.items():
        guids[key] = guid
    coders = _coders(project, guids)
    fallback_stamp = parse_datetime(project.created) or dt.datetime(
        *container.timestamp, tzinfo=dt.UTC
    )

    texts: dict[str, tuple[str, list[bool], str]] = {}  # source guid -> text, crlf, encoding
    usable: list[RSource] = []
    for source in project.sources:
        decoded = decode_text(source, container, project, loss, notes)
        if decoded is None:
            continue
        text, encoding = decoded
        if verhalen_origin:
            texts[source.guid] = (text, [], encoding)
        else:
            norm, crlf = normalise_newlines(text)
            texts[source.guid] = (norm, crlf, encoding)
        usable.append(source)
        if source.rich_path:
            loss.add(
                "rich text",
                source.name or source.guid,
                "formatting (rich text version) not imported; plain text used",
            )

    participants, by_source, doc_vars, case_ids = build_participants(project, extra, notes)
    transcripts, ids = build_transcripts(
        usable, texts, project, extra, labels, by_source, doc_vars, verhalen_origin, notes
    )
    for source in usable:
        guids[f"source:{ids[source.guid]}"] = source.guid
    for case_guid, pid in case_ids.items():
        guids[f"case:{pid}"] = case_guid
    practices = {p.practice for p in participants.values()}
    for name, members in project.source_sets:
        if name not in practices:  # a practice set is carried by the participants
            loss.add("set", name, f"document group with {len(members)} document(s)")
    stored_unit, stored_respondent_only, stored_min_chars = _settings(extra)
    corpus = Corpus(
        participants=participants,
        transcripts=transcripts,
        unit=unit or stored_unit,
        respondent_only=stored_respondent_only if respondent_only is None else respondent_only,
        min_chars=stored_min_chars if min_chars is None else min_chars,
    )

    default = "codepoints" if verhalen_origin else scheme_for(project.origin)
    drift = DriftReport(default_scheme=default)
    reader = SelectionReader(
        project,
        tree.by_guid,
        tree.factor_guids,
        coders,
        codebook.version,
        fallback_stamp,
        container,
        drift,
        loss,
    )
    codings: list[Coding] = []
    for source in usable:
        text, crlf, _ = texts[source.guid]
        codings += reader.read(source, ids[source.guid], PositionMap(text, crlf), default)
    reader.report_unused_notes()
    codings = assign_segments(codings, corpus.segments)
    notes += reader.notes
    return ImportResult(
        corpus=corpus,
        codebook=codebook,
        codings=codings,
        drift=drift,
        loss=loss,
        guids=guids,
        coders=coders,
        origin=project.origin,
        project_name=project.name,
        notes=notes,
    )
