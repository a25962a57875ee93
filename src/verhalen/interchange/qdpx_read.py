"""Read a REFI-QDA project tree into plain dataclasses (first step of the import).

This step knows the XML and the vendor variants, not ``verhalen``'s records: it
collects users, variables, cases, text sources with their selections, codings and memos,
and records in a :class:`~.report.LossReport` everything of a kind ``verhalen`` cannot
use (pictures, PDF areas, audio and video, graphs, links, code memos …).
:mod:`.qdpx_import` turns the result into a corpus, a codebook and codings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from verhalen.errors import Problem
from verhalen.interchange.guids import is_guid, normalise_guid
from verhalen.interchange.report import LossReport, excerpt
from verhalen.interchange.variables import Value, read_value
from verhalen.interchange.xmltools import guid_attr, kid, kids, text_of

MEDIA = {
    "PictureSource": ("picture", "PictureSelection", "picture area"),
    "PDFSource": ("pdf", "PDFSelection", "PDF area"),
    "AudioSource": ("audio", "AudioSelection", "audio clip"),
    "VideoSource": ("video", "VideoSelection", "video clip"),
}


@dataclass
class RCoding:
    guid: str
    code: str | None
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class RSelection:
    guid: str
    name: str | None
    start: int
    end: int
    user: str | None
    created: str | None
    description: str
    codings: list[RCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass
class RSource:
    guid: str
    name: str
    plain_path: str | None
    content: str | None
    rich_path: str | None
    created: str | None
    selections: list[RSelection] = field(default_factory=list)
    codings: list[RCoding] = field(default_factory=list)
    variables: list[tuple[str, Value]] = field(default_factory=list)


@dataclass
class RCase:
    guid: str
    name: str
    variables: list[tuple[str, Value]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class RNote:
    guid: str
    name: str
    content: str | None
    path: str | None


@dataclass
class RProject:
    """The parts of a ``project.qde`` that ``verhalen`` can use."""

    name: str
    origin: str
    created: str | None
    creating_user: str | None
    users: dict[str, str] = field(default_factory=dict)  # guid -> name (or id)
    variables: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid -> name, type
    cases: list[RCase] = field(default_factory=list)
    sources: list[RSource] = field(default_factory=list)
    notes: dict[str, RNote] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)  # guid -> linked notes
    source_sets: list[tuple[str, list[str]]] = field(default_factory=list)  # name, sources
    code_sets: list[etree._Element] = field(default_factory=list)
    codes: etree._Element | None = None


def _int(el: etree._Element, attribute: str, where: str, problems: list[Problem]) -> int:
    try:
        return int((el.get(attribute) or "").strip())
    except ValueError:
        problems.append(
            Problem(
                f"{where}:{el.sourceline} ({el.tag}@{attribute})",
                f"{el.get(attribute)!r} is not a whole number",
                "positions must be integers; export the file again",
            )
        )
        return 0


def _ref(el: etree._Element | None) -> str | None:
    value = el.get("targetGUID") if el is not None else None
    return normalise_guid(value) if value and is_guid(value) else None


def _user(el: etree._Element, attribute: str) -> str | None:
    value = el.get(attribute)
    return normalise_guid(value) if value and is_guid(value) else None


def _note_refs(el: etree._Element) -> list[str]:
    return [r for r in (_ref(n) for n in kids(el, "NoteRef")) if r]


def _coding(el: etree._Element, where: str, problems: list[Problem]) -> RCoding | None:
    guid = guid_attr(el, "guid", where, problems)
    if guid is None:
        return None
    return RCoding(
        guid,
        _ref(kid(el, "CodeRef")),
        _user(el, "creatingUser"),
        el.get("creationDateTime"),
        _note_refs(el),
    )


def _variables(el: etree._Element) -> list[tuple[str, Value]]:
    out = []
    for vv in kids(el, "VariableValue"):
        ref = _ref(kid(vv, "VariableRef"))
        if ref:
            out.append((ref, read_value(vv)))
    return out


def _text_source(
    el: etree._Element, where: str, problems: list[Problem], loss: LossReport
) -> RSource | None:
    guid = guid_attr(el, "guid", where, problems)
    if guid is None:
        return None
    content_el = kid(el, "PlainTextContent")
    source = RSource(
        guid,
        el.get("name") or "",
        el.get("plainTextPath"),
        text_of(content_el) if content_el is not None else None,
        el.get("richTextPath"),
        el.get("creationDateTime"),
    )
    for sel in kids(el, "PlainTextSelection"):
        sel_guid = guid_attr(sel, "guid", where, problems)
        if sel_guid is None:
            continue
        desc = kid(sel, "Description")
        selection = RSelection(
            sel_guid,
            sel.get("name"),
            _int(sel, "startPosition", where, problems),
            _int(sel, "endPosition", where, problems),
            _user(sel, "creatingUser") or _user(sel, "modifyingUser"),
            sel.get("creationDateTime") or sel.get("modifiedDateTime"),
            text_of(desc),
            notes=_note_refs(sel),
            line=sel.sourceline if isinstance(sel.sourceline, int) else None,
        )
        selection.codings = [
            c for c in (_coding(c, where, problems) for c in kids(sel, "Coding")) if c
        ]
        source.selections.append(selection)
    source.codings = [c for c in (_coding(c, where, problems) for c in kids(el, "Coding")) if c]
    source.variables = _variables(el)
    if _note_refs(el):
        loss.add("document memo", source.name, f"{len(_note_refs(el))} memo(s) on the document")
    return source


def _media(el: etree._Element, loss: LossReport) -> None:
    kind, selection_tag, what = MEDIA[el.tag]
    name = el.get("name") or el.get("guid") or "?"
    n_sel = len(kids(el, selection_tag))
    n_coded = sum(len(kids(s, "Coding")) for s in kids(el, selection_tag))
    loss.add(
        kind,
        name,
        f"{kind} source with {n_sel} {what}(s) and {n_coded} coding(s); verhalen only imports text",
    )
    for transcript in kids(el, "Transcript"):
        n = len(kids(transcript, "TranscriptSelection"))
        loss.add(
            "media transcript", name, f"transcript of the {kind} with {n} synchronised selection(s)"
        )
    for rep in kids(el, "Representation"):
        loss.add("pdf", name, f"text representation ({excerpt(text_of(rep))!r}) not imported")


def read_project(
    root: etree._Element, where: str, problems: list[Problem], loss: LossReport
) -> RProject:
    """Collect what ``verhalen`` can use from a canonicalised ``Project`` element."""
    project = RProject(
        root.get("name") or "",
        root.get("origin") or "",
        root.get("modifiedDateTime") or root.get("creationDateTime"),
        _user(root, "creatingUserGUID"),
    )
    users = kid(root, "Users")
    for user in kids(users, "User") if users is not None else []:
        guid = guid_attr(user, "guid", where, problems)
        if guid:
            project.users[guid] = user.get("name") or user.get("id") or ""
    book = kid(root, "CodeBook")
    project.codes = kid(book, "Codes") if book is not None else None
    if project.codes is not None:
        for code in project.codes.iter("Code"):
            if kids(code, "NoteRef"):
                loss.add("code memo", code.get("name") or "?", "memo(s) linked to the code")
    variables = kid(root, "Variables")
    for var in kids(variables, "Variable") if variables is not None else []:
        guid = guid_attr(var, "guid", where, problems)
        if guid:
            project.variables[guid] = (var.get("name") or "", var.get("typeOfVariable") or "Text")
    cases = kid(root, "Cases")
    for case in kids(cases, "Case") if cases is not None else []:
        guid = guid_attr(case, "guid", where, problems)
        if guid is None:
            continue
        rcase = RCase(
            guid,
            (case.get("name") or "").strip(),
            _variables(case),
            [r for r in (_ref(s) for s in kids(case, "SourceRef")) if r],
        )
        project.cases.append(rcase)
        label = rcase.name or guid
        if kids(case, "CodeRef"):
            loss.add(
                "case coding",
                label,
                f"{len(kids(case, 'CodeRef'))} code(s) applied to the case as a whole",
            )
        if kids(case, "SelectionRef"):
            loss.add(
                "case selection",
                label,
                f"{len(kids(case, 'SelectionRef'))} selection(s) linked to the case",
            )
    sources = kid(root, "Sources")
    for el in list(sources) if sources is not None else []:
        if el.tag == "TextSource":
            source = _text_source(el, where, problems, loss)
            if source is not None:
                project.sources.append(source)
        elif el.tag in MEDIA:
            _media(el, loss)
    notes = kid(root, "Notes")
    for note in kids(notes, "Note") if notes is not None else []:
        guid = guid_attr(note, "guid", where, problems)
        if guid:
            content = kid(note, "PlainTextContent")
            project.notes[guid] = RNote(
                guid,
                note.get("name") or "",
                text_of(content) if content is not None else None,
                note.get("plainTextPath"),
            )
    links = kid(root, "Links")
    for link in kids(links, "Link") if links is not None else []:
        origin, target = _user(link, "originGUID"), _user(link, "targetGUID")
        if origin in project.notes and target:
            project.links.setdefault(target, []).append(origin)
        elif target in project.notes and origin:
            project.links.setdefault(origin, []).append(target)
        else:
            loss.add(
                "link",
                link.get("name") or link.get("guid") or "?",
                "a link between two items (only memo links are imported)",
            )
    sets = kid(root, "Sets")
    for set_el in kids(sets, "Set") if sets is not None else []:
        members = [r for r in (_ref(m) for m in kids(set_el, "MemberSource")) if r]
        if kids(set_el, "MemberCode"):
            project.code_sets.append(set_el)
            if members:
                loss.add(
                    "set",
                    set_el.get("name") or "?",
                    f"{len(members)} document member(s) of a set that also groups codes",
                )
        elif members:  # a document group: may name the participants' practice
            project.source_sets.append((set_el.get("name") or "", members))
        if kids(set_el, "MemberNote"):
            loss.add("set", set_el.get("name") or "?", "memo members of a set")
    graphs = kid(root, "Graphs")
    for graph in kids(graphs, "Graph") if graphs is not None else []:
        loss.add(
            "graph",
            graph.get("name") or graph.get("guid") or "?",
            f"network/graph with {len(kids(graph, 'Vertex'))} node(s) and "
            f"{len(kids(graph, 'Edge'))} edge(s)",
        )
    return project


def parse_datetime(value: str | None) -> dt.datetime | None:
    """An ``xsd:dateTime`` as a datetime (``Z`` accepted), or ``None``."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
