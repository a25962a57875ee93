"""Small XML helpers shared by the ``.qdc`` and ``.qdpx`` readers and writers.

* :func:`canonicalise` makes vendor variants look alike: it drops namespaces
  (``urn:QDA-XML:project:1.0``, ``0:4``, ``1:0``, ``0:10`` or none) and fixes the case of
  known element and attribute names, so readers can use plain names like ``"Code"``.
* :func:`xml_safe` replaces characters XML 1.0 cannot hold.
* :func:`extra_comment` / :func:`read_extra` carry ``verhalen``-only data (codebook
  changelog, turn timings) in an XML comment that other programs ignore.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree

from verhalen.errors import Problem
from verhalen.interchange.guids import is_guid, normalise_guid

QDA_NS_RE = re.compile(r"^urn:QDA-XML:(project|codebook):[0-9.:]+$", re.IGNORECASE)
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
EXTRA_PREFIX = "verhalen-extra "

ELEMENTS = (  # noqa: SIM905 (one readable block)
    "Project Users User CodeBook Codes Code Description NoteRef Variables Variable Cases Case "
    "CodeRef VariableValue VariableRef TextValue BooleanValue IntegerValue FloatValue "
    "DateValue DateTimeValue SourceRef SelectionRef Sources TextSource PlainTextContent "
    "PlainTextSelection Coding PictureSource TextDescription PictureSelection PDFSource "
    "PDFSelection Representation AudioSource AudioSelection VideoSource VideoSelection "
    "Transcript TranscriptSelection SyncPoint Notes Note Links Link Sets Set MemberCode "
    "MemberSource MemberNote Graphs Graph Vertex Edge"
).split()
ATTRIBUTES = (  # noqa: SIM905
    "name origin creatingUserGUID creationDateTime modifyingUserGUID modifiedDateTime "
    "basePath guid id isCodable color typeOfVariable richTextPath plainTextPath creatingUser "
    "modifyingUser startPosition endPosition path currentPath firstX firstY secondX secondY "
    "page begin end fromSyncPoint toSyncPoint timeStamp position targetGUID representedGUID "
    "shape sourceVertex targetVertex direction lineStyle originGUID"
).split()
_ELEMENT_CASE = {e.casefold(): e for e in ELEMENTS}
_ATTRIBUTE_CASE = {a.casefold(): a for a in ATTRIBUTES}

_INVALID_XML_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def canonicalise(root: etree._Element) -> list[str]:
    """Strip QDA namespaces and fix name case in place; returns foreign namespaces seen.

    Elements in a namespace that is not a QDA-XML namespace keep their qualified tag and
    are therefore ignored by the readers.
    """
    foreign: set[str] = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        if qname.namespace is None or QDA_NS_RE.match(qname.namespace):
            el.tag = _ELEMENT_CASE.get(qname.localname.casefold(), qname.localname)
        else:
            foreign.add(qname.namespace)
            continue
        for key in [str(k) for k in el.attrib]:
            if key.startswith("{"):
                continue
            canonical = _ATTRIBUTE_CASE.get(key.casefold(), key)
            if canonical != key and canonical not in el.attrib:
                el.attrib[canonical] = el.attrib.pop(key)
    etree.cleanup_namespaces(root)
    return sorted(foreign)


def kids(el: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children with this (canonical) tag."""
    return [c for c in el if c.tag == tag]


def kid(el: etree._Element, tag: str) -> etree._Element | None:
    """The first direct child with this tag, or ``None``."""
    return next((c for c in el if c.tag == tag), None)


def text_of(el: etree._Element | None) -> str:
    """The text content of an element (``""`` for none)."""
    if el is None:
        return ""
    return "".join(str(t) for t in el.itertext())


def where(path: str, el: etree._Element, attribute: str | None = None) -> str:
    """``file:line (Element@attribute)`` for messages."""
    line = f":{el.sourceline}" if el.sourceline else ""
    tag = el.tag if isinstance(el.tag, str) else "?"
    return f"{path}{line} ({tag}{'@' + attribute if attribute else ''})"


def guid_attr(
    el: etree._Element, attribute: str, path: str, problems: list[Problem], required: bool = True
) -> str | None:
    """A GUID attribute, normalised; a missing or malformed one is recorded as a problem."""
    value = el.get(attribute)
    if value is None:
        if required:
            problems.append(
                Problem(
                    where(path, el, attribute),
                    "missing GUID",
                    "every element needs a GUID like 8-4-4-4-12 hex digits",
                )
            )
        return None
    if not is_guid(value):
        problems.append(
            Problem(
                where(path, el, attribute),
                f"{value!r} is not a GUID",
                "REFI-QDA requires GUIDs like '1ff58b12-6f6f-4b0c-8be5-bbdc91f55294' "
                "(8-4-4-4-12 hex digits); export the file again from the QDA program",
            )
        )
        return None
    return normalise_guid(value)


def xml_safe(text: str) -> tuple[str, int]:
    """``text`` with characters XML 1.0 cannot hold replaced by U+FFFD, and how many."""
    cleaned, n = _INVALID_XML_RE.subn("\ufffd", text)
    return cleaned, n


def extra_comment(data: dict[str, Any]) -> etree._Comment:
    """An XML comment holding ``data`` as JSON (``--`` escaped so the comment stays valid)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("--", "-\\u002d")
    payload, _ = xml_safe(payload)
    return etree.Comment(f" {EXTRA_PREFIX}{payload} ")


def mapping(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty dict (for untrusted extras)."""
    return value if isinstance(value, dict) else {}


def read_extra(root: etree._Element) -> dict[str, Any] | None:
    """The data of the first ``verhalen-extra`` comment directly under ``root``, if any."""
    for node in root:
        if isinstance(node, etree._Comment) and node.text:
            text = node.text.strip()
            if text.startswith(EXTRA_PREFIX.strip()):
                try:
                    data = json.loads(text[len(EXTRA_PREFIX.strip()) :])
                except ValueError:
                    return None
                return data if isinstance(data, dict) else None
    return None
