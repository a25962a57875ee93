"""Export a project as a REFI-QDA project (``.qdpx``) for ATLAS.ti, MAXQDA, NVivo …

What goes where:

* transcripts → ``TextSource`` with the text as UTF-8 in ``sources/<guid>.txt``; date,
  interviewers, language and (optionally) metadata as document variables
  ``interview.*``;
* factors and codes → the ``CodeBook`` (see :mod:`.codetree`);
* codings → one ``PlainTextSelection`` (code-point offsets) per transcript, span and
  coder, with one ``Coding`` per code; a memo shared by all codings of a selection is its
  ``Description``, other memos are ``Note``\\ s referenced from their ``Coding``;
* coders → ``User``; participants → ``Case`` with variables ``role``, ``practice`` and
  every attribute (never the name), linked to their transcripts; practices → ``Set``.

GUIDs are deterministic (:mod:`.guids`), the ZIP has fixed timestamps and entry order, so
the same input gives the same bytes. Before anything is written the project is validated
against the REFI-QDA schema and checked for reference integrity (:mod:`.integrity`).
``verhalen``-only details (turn timings, codebook changelog) travel in an XML comment.

Privacy: this function exports the corpus it is given — pass the pseudonymised corpus
with codings moved to its text (:func:`.privacy_bridge.pseudonymise_for_export` does
both; ``verhalen export qdpx`` uses it by default). ``Participant.name`` is never written.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from verhalen import __version__
from verhalen.corpus import Corpus
from verhalen.errors import Problem, ValidationError
from verhalen.interchange import export_data
from verhalen.interchange.codetree import write_code_tree
from verhalen.interchange.export_data import Span
from verhalen.interchange.guids import GuidMap, GuidMinter, codebook_namespace, project_namespace
from verhalen.interchange.integrity import check_project
from verhalen.interchange.qdc import codebook_meta
from verhalen.interchange.report import ExportResult
from verhalen.interchange.schema import validate
from verhalen.interchange.variables import add_value, variable_type
from verhalen.interchange.xmltools import PROJECT_NS, extra_comment, xml_safe
from verhalen.io import atomic_write_bytes
from verhalen.records import Codebook, Coding

ORIGIN = f"verhalen {__version__}"
NAME_CHARS = 100
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _q(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _q(tag))
    for key, value in attrs.items():
        el.set(key, value)
    return el


def build_project(
    corpus: Corpus,
    codebook: Codebook,
    codings: Iterable[Coding],
    *,
    project_name: str,
    guids: GuidMap | None = None,
    practice_labels: dict[str, str] | None = None,
    include_metadata: bool = True,
) -> tuple[etree._Element, dict[str, bytes], ExportResult]:
    """The project XML tree and the source files, validated; see :func:`export_qdpx`."""
    problems: list[Problem] = []
    result = ExportResult(path=Path())
    mint = GuidMinter(project_namespace(project_name), guids)
    code_mint = GuidMinter(codebook_namespace(codebook.id), guids)
    spans = export_data.spans(corpus, codebook, codings, problems)
    if problems:
        raise ValidationError(
            problems, summary="export stopped: some codings cannot be exported, nothing written"
        )
    root = etree.Element(_q("Project"), nsmap={None: PROJECT_NS})  # type: ignore[dict-item]
    root.set("name", xml_safe(project_name)[0])
    root.set("origin", ORIGIN)
    extra: dict[str, Any] = {
        "codebook": codebook_meta(codebook),
        "corpus": {
            "unit": corpus.unit.value,
            "respondent_only": corpus.respondent_only,
            "min_chars": corpus.min_chars,
        },
        "transcripts": {
            t.id: export_data.transcript_extra(t, include_metadata) for t in corpus.transcripts
        },
    }
    typed = export_data.typed_attributes(corpus)
    if typed:
        extra["attributes"] = typed
    root.append(extra_comment(extra))

    coders = sorted({s.coder for s in spans})
    users = {coder: mint("user", coder) for coder in coders}
    if users:
        users_el = _sub(root, "Users")
        for coder, guid in users.items():
            _sub(users_el, "User", guid=guid, name=coder)
    code_guids: dict[str, str] = {}
    if codebook.factors or codebook.codes:
        codes_el = _sub(_sub(root, "CodeBook"), "Codes")
        code_guids = write_code_tree(
            codes_el, codebook.factors, codebook.codes, code_mint, PROJECT_NS, result.notes
        )

    variables = export_data.variables(corpus, include_metadata)
    var_types = {name: variable_type(values) for name, values in variables.items()}
    var_guids = {name: mint("variable", name) for name in variables}
    if variables:
        vars_el = _sub(root, "Variables")
        for name in variables:
            _sub(
                vars_el,
                "Variable",
                guid=var_guids[name],
                name=xml_safe(name)[0],
                typeOfVariable=var_types[name],
            )
    source_guids = {t.id: mint("source", t.id) for t in corpus.transcripts}
    cleaned = 0
    if corpus.participants:
        cases_el = _sub(root, "Cases")
        for p in corpus.participants.values():
            case = _sub(cases_el, "Case", guid=mint("case", p.id), name=xml_safe(p.id)[0])
            values: list[tuple[str, object]] = [("role", p.role), ("practice", p.practice)]
            values += p.attributes.items()
            for name, value in values:
                cleaned += add_value(case, PROJECT_NS, var_guids[name], var_types[name], value)
            for t in corpus.transcripts:
                if p.id in t.participants:
                    _sub(case, "SourceRef", targetGUID=source_guids[t.id])
        result.cases = len(corpus.participants)

    by_source: dict[str, dict[tuple[int, int, str], list[Span]]] = {}
    for s in sorted(spans, key=lambda s: (s.transcript_id, s.start, s.end, s.coder, s.code_id)):
        by_source.setdefault(s.transcript_id, {}).setdefault((s.start, s.end, s.coder), []).append(
            s
        )
    files: dict[str, bytes] = {}
    notes: list[tuple[str, str, str]] = []
    sources_el = _sub(root, "Sources") if corpus.transcripts else None
    for t in corpus.transcripts:
        assert sources_el is not None
        guid = source_guids[t.id]
        files[f"sources/{guid}.txt"] = t.text.encode("utf-8")
        src = _sub(
            sources_el,
            "TextSource",
            guid=guid,
            name=xml_safe(t.id)[0],
            plainTextPath=f"internal://{guid}.txt",
        )
        for (start, end, coder), group in by_source.get(t.id, {}).items():
            sel = _sub(
                src,
                "PlainTextSelection",
                guid=mint("selection", t.id, start, end, coder),
                name=xml_safe(t.text[start:end][:NAME_CHARS])[0],
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=users[coder],
                creationDateTime=min(s.timestamp for s in group),
            )
            shared = len({s.memo for s in group}) == 1 and group[0].memo != ""
            if shared:
                memo, n = xml_safe(group[0].memo)
                cleaned += n > 0
                _sub(sel, "Description").text = memo
            for s in group:
                coding = _sub(
                    sel,
                    "Coding",
                    guid=mint("coding", t.id, start, end, coder, s.code_id),
                    creatingUser=users[coder],
                    creationDateTime=s.timestamp,
                )
                _sub(coding, "CodeRef", targetGUID=code_guids[s.code_id])
                if s.memo and not shared:
                    note_guid = mint("note", t.id, start, end, coder, s.code_id)
                    _sub(coding, "NoteRef", targetGUID=note_guid)
                    notes.append((note_guid, s.memo, coder))
                result.codings += 1
            result.selections += 1
        for name, value in export_data.doc_values(t, include_metadata):
            cleaned += add_value(src, PROJECT_NS, var_guids[name], var_types[name], value)
    if notes:
        notes_el = _sub(root, "Notes")
        for note_guid, memo, coder in notes:
            note = _sub(notes_el, "Note", guid=note_guid, name="memo", creatingUser=users[coder])
            text, n = xml_safe(memo)
            cleaned += n > 0
            _sub(note, "PlainTextContent").text = text
    practices = list(dict.fromkeys(p.practice for p in corpus.participants.values()))
    if practices:
        sets_el = _sub(root, "Sets")
        for practice in practices:
            set_el = _sub(sets_el, "Set", guid=mint("set", practice), name=xml_safe(practice)[0])
            label = (practice_labels or {}).get(practice)
            if label:
                _sub(set_el, "Description").text = xml_safe(label)[0]
            for t in corpus.transcripts:
                if any(
                    corpus.participants.get(pid) is not None
                    and corpus.participants[pid].practice == practice
                    for pid in t.participants
                ):
                    _sub(set_el, "MemberSource", targetGUID=source_guids[t.id])
        result.sets = len(practices)
    if cleaned:
        result.notes.append(
            f"{cleaned} text(s) held characters XML cannot hold; they were replaced by U+FFFD"
        )
    for name, seen in variables.items():
        if var_types[name] == "Text" and any(
            v is not None and not isinstance(v, str) for v in seen
        ):
            result.notes.append(f"variable {name!r} mixes types; written as text")

    validate(root, "project", "the exported project")
    problems = check_project(root, files, "the exported project")
    if problems:
        raise ValidationError(
            problems,
            summary="export stopped: reference integrity check "
            "failed (a bug in verhalen), nothing written",
        )
    result.sources = len(corpus.transcripts)
    result.factors = len(codebook.factors)
    result.codes = len(codebook.codes)
    result.users = len(users)
    return root, files, result


def qdpx_bytes(root: etree._Element, files: dict[str, bytes]) -> bytes:
    """The ``.qdpx`` archive: ``project.qde`` first, then sources in name order; fixed
    timestamps and permissions, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    qde = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [("project.qde", qde), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def export_qdpx(
    path: str | Path,
    corpus: Corpus,
    codebook: Codebook,
    codings: Iterable[Coding],
    *,
    project_name: str,
    guids: GuidMap | None = None,
    practice_labels: dict[str, str] | None = None,
    include_metadata: bool = True,
) -> ExportResult:
    """Write a REFI-QDA project file (``.qdpx``), validated, atomically.

    Parameters
    ----------
    path
        The ``.qdpx`` file to write (replaced atomically if it exists).
    corpus
        The corpus to export, as given: pass the pseudonymised corpus. Participant names
        are never exported.
    codebook
        Factors and codes; every coding's code (after merges) must be in it.
    codings
        Codings of any number of coders (e.g. :meth:`CodedStore.codings`).
    project_name
        The project's name; also seeds the deterministic GUIDs.
    guids
        GUIDs to reuse (from an earlier import), keyed ``"<kind>:<id>"``.
    practice_labels
        Practice id → label, written as the description of each practice ``Set``.
    include_metadata
        Whether transcript metadata (front matter) is exported as document variables.

    Returns
    -------
    ExportResult
        Counts, notes on anything adapted, and the SHA-256 of the file.

    Raises
    ------
    ValidationError
        If codings point at unknown codes, segments or spans (all listed), or the result
        would not be valid REFI-QDA; nothing is written then.
    """
    root, files, result = build_project(
        corpus,
        codebook,
        codings,
        project_name=project_name,
        guids=guids,
        practice_labels=practice_labels,
        include_metadata=include_metadata,
    )
    data = qdpx_bytes(root, files)
    atomic_write_bytes(path, data)
    result.path = Path(path)
    result.sha256 = hashlib.sha256(data).hexdigest()
    return result
