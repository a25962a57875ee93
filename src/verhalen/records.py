"""Typed records: the one data model every stage shares.

Data flows one way through the stages (ingest → codebook → coding/suggest → agreement →
cluster → report, plus privacy and interchange), and these pydantic models are what flows.
Each model forbids unknown fields (``extra="forbid"``), so a typo in a JSON or YAML file is
an error, not silently ignored data.

Offsets are always character (Unicode code point) offsets into :attr:`Transcript.text`,
half-open ``[start, end)``, so ``transcript.text[seg.start:seg.end] == seg.text``.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
VERSION_RE = re.compile(r"^\d+\.\d+$")

Slug = Annotated[str, Field(pattern=SLUG_RE.pattern, min_length=1, max_length=80)]
"""A stable identifier: lower-case letters, digits and underscores, e.g. ``tips_en_advies``."""

AttributeValue = str | int | float | bool | None


class Record(BaseModel):
    """Base for all records: unknown fields are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# --------------------------------------------------------------------------- corpus


class Participant(Record):
    """A person interviewed, with the role and practice the analysis groups by.

    ``name`` is the participant's real name, used only to pseudonymise; it never leaves
    the tool (reports and exports use ``id`` or a pseudonym).
    """

    id: str = Field(min_length=1)
    role: str = Field(min_length=1)
    practice: str = Field(min_length=1)
    name: str | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)


class Turn(Record):
    """One speaker turn: ``transcript.text[start:end] == text``."""

    index: int = Field(ge=0)
    speaker: str
    is_interviewer: bool
    role: Literal["interviewer", "respondent", "other"] = "respondent"
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    time_start: float | None = None
    time_end: float | None = None
    source_line: int | None = None

    @model_validator(mode="after")
    def _span(self) -> Turn:
        if self.end < self.start:
            raise ValueError(f"turn {self.index}: end {self.end} is before start {self.start}")
        return self


class Transcript(Record):
    """An interview transcript with its normalised plain text and turns."""

    id: str = Field(min_length=1)
    participants: list[str] = Field(default_factory=list)
    interviewers: list[str] = Field(default_factory=list)
    date: dt.date | None = None
    language: str = "nl"
    source_file: str = ""
    source_format: str = ""
    encoding: str = "utf-8"
    text: str
    turns: list[Turn] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _turns_match_text(self) -> Transcript:
        for turn in self.turns:
            if self.text[turn.start : turn.end] != turn.text:
                raise ValueError(
                    f"turn {turn.index} of transcript {self.id!r}: its text does not equal "
                    f"text[{turn.start}:{turn.end}]"
                )
        return self

    @property
    def participant(self) -> str | None:
        """The (first) respondent, or ``None``."""
        return self.participants[0] if self.participants else None


class SegmentUnit(StrEnum):
    """How transcripts are cut into coding units."""

    turn = "turn"
    sentence = "sentence"
    paragraph = "paragraph"


class Segment(Record):
    """The unit of coding: a span ``[start, end)`` of one transcript's text.

    ``id`` is stable across re-runs of unchanged input: ``<transcript>-t<turn>`` for turns,
    with ``-p<n>`` or ``-s<n>`` appended for paragraphs and sentences.
    """

    id: str
    transcript_id: str
    participant_id: str | None = None
    turn_index: int = Field(ge=0)
    unit: SegmentUnit = SegmentUnit.turn
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    speaker: str = ""
    is_interviewer: bool = False


# --------------------------------------------------------------------------- codebook


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("a label cannot be blank — give it a short readable name")
    return value


Label = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]
"""A human-readable name: at least one visible character."""


class FactorKind(StrEnum):
    """Whether a factor is about content (what parents get) or process (how it is done)."""

    inhoudelijk = "inhoudelijk"
    procesmatig = "procesmatig"
    overig = "overig"


class Factor(Record):
    """A category of codes (the study found six), with its characteristic elements."""

    id: Slug
    label: Label
    description: str = ""
    kind: FactorKind = FactorKind.inhoudelijk
    kenmerkende_elementen: list[str] = Field(default_factory=list)
    color: str | None = None


class OriginKind(StrEnum):
    deductive = "deductive"
    inductive = "inductive"


class Origin(Record):
    """Where a code comes from: literature/a framework (deductive) or the data (inductive)."""

    kind: OriginKind = OriginKind.deductive
    source: str | None = None
    segment_id: str | None = None
    quote: str | None = None


class CodeStatus(StrEnum):
    active = "active"
    merged = "merged"
    retired = "retired"


class Code(Record):
    """A code with its definition, criteria and the cues suggestions use."""

    id: Slug
    label: Label
    definition: str = ""
    inclusion: list[str] = Field(default_factory=list)
    exclusion: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    lemma_patterns: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="regular expressions")
    origin: Origin = Field(default_factory=Origin)
    parent: str | None = None
    status: CodeStatus = CodeStatus.active
    merged_into: str | None = None
    color: str | None = None
    created: dt.date | None = None
    modified: dt.date | None = None

    @field_validator("patterns")
    @classmethod
    def _valid_regex(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
        return value


class ChangeEntry(Record):
    """One line of a codebook's changelog: who changed what, when and why."""

    version: str
    when: dt.datetime
    who: str
    action: Literal[
        "create", "add", "edit", "merge", "split", "rename", "retire", "import", "apply", "factor"
    ]
    codes: list[str] = Field(default_factory=list)
    what: str = ""
    why: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


class Codebook(Record):
    """Factors and codes, versioned, with an append-only changelog."""

    id: Slug
    name: str
    version: str = "1.0"
    language: str = "nl"
    description: str = ""
    source: str = ""
    factors: list[Factor] = Field(default_factory=list)
    codes: list[Code] = Field(default_factory=list)
    changelog: list[ChangeEntry] = Field(default_factory=list)

    @field_validator("version")
    @classmethod
    def _version_format(cls, value: str) -> str:
        if not VERSION_RE.match(value):
            raise ValueError(f"version must look like '1.3', got {value!r}")
        return value

    def factor(self, factor_id: str) -> Factor | None:
        """The factor with this id, or ``None``."""
        return next((f for f in self.factors if f.id == factor_id), None)

    def code(self, code_id: str) -> Code | None:
        """The code with this id (any status), or ``None``."""
        return next((c for c in self.codes if c.id == code_id), None)

    @property
    def active_codes(self) -> list[Code]:
        """Codes that can be applied now (not merged or retired)."""
        return [c for c in self.codes if c.status == CodeStatus.active]

    def factor_of(self, code_id: str) -> str | None:
        """The factor a code belongs to, following parents up through other codes."""
        factor_ids = {f.id for f in self.factors}
        codes = {c.id: c for c in self.codes}
        seen: set[str] = set()
        current: str | None = code_id
        while current is not None and current not in seen:
            if current in factor_ids:
                return current
            seen.add(current)
            node = codes.get(current)
            current = node.parent if node else None
        return None

    def resolve(self, code_id: str) -> str:
        """Follow ``merged_into`` links to the code that now carries a merged code's codings."""
        codes = {c.id: c for c in self.codes}
        seen: set[str] = set()
        current = code_id
        while current in codes and codes[current].merged_into and current not in seen:
            seen.add(current)
            current = codes[current].merged_into or current
        return current


# --------------------------------------------------------------------------- coding


class CodingSource(StrEnum):
    manual = "manual"
    suggested = "suggested"
    imported = "imported"


class Coding(Record):
    """One code applied to one segment by one coder.

    ``start``/``end`` optionally narrow the coding to a span of the transcript text (coders
    who select their own text, or coding imported from ATLAS.ti); without them the coding
    covers the whole segment.
    """

    segment_id: str
    code_id: str
    coder: str
    timestamp: dt.datetime
    source: CodingSource = CodingSource.manual
    codebook_version: str = "1.0"
    memo: str = ""
    transcript_id: str | None = None
    start: int | None = None
    end: int | None = None

    @model_validator(mode="after")
    def _span(self) -> Coding:
        if (self.start is None) != (self.end is None):
            raise ValueError("a coding span needs both start and end")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"coding end {self.end} is before start {self.start}")
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of a coding in a coder's current state: (coder, segment, code)."""
        return (self.coder, self.segment_id, self.code_id)
