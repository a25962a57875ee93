"""Deterministic GUIDs for REFI-QDA exports, and GUID handling on import.

Every GUID ``verhalen`` writes is a UUID version 5 derived from a *project namespace*
(itself derived from the project name) and the record's kind and id, e.g.
``guid_for(ns, "code", "tips_en_advies")``. The same project exported twice therefore
gets byte-identical files, and two different projects never share GUIDs.

GUIDs read from other programs are kept (normalised to lower case, without braces) in a
:class:`GuidMap` keyed ``"<kind>:<id>"``, so a later export can reuse them and the other
program recognises its own codes and documents.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, MutableMapping
from pathlib import Path

from verhalen.errors import VerhalenError
from verhalen.io import atomic_write_json

VERHALEN_NAMESPACE = uuid.UUID("6f1d3c52-7a55-5b8e-9c1e-2b7e4a0c9d10")
"""Root namespace of every GUID ``verhalen`` mints (fixed forever)."""

GUID_RE = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)


def project_namespace(project_name: str) -> uuid.UUID:
    """The namespace for one project's GUIDs."""
    return uuid.uuid5(VERHALEN_NAMESPACE, f"project:{project_name}")


def codebook_namespace(codebook_id: str) -> uuid.UUID:
    """The namespace for a codebook's factor and code GUIDs (same in .qdc and .qdpx)."""
    return uuid.uuid5(VERHALEN_NAMESPACE, f"codebook:{codebook_id}")


def guid_for(namespace: uuid.UUID, kind: str, *parts: object) -> str:
    """A deterministic GUID for a record of ``kind`` identified by ``parts``."""
    key = "\x1f".join([kind, *(str(p) for p in parts)])
    return str(uuid.uuid5(namespace, key))


def is_guid(value: str | None) -> bool:
    """Whether ``value`` is an 8-4-4-4-12 hex GUID (braces and any case allowed)."""
    if value is None:
        return False
    value = value.strip()
    if value.startswith("{") != value.endswith("}"):
        return False
    return bool(GUID_RE.match(value))


def normalise_guid(value: str) -> str:
    """Lower case, no braces, no surrounding whitespace (the form used as a key)."""
    return value.strip().strip("{}").lower()


class GuidMap(MutableMapping[str, str]):
    """GUIDs of imported records, keyed ``"<kind>:<id>"`` (e.g. ``"code:steun"``).

    Stored as sorted JSON (see :meth:`load` and :meth:`save`), so exports can reuse the
    GUIDs of the program a project came from.
    """

    def __init__(self, items: dict[str, str] | None = None) -> None:
        self._items: dict[str, str] = {}
        for key, value in (items or {}).items():
            self[key] = value

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __setitem__(self, key: str, value: str) -> None:
        if not is_guid(value):
            raise VerhalenError(f"GUID map: {value!r} for {key!r} is not a GUID (8-4-4-4-12 hex)")
        self._items[key] = normalise_guid(value)

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"GuidMap({self._items!r})"

    @classmethod
    def load(cls, path: str | Path) -> GuidMap:
        """Read a map written by :meth:`save` (an absent file gives an empty map)."""
        path = Path(path)
        if not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise VerhalenError(
                f"{path}: not a readable GUID map ({exc}) — delete it; the "
                "next export then mints new GUIDs"
            ) from None
        if not isinstance(raw, dict):
            raise VerhalenError(f"{path}: a GUID map must be a JSON object — delete the file")
        return cls({str(k): str(v) for k, v in raw.items()})

    def save(self, path: str | Path) -> None:
        """Write the map as key-sorted JSON, atomically."""
        atomic_write_json(path, dict(sorted(self._items.items())))


class GuidMinter:
    """Hands out GUIDs for one export: reused from a :class:`GuidMap`, else derived.

    A reused GUID that was already handed out (two records mapped to one GUID) is not
    used twice; the second record gets its derived GUID instead.
    """

    def __init__(self, namespace: uuid.UUID, reuse: GuidMap | None = None) -> None:
        self.namespace = namespace
        self.reuse = reuse or GuidMap()
        self.used: set[str] = set()

    def __call__(self, kind: str, *parts: object) -> str:
        key = f"{kind}:{parts[0]}" if len(parts) == 1 else None
        candidate = self.reuse.get(key) if key else None
        if candidate is None or candidate in self.used:
            candidate = guid_for(self.namespace, kind, *parts)
        self.used.add(candidate)
        return candidate
