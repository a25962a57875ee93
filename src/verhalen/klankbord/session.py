"""Imported klankbordgroep feedback: one JSON file per session in ``data/feedback/``.

A session is one filled-in form (:mod:`verhalen.klankbord.feedback_form`) of one practice
and group. It is stored as ``data/feedback/<practice>_<group>_<n>.json`` (``n`` counts the
sessions of that practice and group from 1), written atomically with sorted keys, so the
files are readable and diffable. Respondents are numbers ("Deelnemer 3"), never names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from verhalen.errors import Problem, ValidationError
from verhalen.io import atomic_write_json
from verhalen.records import Record

SESSION_FORMAT: Literal["verhalen-feedback"] = "verhalen-feedback"
Recognition = Literal["ja", "deels", "nee"]
Group = Literal["moeders", "vrijwilligers", "professionals"]


class ElementAnswer(Record):
    """A respondent's recognition of one kenmerkende element, and why."""

    element_id: str
    recognition: Recognition | None = None
    why: str = ""


class FactorAnswer(Record):
    """A respondent's answers about one poster."""

    factor_id: str
    recognition: Recognition | None = None
    why: str = ""
    elements: list[ElementAnswer] = Field(default_factory=list)
    addition: str = ""


class RespondentFeedback(Record):
    """Everything one respondent said; ``ranks`` maps factor id → rank (1 = belangrijkst)."""

    respondent: str = Field(min_length=1)
    factors: list[FactorAnswer] = Field(default_factory=list)
    ranks: dict[str, int] = Field(default_factory=dict)


class SessionElement(Record):
    id: str
    label: str


class SessionFactor(Record):
    id: str
    label: str
    elements: list[SessionElement] = Field(default_factory=list)


class FeedbackSession(Record):
    """One imported session: the form it was filled in on, and the answers."""

    format: Literal["verhalen-feedback"] = SESSION_FORMAT
    format_version: int = 1
    template_version: str
    practice: str
    practice_label: str
    group: Group
    source: str = ""
    source_sha256: str = ""
    fictional: bool = False
    factors: list[SessionFactor]
    respondents: list[RespondentFeedback]

    def factor_label(self, factor_id: str) -> str:
        return next((f.label for f in self.factors if f.id == factor_id), factor_id)


def session_files(folder: str | Path) -> list[Path]:
    """The session files in ``folder``, sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*.json") if not p.name.startswith("."))


def load_sessions(folder: str | Path) -> list[FeedbackSession]:
    """Every stored session of a folder (sorted by file name); corrupt files are reported
    all at once."""
    sessions: list[FeedbackSession] = []
    problems: list[Problem] = []
    for path in session_files(folder):
        try:
            sessions.append(FeedbackSession.model_validate_json(path.read_text(encoding="utf-8")))
        except PydanticValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            problems.append(
                Problem(
                    f"{path} ({field})" if field else str(path),
                    f"not a valid feedback session ({err['msg']})",
                    "restore it from git, or import the form again with `verhalen feedback import`",
                )
            )
    if problems:
        raise ValidationError(problems, summary=f"{folder}: corrupt feedback sessions")
    return sessions


def save_session(folder: str | Path, session: FeedbackSession) -> Path:
    """Store a session as the next ``<practice>_<group>_<n>.json``; returns the path."""
    root = Path(folder)
    stem = f"{session.practice}_{session.group}_"
    taken = {p.name for p in session_files(root)}
    n = 1
    while f"{stem}{n}.json" in taken:
        n += 1
    path = root / f"{stem}{n}.json"
    atomic_write_json(path, json.loads(session.model_dump_json()))
    return path
