"""The review step: the researcher accepts, rejects or adds replacements.

Decisions are stored with the project at ``privacy.review_path`` (default
``private/review.json``, mode 600 — it holds original names). A *rejected* text is never
replaced again (it was not an identifier, e.g. ``"Kleine"``); an *added* text is always
replaced, wherever it occurs, also where no detector finds it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from verhalen.errors import VerhalenError
from verhalen.io import atomic_write_json
from verhalen.privacy.detect import Phrase
from verhalen.privacy.normalise import Kind, fold_key

Decision = Literal["accept", "reject", "add"]


class ReviewDecision(BaseModel):
    """One decision on a text (all its occurrences)."""

    model_config = ConfigDict(extra="forbid")
    text: str
    decision: Decision
    kind: Kind | None = None


class ReviewFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["verhalen-privacy-review"] = "verhalen-privacy-review"
    version: int = 1
    decisions: list[ReviewDecision] = Field(default_factory=list)


class ReviewStore:
    """The researcher's decisions, by text (case- and diacritic-insensitive)."""

    def __init__(self, decisions: list[ReviewDecision] | None = None) -> None:
        self._decisions: dict[str, ReviewDecision] = {}
        for decision in decisions or []:
            self._decisions[fold_key(decision.text)] = decision

    @classmethod
    def load(cls, path: str | Path) -> ReviewStore:
        """Read the decisions; a missing file means no decisions yet."""
        path = Path(path)
        if not path.is_file():
            return cls()
        try:
            stored = ReviewFile.model_validate_json(path.read_text(encoding="utf-8"))
        except (PydanticValidationError, ValueError) as exc:
            raise VerhalenError(
                f"{path}: not a valid review file ({str(exc).splitlines()[0]}) — fix it or "
                "move it away to start the review again"
            ) from None
        return cls(stored.decisions)

    def save(self, path: str | Path) -> None:
        """Write the decisions atomically with mode 600."""
        path = Path(path)
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        data = ReviewFile(decisions=self.decisions).model_dump(mode="json")
        atomic_write_json(path, data, permissions=0o600)
        os.chmod(path, 0o600)

    @property
    def decisions(self) -> list[ReviewDecision]:
        """All decisions, sorted by text (stable files)."""
        return sorted(self._decisions.values(), key=lambda d: (fold_key(d.text), d.decision))

    def decide(self, text: str, decision: Decision, kind: Kind | None = None) -> None:
        """Record a decision on ``text``, replacing an earlier one on the same text."""
        text = " ".join(text.split())
        if not text:
            raise VerhalenError(
                "an empty text cannot be reviewed — give the text to accept, reject or add"
            )
        if decision == "add" and kind is None:
            raise VerhalenError(f"adding {text!r} needs a kind, e.g. `naam:{text}`")
        self._decisions[fold_key(text)] = ReviewDecision(text=text, decision=decision, kind=kind)

    def status(self, text: str) -> str:
        """``open``, ``accepted``, ``rejected`` or ``added``."""
        found = self._decisions.get(fold_key(text))
        if found is None:
            return "open"
        return {"accept": "accepted", "reject": "rejected", "add": "added"}[found.decision]

    @property
    def rejected(self) -> set[str]:
        """Fold keys of rejected texts."""
        return {k for k, d in self._decisions.items() if d.decision == "reject"}

    @property
    def added(self) -> list[Phrase]:
        """Phrases the researcher added (always replaced)."""
        return [Phrase(d.text, d.kind or Kind.naam) for d in self.decisions if d.decision == "add"]


@dataclass(frozen=True)
class ReviewItem:
    """One replacement, with where it is and the words around it."""

    transcript_id: str
    line: int | None
    start: int
    end: int
    text: str
    kind: str
    pseudonym: str
    before: str
    after: str
    status: str


def context_of(text: str, start: int, end: int, width: int = 40) -> tuple[str, str]:
    """Up to ``width`` characters before and after a span, whitespace collapsed."""
    before = re.sub(r"\s+", " ", text[max(0, start - width) : start])
    after = re.sub(r"\s+", " ", text[end : end + width])
    return before, after
