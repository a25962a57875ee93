"""A :class:`~verhalen.records.Codebook` as a REFI-QDA code tree, and back.

Shared by the codebook exchange (``.qdc``) and the project exchange (``.qdpx``):

* factors become top-level codes with ``isCodable="false"``; codes nest under their
  parent (a factor or another code); retired and merged codes are not codable;
* the Description holds the definition plus the Dutch block of :mod:`.blocks`;
* colours are written as ``#RRGGBB``; a colour that is not already in that form is kept
  exactly in the block (``Kleur``) so a round trip gives it back.

Reading is lenient: top-level non-codable codes without a ``verhalen`` block (NVivo
folders) become factors of kind ``overig``; MAXQDA parents that are codable stay codes;
ids come from the block or else from the names, made unique; code groups (``Set`` with
``MemberCode``, ATLAS.ti) become factors for member codes that have no parent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree
from pydantic import ValidationError as PydanticValidationError

from verhalen.errors import Problem
from verhalen.interchange import blocks
from verhalen.interchange.names import Unique, is_slug, slugify
from verhalen.interchange.xmltools import guid_attr, kid, kids, text_of, where, xml_safe
from verhalen.records import Code, CodeStatus, Factor, FactorKind

RGB6_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
RGB3_RE = re.compile(r"^#[0-9A-Fa-f]{3}$")
TRUE = {"true", "1"}


def to_rgb(color: str | None) -> str | None:
    """``#RRGGBB`` for a ``#RRGGBB`` or ``#RGB`` colour, else ``None``."""
    if color is None:
        return None
    color = color.strip()
    if RGB6_RE.match(color):
        return color
    if RGB3_RE.match(color):
        return "#" + "".join(c * 2 for c in color[1:])
    return None


# --------------------------------------------------------------------------- writing


def write_code_tree(
    parent: etree._Element,
    factors: list[Factor],
    codes: list[Code],
    guid: Callable[[str, str], str],
    ns: str,
    notes: list[str],
) -> dict[str, str]:
    """Append ``Code`` elements for factors and codes under ``parent``.

    Returns the GUID of every factor and code id. ``guid(kind, id)`` mints GUIDs; ``ns``
    is the XML namespace (project or codebook).
    """
    children: dict[str | None, list[Code]] = {}
    known = {f.id for f in factors} | {c.id for c in codes}
    for code in codes:
        key = code.parent if code.parent in known and code.parent != code.id else None
        if code.parent is not None and key is None:
            notes.append(
                f"code {code.id!r}: parent {code.parent!r} is not in the codebook; "
                "written at the top level"
            )
        children.setdefault(key, []).append(code)
    guids: dict[str, str] = {}
    written: set[str] = set()

    def element(
        into: etree._Element,
        name: str,
        codable: bool,
        color: str | None,
        description: str,
        ident: str,
        kind: str,
    ) -> etree._Element:
        el = etree.SubElement(into, f"{{{ns}}}Code")
        guids[ident] = guid(kind, ident)
        el.set("guid", guids[ident])
        el.set("name", _clean(name, notes, f"name of {kind} {ident!r}"))
        el.set("isCodable", "true" if codable else "false")
        rgb = to_rgb(color)
        if rgb is not None:
            el.set("color", rgb)
        if description:
            desc = etree.SubElement(el, f"{{{ns}}}Description")
            desc.text = _clean(description, notes, f"description of {kind} {ident!r}")
        return el

    def emit(into: etree._Element, code: Code) -> None:
        if code.id in written:
            return
        written.add(code.id)
        el = element(
            into,
            code.label,
            code.status == CodeStatus.active,
            code.color,
            blocks.code_description(code, to_rgb(code.color) != code.color),
            code.id,
            "code",
        )
        for child in children.get(code.id, []):
            emit(el, child)

    for factor in factors:
        el = element(
            parent,
            factor.label,
            False,
            factor.color,
            blocks.factor_description(factor, to_rgb(factor.color) != factor.color),
            factor.id,
            "factor",
        )
        for child in children.get(factor.id, []):
            emit(el, child)
    for code in children.get(None, []):
        emit(parent, code)
    for code in codes:  # codes in a parent cycle: written at the top level
        if code.id not in written:
            notes.append(f"code {code.id!r}: its parents form a cycle; written at the top level")
            emit(parent, code)
    return guids


def _clean(text: str, notes: list[str], what: str) -> str:
    cleaned, n = xml_safe(text)
    if n:
        notes.append(f"{what}: {n} character(s) XML cannot hold were replaced by U+FFFD")
    return cleaned


# --------------------------------------------------------------------------- reading


@dataclass
class _Node:
    guid: str
    name: str
    codable: bool
    color: str | None
    block: blocks.Block
    parent: _Node | None
    el: etree._Element
    ident: str = ""
    is_factor: bool = False


@dataclass
class CodeTree:
    """Factors and codes read from a REFI-QDA ``Codes`` element."""

    factors: list[Factor] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    by_guid: dict[str, str] = field(default_factory=dict)  # guid -> factor or code id
    factor_guids: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    unmapped_sets: list[str] = field(default_factory=list)

    @property
    def guids(self) -> dict[str, str]:
        """``"code:<id>"``/``"factor:<id>"`` → GUID (for a :class:`GuidMap`)."""
        out = {}
        for guid, ident in self.by_guid.items():
            out[f"{'factor' if guid in self.factor_guids else 'code'}:{ident}"] = guid
        return out


def read_code_tree(
    codes_el: etree._Element | None, sets: list[etree._Element], path: str, problems: list[Problem]
) -> CodeTree:
    """Read ``Codes`` (and code groups in ``sets``) into factors and codes."""
    nodes: list[_Node] = []
    seen: set[str] = set()

    def walk(el: etree._Element, parent: _Node | None) -> None:
        guid = guid_attr(el, "guid", path, problems)
        if guid is not None and guid in seen:
            problems.append(
                Problem(
                    where(path, el, "guid"),
                    f"duplicate code GUID {guid}",
                    "every code needs its own GUID; export the file again",
                )
            )
            guid = None
        node = None
        if guid is not None:
            seen.add(guid)
            node = _Node(
                guid,
                el.get("name") or "",
                (el.get("isCodable") or "true").strip().lower() in TRUE,
                el.get("color"),
                blocks.parse(text_of(kid(el, "Description"))),
                parent,
                el,
            )
            nodes.append(node)
        for child in kids(el, "Code"):
            walk(child, node if node is not None else parent)

    if codes_el is not None:
        for top in kids(codes_el, "Code"):
            walk(top, None)

    tree = CodeTree()
    unique = Unique()
    for node in nodes:  # first pass: ids written by verhalen win
        node.is_factor = (
            node.parent is None
            and not node.codable
            and (blocks.factor_kind(node.block) is not None or not node.block.present)
        )
        wanted = node.block.get("Id")
        if is_slug(wanted) and unique.claim(wanted or ""):
            node.ident = wanted or ""
    for node in nodes:
        if not node.ident:
            node.ident = unique(slugify(node.name, "factor" if node.is_factor else "code"))
        tree.by_guid[node.guid] = node.ident
    for node in nodes:
        try:
            _add(tree, node)
        except PydanticValidationError as exc:
            err = exc.errors()[0]
            problems.append(
                Problem(
                    where(path, node.el, "Description"),
                    f"code {node.name!r}: {err['msg']} (got {err.get('input')!r})",
                    "correct the value in the code's description block",
                )
            )
    _apply_code_groups(tree, sets, path, problems, unique)
    return tree


def _add(tree: CodeTree, node: _Node) -> None:
    color = _color(node)
    label = node.name if node.name.strip() else node.ident
    if node.is_factor:
        kind = blocks.factor_kind(node.block) or FactorKind.overig
        tree.factors.append(
            Factor(
                id=node.ident,
                label=label,
                description=node.block.text,
                kind=kind,
                kenmerkende_elementen=node.block.items(blocks.ELEMENTS_KEY),
                color=color,
            )
        )
        tree.factor_guids.add(node.guid)
        return
    fields = blocks.code_fields(node.block)
    if not node.codable and not node.block.present:
        tree.notes.append(
            f"code {label!r} is not codable in the source (a folder); imported as an ordinary code"
        )
    tree.codes.append(
        Code(
            id=node.ident,
            label=label,
            color=color,
            parent=node.parent.ident if node.parent else None,
            **fields,
        )
    )


def _color(node: _Node) -> str | None:
    attr = node.color.strip() if node.color else None
    kept = node.block.get("Kleur")
    if kept is not None and (attr is None or (to_rgb(kept) or "").lower() == attr.lower()):
        return kept
    return attr or None


def _apply_code_groups(
    tree: CodeTree, sets: list[etree._Element], path: str, problems: list[Problem], unique: Unique
) -> None:
    codes = {c.id: c for c in tree.codes}
    for set_el in sets:
        members = kids(set_el, "MemberCode")
        if not members:
            continue
        name = set_el.get("name") or "code group"
        roots = []
        for member in members:
            target = member.get("targetGUID") or member.get("guid")
            ident = tree.by_guid.get((target or "").strip().strip("{}").lower())
            code = codes.get(ident or "")
            if code is not None and code.parent is None and code not in roots:
                roots.append(code)
        if not roots:
            tree.unmapped_sets.append(name)
            continue
        factor_id = unique(slugify(name, "factor"))
        tree.factors.append(
            Factor(
                id=factor_id,
                label=name or factor_id,
                description=text_of(kid(set_el, "Description")),
                kind=FactorKind.overig,
            )
        )
        guid = guid_attr(set_el, "guid", path, problems, required=False)
        if guid is not None:
            tree.by_guid[guid] = factor_id
            tree.factor_guids.add(guid)
        for code in roots:
            code.parent = factor_id
        if len(roots) < len(members):
            tree.notes.append(
                f"code group {name!r}: {len(members) - len(roots)} member(s) "
                "already have a parent and were left there"
            )
