"""Codebook exchange: REFI-QDA ``.qdc`` files (``urn:QDA-XML:codebook:1.0``).

:func:`write_qdc` writes a :class:`~verhalen.records.Codebook` that ATLAS.ti, MAXQDA,
NVivo and QualCoder can import, validated against ``Codebook.xsd`` before it is written
(atomically). :func:`read_qdc` reads ``.qdc`` files from those programs. A round trip
keeps ids, labels, parents, definitions, criteria, examples, keywords and colours (see
:mod:`.codetree` and :mod:`.blocks` for how), and also the codebook's own id, name,
version and changelog, carried in an XML comment that other programs ignore.

Example
-------
>>> write_qdc(codebook, "zes_factoren.qdc")           # doctest: +SKIP
>>> read_qdc("zes_factoren.qdc") == codebook          # doctest: +SKIP
True
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from lxml import etree
from pydantic import ValidationError as PydanticValidationError

from verhalen import __version__
from verhalen.errors import Problem, ValidationError, VerhalenError, VerhalenWarning
from verhalen.interchange.codetree import read_code_tree, write_code_tree
from verhalen.interchange.guids import codebook_namespace, guid_for
from verhalen.interchange.names import slugify
from verhalen.interchange.safe import DEFAULT_LIMITS, Limits, read_xml_file
from verhalen.interchange.schema import validate
from verhalen.interchange.xmltools import (
    CODEBOOK_NS,
    canonicalise,
    extra_comment,
    kid,
    kids,
    read_extra,
)
from verhalen.io import atomic_write_bytes
from verhalen.records import ChangeEntry, Codebook

ORIGIN = f"verhalen {__version__}"
META_FIELDS = ("id", "name", "version", "language", "description", "source")


def code_guid(codebook_id: str, kind: str, ident: str) -> str:
    """The GUID of a factor or code: the same in ``.qdc`` and ``.qdpx`` exports."""
    return guid_for(codebook_namespace(codebook_id), kind, ident)


def codebook_meta(codebook: Codebook) -> dict[str, Any]:
    """Codebook-level fields REFI-QDA has no place for (carried in an XML comment)."""
    meta: dict[str, Any] = {k: getattr(codebook, k) for k in META_FIELDS}
    meta["changelog"] = [entry.model_dump(mode="json") for entry in codebook.changelog]
    return meta


def qdc_bytes(codebook: Codebook) -> tuple[bytes, list[str]]:
    """The validated ``.qdc`` document for ``codebook`` and notes on anything changed."""
    if not codebook.factors and not codebook.codes:
        raise VerhalenError(
            f"codebook {codebook.id!r} has no factors or codes — a .qdc file must hold at "
            "least one code; add codes first"
        )
    notes: list[str] = []
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})  # type: ignore[dict-item]
    root.set("origin", ORIGIN)
    root.append(extra_comment({"codebook": codebook_meta(codebook)}))
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    write_code_tree(
        codes,
        codebook.factors,
        codebook.codes,
        lambda kind, ident: code_guid(codebook.id, kind, ident),
        CODEBOOK_NS,
        notes,
    )
    validate(root, "codebook", f"codebook {codebook.id!r}")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data, notes


def write_qdc(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` as a REFI-QDA codebook file (``.qdc``), atomically.

    Factors become top-level codes with ``isCodable="false"``; every code's Description
    holds its definition and a Dutch block with inclusion/exclusion criteria, examples,
    keywords and the other fields (see :mod:`verhalen.interchange.blocks`); colours are
    ``#RRGGBB``. The file is validated against ``Codebook.xsd`` before it is written, and
    re-writing an unchanged codebook gives identical bytes.

    Parameters
    ----------
    codebook
        The codebook to export.
    path
        Target file, conventionally ``<codebook id>.qdc``.

    Raises
    ------
    VerhalenError
        If the codebook has no codes, or the result would not be valid (a bug).

    Warns
    -----
    VerhalenWarning
        If something had to be changed to fit the format (e.g. characters XML cannot hold).
    """
    data, notes = qdc_bytes(codebook)
    for note in notes:
        warnings.warn(f"{path}: {note}", VerhalenWarning, stacklevel=2)
    atomic_write_bytes(path, data)


def read_qdc(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Codebook:
    """Read a REFI-QDA codebook file (``.qdc``) from any QDA program.

    Lenient on namespaces (``urn:QDA-XML:codebook:1.0``, ``0:4``, none …), name case,
    hierarchy (nested codes, non-codable folders become factors), descriptions (with or
    without a ``verhalen`` block) and colours; code groups (``Set``) become factors for
    member codes without a parent. Code ids come from the block or the names (slugified,
    made unique); the codebook id from the file name unless the file was written by
    :func:`write_qdc`.

    Raises
    ------
    ValidationError
        Listing every problem (e.g. ids that are not GUIDs), with line numbers.
    UnsafeInputError
        If the file declares a DOCTYPE or exceeds the size limit.
    """
    path = Path(path)
    root = read_xml_file(path, limits)
    canonicalise(root)
    where = str(path)
    if root.tag == "Project":  # a project.qde passed as a codebook: use its code book
        book = kid(root, "CodeBook")
        codes_el = kid(book, "Codes") if book is not None else None
    elif root.tag == "CodeBook":
        codes_el = kid(root, "Codes")
    else:
        raise VerhalenError(
            f"{where}: the root element is <{root.tag}>, not <CodeBook> — "
            "is this a REFI-QDA codebook (.qdc)?"
        )
    sets_el = kid(root, "Sets")
    problems: list[Problem] = []
    tree = read_code_tree(
        codes_el, kids(sets_el, "Set") if sets_el is not None else [], where, problems
    )
    if problems:
        raise ValidationError(
            problems, summary=f"{where}: not a valid REFI-QDA codebook, nothing imported"
        )
    meta = (read_extra(root) or {}).get("codebook")
    meta = meta if isinstance(meta, dict) else {}
    origin = root.get("origin") or "onbekend programma"
    fields: dict[str, Any] = {
        "id": slugify(path.stem, "codebook"),
        "name": path.stem,
        "source": f"{path.name} ({origin})",
    }
    fields.update({k: meta[k] for k in META_FIELDS if k in meta})
    try:
        changelog = [ChangeEntry.model_validate(e) for e in meta.get("changelog", [])]
        return Codebook(**fields, factors=tree.factors, codes=tree.codes, changelog=changelog)
    except PydanticValidationError as exc:
        raise ValidationError(
            [
                Problem(
                    f"{where} ({'.'.join(str(p) for p in e['loc'])})",
                    str(e["msg"]),
                    "correct the codebook in the QDA program and export it again",
                )
                for e in exc.errors()
            ],
            summary=f"{where}: not a valid codebook, nothing imported",
        ) from None
