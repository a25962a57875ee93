"""The layout of a coding sheet: sheet and column names, and what a row holds.

A sheet (``.xlsx``) has these worksheets:

``Coderen``
    One row per segment: segment id, transcript, role and practice (never a name), the
    previous turn, the segment text and the next turn (interviewer turns included, speakers
    shown by role), optionally the top suggestions with their reasons, then ``code 1`` …
    ``code N`` columns with a dropdown of the active code ids (several codes per segment),
    ``memo`` and ``nieuwe code (voorstel)``. Only those last columns can be edited.
``Codeboek``
    The active codes with factor, definition and criteria, for reference.
``Uitleg``
    Short instructions in Dutch.
``codelijst`` (hidden)
    The active code ids the dropdowns point at (through the defined name ``codes``).
``metadata`` (very hidden, protected)
    Codebook id and version, coder, sample seed and strata, calibration round, and per
    segment the SHA-256 of the text shown, the suggested code ids and the SHA-256 of the
    segment's text in the corpus (the shown text may be pseudonymised), so that
    :mod:`verhalen.coding.sheet_import` can check the sheet when it comes back.

Sheets are byte-identical for identical inputs: workbook properties and zip timestamps are
fixed (see :func:`verhalen.coding.workbook.deterministic_xlsx`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from verhalen.records import Segment

FORMAT = "verhalen-codeerblad"
FORMAT_VERSION = 1
MAIN_SHEET = "Coderen"
CODEBOOK_SHEET = "Codeboek"
HELP_SHEET = "Uitleg"
LIST_SHEET = "codelijst"
META_SHEET = "metadata"
LIST_NAME = "codes"
META_TABLE_HEADER = ("segment", "tekst_sha256", "suggesties", "corpus_sha256")

COL_SEGMENT = "segment"
COL_TRANSCRIPT = "transcript"
COL_ROLE = "rol"
COL_PRACTICE = "praktijk"
COL_PREVIOUS = "vorige beurt"
COL_TEXT = "tekst"
COL_NEXT = "volgende beurt"
COL_SUGGESTIONS = "suggesties"
COL_MEMO = "memo"
COL_PROPOSAL = "nieuwe code (voorstel)"
CODE_COLUMN_PREFIX = "code "

FIXED_TIME = dt.datetime(2000, 1, 1)
"""Workbook created/modified time and zip entry time: fixed, so sheets are reproducible."""

CONTEXT_CHARS = 600
TOP_SUGGESTIONS = 3

Suggestion = tuple[str, float, str]
"""``(code_id, score, reason)``."""
SuggestFn = Callable[[Sequence[Segment]], Mapping[str, Sequence[Suggestion]]]
"""Any function from segments to ranked suggestions per segment id."""


@dataclass(frozen=True)
class SheetRow:
    """One row of a coding sheet (everything but the coder's input)."""

    segment_id: str
    transcript_id: str
    role: str
    practice: str
    previous: str
    text: str
    next: str
    suggestions: tuple[Suggestion, ...] = ()
    corpus_hash: str = ""
    """SHA-256 of the segment's text in the corpus (differs from the shown text's hash
    when a pseudonymised text is shown)."""


@dataclass(frozen=True)
class SheetMeta:
    """What the hidden metadata sheet records about a coding sheet."""

    codebook_id: str
    codebook_version: str
    coder: str
    seed: int | None = None
    stratify: tuple[str, ...] = ()
    round_id: str | None = None
    suggestions: bool = False
    text_hashes: dict[str, str] = field(default_factory=dict)
    suggested: dict[str, tuple[str, ...]] = field(default_factory=dict)
    corpus_hashes: dict[str, str] = field(default_factory=dict)


def main_headers(show_suggestions: bool, n_code_columns: int) -> list[str]:
    """Column headers of the ``Coderen`` sheet, in order."""
    head = [COL_SEGMENT, COL_TRANSCRIPT, COL_ROLE, COL_PRACTICE, COL_PREVIOUS, COL_TEXT, COL_NEXT]
    if show_suggestions:
        head.append(COL_SUGGESTIONS)
    codes = [f"{CODE_COLUMN_PREFIX}{i}" for i in range(1, n_code_columns + 1)]
    return [*head, *codes, COL_MEMO, COL_PROPOSAL]
