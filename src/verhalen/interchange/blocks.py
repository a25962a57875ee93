"""The Dutch "verhalen" block in a code's Description: criteria that REFI-QDA has no place for.

A REFI-QDA code has one free-text ``Description``. ``verhalen`` writes the definition
first and appends a block that people can read in ATLAS.ti, MAXQDA or NVivo and that a
round trip parses back::

    Ouders wisselen praktische tips uit over opvoeden.

    === verhalen ===
    Id: tips_en_advies
    Insluiten:
    - een ouder geeft of krijgt een concrete tip
    Voorbeelden:
    - "Probeer het eens met een beloningskaart."
    Trefwoorden:
    - tip
    - advies

A value is written as is when it is one line without surrounding spaces that does not
start with ``"``; otherwise as a JSON string, so every value survives exactly. Factors get
``Soort`` (inhoudelijk/procesmatig/overig) and ``Kenmerkende elementen``; the presence of
``Soort`` marks a factor. Unknown keys are ignored, so people may add their own lines.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from verhalen.records import Code, CodeStatus, Factor, FactorKind, Origin, OriginKind

MARKER = "=== verhalen ==="

LISTS = {
    "inclusion": "Insluiten",
    "exclusion": "Uitsluiten",
    "examples": "Voorbeelden",
    "keywords": "Trefwoorden",
    "lemma_patterns": "Lemmapatronen",
    "patterns": "Patronen",
}
ELEMENTS_KEY = "Kenmerkende elementen"
STATUS_NL = {
    CodeStatus.active: "actief",
    CodeStatus.merged: "samengevoegd",
    CodeStatus.retired: "vervallen",
}
ORIGIN_NL = {OriginKind.deductive: "deductief", OriginKind.inductive: "inductief"}


@dataclass
class Block:
    """What a Description holds: the free text before the block and the block's fields."""

    text: str = ""
    scalars: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    present: bool = False

    def get(self, key: str) -> str | None:
        return self.scalars.get(key.casefold())

    def items(self, key: str) -> list[str]:
        return self.lists.get(key.casefold(), [])


def encode_value(value: str) -> str:
    """A value as one line: as is when that is unambiguous, else as a JSON string."""
    plain = (
        value != ""
        and value == value.strip()
        and not value.startswith('"')
        and "\n" not in value
        and "\r" not in value
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def decode_value(raw: str) -> str:
    """Inverse of :func:`encode_value` (lenient: a broken JSON string is kept as typed)."""
    raw = raw.strip()
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        if isinstance(value, str):
            return value
    return raw


Entry = tuple[str, str | list[str]]


def render(text: str, entries: list[Entry], force: bool = False) -> str:
    """A Description: ``text``, then the block with ``entries`` (a value or a list; empty
    lists are left out) when there is anything to put in it, or ``force``."""
    lines: list[str] = []
    for key, value in entries:
        if isinstance(value, str):
            lines.append(f"{key}: {encode_value(value)}")
        elif value:
            lines.append(f"{key}:")
            lines.extend(f"- {encode_value(v)}" for v in value)
    if not lines and not force and MARKER not in text:
        return text
    block = MARKER + "\n" + "\n".join(lines)
    return f"{text}\n\n{block}" if text else block


def parse(description: str) -> Block:
    """Split a Description into free text and block fields (keys case-insensitive)."""
    lines = description.split("\n")
    marker_at = max((i for i, line in enumerate(lines) if line.strip() == MARKER), default=-1)
    if marker_at < 0:
        return Block(text=description)
    head = lines[:marker_at]
    crlf = False
    if head and head[-1].strip() == "":  # the blank line written before the marker
        crlf = head[-1] == "\r"  # another program turned every \n into \r\n
        head = head[:-1]
    text = "\n".join(head)
    if crlf:
        text = text.replace("\r\n", "\n").removesuffix("\r")
    block = Block(text=text, present=True)
    current: list[str] | None = None
    for line in lines[marker_at + 1 :]:
        stripped = line.strip()
        if current is not None and stripped.startswith("-"):
            current.append(decode_value(stripped[1:]))
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            current = None
            continue
        name = key.strip().casefold()
        if value.strip():
            block.scalars[name] = decode_value(value)
            current = None
        else:
            current = block.lists.setdefault(name, [])
    return block


# --------------------------------------------------------------------------- codes


def code_description(code: Code, color_fallback: bool) -> str:
    """The Description text of a code: definition plus the block with every other field."""
    entries: list[Entry] = [("Id", code.id)]
    entries += [
        (label, list(getattr(code, name)))
        for name, label in LISTS.items()
        if name not in ("lemma_patterns", "patterns")
    ]
    if code.origin != Origin():
        entries.append(("Herkomst", ORIGIN_NL[code.origin.kind]))
        for key, value in (
            ("Herkomst bron", code.origin.source),
            ("Herkomst segment", code.origin.segment_id),
            ("Herkomst citaat", code.origin.quote),
        ):
            if value is not None:
                entries.append((key, value))
    if code.status != CodeStatus.active:
        entries.append(("Status", STATUS_NL[code.status]))
    if code.merged_into is not None:
        entries.append(("Samengevoegd in", code.merged_into))
    if code.created is not None:
        entries.append(("Aangemaakt", code.created.isoformat()))
    if code.modified is not None:
        entries.append(("Gewijzigd", code.modified.isoformat()))
    if color_fallback and code.color is not None:
        entries.append(("Kleur", code.color))
    entries += [
        (LISTS["lemma_patterns"], list(code.lemma_patterns)),
        (LISTS["patterns"], list(code.patterns)),
    ]
    return render(code.definition, entries, force=True)


def factor_description(factor: Factor, color_fallback: bool) -> str:
    """The Description text of a factor (a top-level, non-codable code)."""
    entries: list[Entry] = [
        ("Id", factor.id),
        ("Soort", factor.kind.value),
        (ELEMENTS_KEY, list(factor.kenmerkende_elementen)),
    ]
    if color_fallback and factor.color is not None:
        entries.append(("Kleur", factor.color))
    return render(factor.description, entries, force=True)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def code_fields(block: Block) -> dict[str, Any]:
    """Code fields found in a parsed block (only those present; ``id`` excluded)."""
    out: dict[str, Any] = {"definition": block.text}
    for name, label in LISTS.items():
        if label.casefold() in block.lists:
            out[name] = block.items(label)
    origin_kind = block.get("Herkomst")
    if origin_kind is not None:
        kind = {v: k for k, v in ORIGIN_NL.items()}.get(origin_kind.casefold())
        if kind is None and origin_kind in OriginKind.__members__:
            kind = OriginKind(origin_kind)
        out["origin"] = Origin(
            kind=kind or OriginKind.deductive,
            source=block.get("Herkomst bron"),
            segment_id=block.get("Herkomst segment"),
            quote=block.get("Herkomst citaat"),
        )
    status = block.get("Status")
    if status is not None:
        reverse = {v: k for k, v in STATUS_NL.items()}
        out["status"] = reverse.get(status.casefold(), CodeStatus.active)
    if block.get("Samengevoegd in") is not None:
        out["merged_into"] = block.get("Samengevoegd in")
    for key, name in (("Aangemaakt", "created"), ("Gewijzigd", "modified")):
        value = _date(block.get(key))
        if value is not None:
            out[name] = value
    return out


def factor_kind(block: Block) -> FactorKind | None:
    """The factor kind if the block marks a factor (has ``Soort``), else ``None``."""
    value = block.get("Soort")
    if value is None:
        return None
    try:
        return FactorKind(value.strip().casefold())
    except ValueError:
        return FactorKind.overig
