"""What an exchange did: drift of imported selections, data that could not be carried over.

Both reports are plain dataclasses; the CLI prints them and :meth:`as_dict` gives a
JSON-ready form. Nothing here prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

EXCERPT = 60


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """One line, at most ``limit`` characters, for tables and messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class DriftItem:
    """One imported selection that did not verify.

    ``start``/``end`` are the positions as imported (after conversion); ``found_at`` is
    where the selection's name (its quoted text) does occur, when it was found.
    """

    transcript_id: str
    selection: str
    start: int
    end: int
    reason: str
    name: str | None = None
    text: str = ""
    found_at: tuple[int, int] | None = None


@dataclass
class DriftReport:
    """Verification of every imported text selection, per source."""

    checked: int = 0
    verified: int = 0
    by_boundaries: int = 0
    items: list[DriftItem] = field(default_factory=list)
    schemes: dict[str, str] = field(default_factory=dict)
    default_scheme: str = "codepoints"

    @property
    def drifted(self) -> int:
        return len(self.items)

    def summary(self) -> str:
        """One sentence for the CLI."""
        other = {t: s for t, s in self.schemes.items() if s != self.default_scheme}
        text = (
            f"{self.checked} selections checked: {self.verified} match their quoted text, "
            f"{self.by_boundaries} fall on word boundaries, {self.drifted} drift"
        )
        if other:
            text += (
                f"; positions counted as {', '.join(sorted(set(other.values())))} "
                f"(not {self.default_scheme}) in {len(other)} source(s)"
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LossItem:
    """Something in the imported file that ``verhalen`` could not carry over."""

    kind: str
    where: str
    what: str


@dataclass
class LossReport:
    """Everything that was not imported, by kind (pictures, PDF areas, media, graphs …)."""

    items: list[LossItem] = field(default_factory=list)

    def add(self, kind: str, where: str, what: str) -> None:
        self.items.append(LossItem(kind, where, what))

    def counts(self) -> dict[str, int]:
        """Number of items per kind, sorted by kind."""
        return dict(sorted(Counter(item.kind for item in self.items).items()))

    def __bool__(self) -> bool:
        return bool(self.items)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "items": [asdict(i) for i in self.items]}


@dataclass
class ExportResult:
    """What :func:`~verhalen.interchange.qdpx_export.export_qdpx` wrote."""

    path: Path
    sources: int = 0
    factors: int = 0
    codes: int = 0
    selections: int = 0
    codings: int = 0
    users: int = 0
    cases: int = 0
    sets: int = 0
    sha256: str = ""
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.sources} sources, {self.factors} factors + {self.codes} codes, "
            f"{self.codings} codings in {self.selections} selections by {self.users} "
            f"coder(s), {self.cases} cases, {self.sets} practice sets"
        )
