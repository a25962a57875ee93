"""Representative quotes: chosen by a documented score, deterministically.

:func:`select_quotes` is the public entry point (the report uses it per practice, role and
factor; the klankbord posters reuse it). A candidate is a segment that carries at least one
of the theme's codes (under the pooling rule, :mod:`verhalen.report.pooling`). Its text is
cleaned (:func:`verhalen.report.text.clean_text`) and cut to a readable window of whole
sentences (:func:`verhalen.report.text.trim_to_window`). Candidates are ranked by

1. *typicality*: how many of the theme's codes the segment carries (more is better);
2. *agreement*: the mean share of the segment's coders who applied those codes (higher is
   better; with one coder every coding has agreement 1);
3. *length*: how far the quote's word count is from ``ideal_words`` (closer is better);
4. a stable tie-breaker: the SHA-256 of the segment id (never dict order or chance).

The ranked list is walked from the top, taking at most one quote per participant, until
``n`` quotes are found. Quotes carry the speaker's reported role and practice
("moeder, De Huiskamer Groningen"), never a participant id or a name; the segment id is
kept on the :class:`Quote` for the research team's audit trail only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from verhalen.errors import VerhalenError
from verhalen.records import Codebook
from verhalen.report.pooling import pool_codings
from verhalen.report.text import clean_text, stable_hash, trim_to_window


@dataclass(frozen=True)
class QuoteScore:
    """The ranking of a candidate quote (see the module documentation)."""

    codes: int
    agreement: float
    words: int
    distance: int
    tiebreak: str

    def key(self) -> tuple[int, float, int, str]:
        """Sort key: best first."""
        return (-self.codes, -round(self.agreement, 9), self.distance, self.tiebreak)


@dataclass(frozen=True)
class Quote:
    """A cleaned, trimmed quote with its attribution.

    ``segment_id`` and ``participant_id`` are for the audit trail and for choosing quotes
    from different participants; reports show only ``text`` and ``attribution``.
    """

    text: str
    attribution: str
    role: str
    practice: str
    segment_id: str
    participant_id: str
    score: QuoteScore


def factor_codes(codebook: Codebook, factor_id: str) -> list[str]:
    """Ids of every code that belongs to a factor (following parents), in codebook order."""
    return [c.id for c in codebook.codes if codebook.factor_of(c.id) == factor_id]


def theme_keywords(codebook: Codebook, codes: Collection[str]) -> list[str]:
    """The ``keywords`` and ``lemma_patterns`` of the given codes, de-duplicated and sorted."""
    found: set[str] = set()
    for code_id in codes:
        code = codebook.code(code_id)
        if code is not None:
            found.update(k.lower() for k in code.keywords + code.lemma_patterns if k.strip())
    return sorted(found)


def _forbidden_pattern(forbidden: Collection[str]) -> re.Pattern[str] | None:
    terms = sorted({t.strip() for t in forbidden if t and len(t.strip()) >= 2})
    if not terms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)")


def select_quotes(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    codes: Collection[str],
    *,
    n: int = 2,
    pooling: str = "any",
    min_words: int = 12,
    max_words: int = 70,
    ideal_words: int = 35,
    keywords: Collection[str] = (),
    practice_labels: Mapping[str, str] | None = None,
    role_mapping: Mapping[str, str] | None = None,
    exclude_segments: Collection[str] = (),
    exclude_participants: Collection[str] = (),
    forbidden: Collection[str] = (),
) -> list[Quote]:
    """Choose up to ``n`` representative quotes for a theme, from different participants.

    Parameters
    ----------
    segments
        Candidate segments: :meth:`verhalen.corpus.Corpus.segments_df` of an *already
        pseudonymised* corpus, filtered to the practice/role wanted. Needs ``segment_id``,
        ``participant_id`` and ``text``; ``role`` and ``practice`` are used for the
        attribution. Segments without a participant are skipped.
    codings
        Codings with ``segment_id``, ``code_id`` and, to rank by agreement, ``coder``
        (e.g. :meth:`verhalen.coding.store.CodedStore.dataframe`). Codings of segments not
        in ``segments`` are ignored.
    codes
        The theme: code ids (e.g. :func:`factor_codes` of a factor, or a single code).
    n
        Maximum number of quotes.
    pooling
        How several coders' codings count (:func:`verhalen.report.pooling.pool_codings`).
    min_words, max_words, ideal_words
        Readable length of a quote in words; shorter segments are skipped, longer ones cut
        at sentence boundaries (:func:`verhalen.report.text.trim_to_window`).
    keywords
        Words that mark the theme in a long turn (default: none); the report passes the
        codes' keywords (:func:`theme_keywords`) so the cut keeps the relevant sentences.
    practice_labels
        Practice id → label for the attribution (default: the id).
    role_mapping
        Role → reported role (e.g. ``{"verzorger": "moeder"}``), applied to the attribution.
    exclude_segments, exclude_participants
        Segments and participants not to quote (e.g. already quoted on the same page).
    forbidden
        Strings that must not occur in a quote (e.g. real names, as a last line of defence
        behind pseudonymisation); a candidate containing one as a whole word is skipped.

    Returns
    -------
    list of Quote
        Best first (:class:`QuoteScore`); the same inputs always give the same quotes.

    Raises
    ------
    VerhalenError
        If a length limit is inconsistent or a needed column is missing.
    """
    if not 0 < min_words <= max_words:
        raise VerhalenError(
            f"quote length limits min_words={min_words}, max_words={max_words} are "
            "inconsistent — use 0 < min_words <= max_words, e.g. 12 and 70"
        )
    missing = [c for c in ("segment_id", "participant_id", "text") if c not in segments.columns]
    if missing:
        raise VerhalenError(
            f"segments table lacks column(s) {', '.join(missing)} — pass Corpus.segments_df()"
        )
    wanted = set(codes)
    if n <= 0 or not wanted or segments.empty or codings.empty:
        return []
    pooled = codings if "agreement" in codings.columns else pool_codings(codings, rule=pooling)
    pooled = pooled[pooled["code_id"].isin(wanted)]
    if pooled.empty:
        return []
    per_segment = pooled.groupby("segment_id").agg(
        n_codes=("code_id", "nunique"), agreement=("agreement", "mean")
    )
    segs = segments.drop_duplicates("segment_id").set_index("segment_id")
    per_segment = per_segment[per_segment.index.isin(segs.index)]
    blocked = _forbidden_pattern(forbidden)
    roles = role_mapping or {}
    labels = practice_labels or {}
    excluded_segments = set(exclude_segments)
    excluded_participants = set(exclude_participants)
    columns = ["participant_id", "text", *(c for c in ("role", "practice") if c in segs.columns)]
    candidates = per_segment.join(segs[columns])
    keep = candidates["participant_id"].notna() & ~candidates.index.isin(list(excluded_segments))
    keep &= ~candidates["participant_id"].astype(str).isin(list(excluded_participants))
    candidates = candidates[keep]

    def quote_of(sid: str, row: Mapping[Any, Any], n_codes: int, agreement: float) -> Quote | None:
        cleaned = clean_text(str(row["text"]))
        if blocked is not None and blocked.search(cleaned):
            return None
        trimmed = trim_to_window(cleaned, min_words, max_words, ideal_words, keywords)
        if trimmed is None or (blocked is not None and blocked.search(trimmed.text)):
            return None
        raw_role = row.get("role")
        role = str(raw_role) if raw_role is not None and not pd.isna(raw_role) else ""
        role = roles.get(role, role)
        raw_practice = row.get("practice")
        practice = (
            str(raw_practice) if raw_practice is not None and not pd.isna(raw_practice) else ""
        )
        attribution = ", ".join(p for p in (role, labels.get(practice, practice)) if p)
        score = QuoteScore(
            codes=n_codes,
            agreement=agreement,
            words=trimmed.words,
            distance=abs(trimmed.words - ideal_words),
            tiebreak=stable_hash(sid),
        )
        return Quote(
            trimmed.text, attribution, role, practice, sid, str(row["participant_id"]), score
        )

    # The ranking key starts with (codes, agreement), so candidates are cleaned and trimmed
    # one (codes, agreement) group at a time, best group first, and only until n quotes
    # from different participants are found: the same quotes as ranking every candidate.
    groups: dict[tuple[int, float], list[tuple[str, Mapping[Any, Any], int, float]]] = {}
    for sid, row in candidates.to_dict("index").items():
        n_codes, agreement = int(row["n_codes"]), float(row["agreement"])
        key = (-n_codes, -round(agreement, 9))
        groups.setdefault(key, []).append((str(sid), row, n_codes, agreement))
    chosen: list[Quote] = []
    seen: set[str] = set()
    for key in sorted(groups):
        ranked = [q for item in groups[key] if (q := quote_of(*item)) is not None]
        ranked.sort(key=lambda q: q.score.key())
        for quote in ranked:
            if quote.participant_id in seen:
                continue
            chosen.append(quote)
            seen.add(quote.participant_id)
            if len(chosen) == n:
                return chosen
    return chosen
