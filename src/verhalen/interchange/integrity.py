"""Reference integrity of a REFI-QDA project: what the XSD does not check.

The schema does not check that GUIDs are unique, that every ``CodeRef``, ``SourceRef``,
``NoteRef``, ``SelectionRef``, ``VariableRef`` and user reference points at something
that exists, or that ``internal://`` paths exist in the archive. :func:`check_project`
does, on export (every problem is an error) and on import (problems are reported and the
broken references skipped).
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from verhalen.errors import Problem
from verhalen.interchange.guids import normalise_guid

SOURCES = {"TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource"}
SELECTIONS = {
    "PlainTextSelection",
    "PictureSelection",
    "PDFSelection",
    "AudioSelection",
    "VideoSelection",
    "TranscriptSelection",
}

# element -> {attribute: kinds of element the reference must point at (None: anything)}
REFERENCES: dict[str, dict[str, set[str] | None]] = {
    "CodeRef": {"targetGUID": {"Code"}},
    "MemberCode": {"targetGUID": {"Code"}},
    "SourceRef": {"targetGUID": SOURCES},
    "MemberSource": {"targetGUID": SOURCES},
    "NoteRef": {"targetGUID": {"Note"}},
    "MemberNote": {"targetGUID": {"Note"}},
    "SelectionRef": {"targetGUID": SELECTIONS},
    "VariableRef": {"targetGUID": {"Variable"}},
    "Link": {"originGUID": None, "targetGUID": None},
    "Vertex": {"representedGUID": None},
    "Edge": {"sourceVertex": {"Vertex"}, "targetVertex": {"Vertex"}},
    "SyncPoint": {},
}
USER_ATTRIBUTES = ("creatingUser", "modifyingUser", "creatingUserGUID", "modifyingUserGUID")
PATH_ATTRIBUTES = ("plainTextPath", "richTextPath", "path")


def local(el: etree._Element) -> str:
    """The element's tag without namespace."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _line(where: str, el: etree._Element, attribute: str) -> str:
    return f"{where}:{el.sourceline or '?'} ({local(el)}@{attribute})"


def check_project(root: etree._Element, entries: Iterable[str], where: str) -> list[Problem]:
    """Every integrity problem in a project tree; ``entries`` are the archive's paths."""
    problems: list[Problem] = []
    kinds: dict[str, str] = {}
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    for el in elements:
        guid = el.get("guid")
        if guid is None:
            continue
        key = normalise_guid(guid)
        if key in kinds:
            problems.append(
                Problem(
                    _line(where, el, "guid"),
                    f"GUID {guid} is used twice (also by a {kinds[key]})",
                    "every element needs its own GUID",
                )
            )
        else:
            kinds[key] = local(el)
    lowered = {e.casefold() for e in entries}
    for el in elements:
        tag = local(el)
        for attribute, allowed in REFERENCES.get(tag, {}).items():
            target = el.get(attribute)
            if target is None:
                continue
            kind = kinds.get(normalise_guid(target))
            if kind is None or (allowed is not None and kind not in allowed):
                expected = " or ".join(sorted(allowed)) if allowed else "element"
                problems.append(
                    Problem(
                        _line(where, el, attribute),
                        f"{target} does not point at a {expected}"
                        + (f" (it is a {kind})" if kind else ""),
                        "the reference target is missing",
                    )
                )
        for attribute in USER_ATTRIBUTES:
            target = el.get(attribute)
            if target is not None and kinds.get(normalise_guid(target)) != "User":
                problems.append(
                    Problem(
                        _line(where, el, attribute),
                        f"user {target} is not in <Users>",
                        "add the user or drop the reference",
                    )
                )
        for attribute in PATH_ATTRIBUTES:
            value = el.get(attribute)
            if value and value.startswith("internal://"):
                name = value[len("internal://") :]
                if f"sources/{name}".casefold() not in lowered:
                    problems.append(
                        Problem(
                            _line(where, el, attribute),
                            f"{value} is not in the archive",
                            "add the file to sources/ in the archive",
                        )
                    )
    return problems
