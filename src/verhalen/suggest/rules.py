"""The codebook's explicit cues: keywords, lemma patterns and regular expressions.

A code's ``keywords`` are lemmas; a keyword matches a word whose lemma *or* lower-cased form
equals the keyword or the keyword's own lemma (so ``kinderen`` in a codebook still matches).
``lemma_patterns`` are word sequences (``niet de enige``, ``muur komen op``) matched against
consecutive words in the same way; ``*`` matches any one word. ``patterns`` are regular
expressions searched case-insensitively in the segment text with transcription notes blanked.
Keywords and patterns are matched against every word, stop words included: the researcher
chose them.

:func:`autocode` turns matches into :class:`~verhalen.records.Coding` records with
``source=suggested`` and coder ``auto``. They stay suggestions until a person accepts them
(a new coding by that person); nothing here writes to a coded store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language

from verhalen.errors import VerhalenError
from verhalen.nlp.analysis import TextView
from verhalen.nlp.cache import DocCache
from verhalen.nlp.lemmatizer import lemma_of
from verhalen.records import Codebook, Coding, CodingSource, Segment

AUTO_CODER = "auto"
"""The coder name of rule-based auto-coding (never a person)."""

WILDCARD = "*"


@dataclass(frozen=True)
class RuleHits:
    """What of one code's cues matched one text."""

    keywords: tuple[str, ...] = ()
    lemma_patterns: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.keywords or self.lemma_patterns or self.patterns)

    def reasons(self) -> list[str]:
        """Human-readable reasons in Dutch, e.g. ``trefwoorden: tip, advies``."""
        out = []
        if self.keywords:
            label = "trefwoord" if len(self.keywords) == 1 else "trefwoorden"
            out.append(f"{label}: {', '.join(self.keywords)}")
        out.extend(f"lemmapatroon: '{p}'" for p in self.lemma_patterns)
        out.extend(f"patroon: '{p}'" for p in self.patterns)
        return out


def _alternatives(word: str, lang: str) -> frozenset[str]:
    word = word.strip().lower()
    return frozenset({word, lemma_of(word, lang).lower()})


@dataclass(frozen=True)
class CodeRules:
    """The compiled cues of one code."""

    code_id: str
    keywords: tuple[tuple[str, frozenset[str]], ...]
    lemma_patterns: tuple[tuple[str, tuple[frozenset[str] | None, ...]], ...]
    patterns: tuple[re.Pattern[str], ...]

    def match(self, view: TextView, words: frozenset[str] | None = None) -> RuleHits:
        """Match this code's cues against one text.

        Parameters
        ----------
        view
            The text's words and lemmas (:func:`verhalen.nlp.view_of`).
        words
            ``set(view.lemmas) | set(view.forms)``, if already computed.
        """
        if words is None:
            words = frozenset(view.lemmas) | frozenset(view.forms)
        keywords = []
        claimed: set[str] = set()
        for kw, alts in self.keywords:
            matched = alts & words
            if matched and not matched <= claimed:  # two keywords, one word: count once
                keywords.append(kw)
                claimed |= matched
        found = tuple(
            src
            for src, seq in self.lemma_patterns
            if all(alts is None or not alts.isdisjoint(words) for alts in seq) and _find(view, seq)
        )
        texts = []
        for pattern in self.patterns:
            m = pattern.search(view.text)
            if m:
                texts.append(" ".join(m.group(0).split())[:60])
        return RuleHits(tuple(keywords), found, tuple(texts))


def _find(view: TextView, seq: tuple[frozenset[str] | None, ...]) -> bool:
    n = len(seq)
    lemmas, forms = view.lemmas, view.forms
    for i in range(len(lemmas) - n + 1):
        for j, alts in enumerate(seq):
            if alts is not None and lemmas[i + j] not in alts and forms[i + j] not in alts:
                break
        else:
            return True
    return False


class RuleSet:
    """Compiled cues of every active code of a codebook.

    Parameters
    ----------
    codebook
        The codebook; only active codes are used.
    lang
        Language for lemmatising the cues themselves (simplemma).
    """

    def __init__(self, codebook: Codebook, lang: str = "nl") -> None:
        self.codebook = codebook
        self.rules: list[CodeRules] = []
        for code in codebook.active_codes:
            keywords = []
            sequences = [(p, p) for p in code.lemma_patterns]
            for kw in code.keywords:
                if len(kw.split()) > 1:  # a multi-word keyword is a lemma pattern
                    sequences.append((kw, kw))
                elif kw.strip():
                    keywords.append((kw.strip().lower(), _alternatives(kw, lang)))
            compiled = tuple(
                (src, tuple(None if w == WILDCARD else _alternatives(w, lang) for w in words))
                for src, pat in sequences
                if (words := pat.lower().split())
            )
            regexes = tuple(re.compile(p, re.IGNORECASE) for p in code.patterns)
            self.rules.append(CodeRules(code.id, tuple(keywords), compiled, regexes))

    @property
    def code_ids(self) -> list[str]:
        return [r.code_id for r in self.rules]

    def match(self, view: TextView) -> list[RuleHits]:
        """Hits of every code (in :attr:`code_ids` order) in one text."""
        words = frozenset(view.lemmas) | frozenset(view.forms)
        return [rule.match(view, words) for rule in self.rules]


def _views_for(
    segments: Sequence[Segment],
    views: Sequence[TextView] | None,
    nlp: Language | None,
    cache: DocCache | None,
) -> list[TextView]:
    from verhalen.nlp import load_pipeline, process, views_of

    if views is not None:
        if len(views) != len(segments):
            raise VerhalenError(
                f"autocode: got {len(views)} text views for {len(segments)} segments — pass "
                "one view per segment, in the same order, or leave views out"
            )
        return list(views)
    if nlp is None:
        nlp, _ = load_pipeline("auto")
    return views_of(process([s.text for s in segments], nlp, cache=cache))


def autocode(
    segments: Sequence[Segment],
    codebook: Codebook,
    *,
    min_keywords: int = 2,
    nlp: Language | None = None,
    cache: DocCache | None = None,
    views: Sequence[TextView] | None = None,
    coder: str = AUTO_CODER,
    timestamp: dt.datetime | None = None,
) -> list[Coding]:
    """Rule-based auto-coding: apply a code where its cues match.

    A code is applied to a segment when one of its lemma patterns or regular expressions
    matches, or when at least ``min_keywords`` different keywords occur.

    Parameters
    ----------
    segments
        The segments to code.
    codebook
        Active codes and their cues.
    min_keywords
        Distinct keywords needed when no pattern matches (at least 1).
    nlp, cache
        Pipeline and doc cache for lemmatising the segments (``auto`` pipeline if omitted).
    views
        Already analysed segments (one per segment), instead of ``nlp``.
    coder
        The coder name of the result; ``auto`` by default. Never a person's name: these are
        suggestions, and a person accepts one by recording their own coding.
    timestamp
        Timestamp of the codings (default: now, UTC).

    Returns
    -------
    list of Coding
        ``source=suggested``, the matched cues in ``memo``, in segment and codebook order.

    Raises
    ------
    VerhalenError
        If ``min_keywords`` < 1 or ``views`` does not fit ``segments``.
    """
    if min_keywords < 1:
        raise VerhalenError(
            f"autocode: min_keywords must be at least 1, got {min_keywords} — use 1 for "
            "the most suggestions, 2 (default) or more for fewer, surer ones"
        )
    rules = RuleSet(codebook)
    when = timestamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    out: list[Coding] = []
    for segment, view in zip(segments, _views_for(segments, views, nlp, cache), strict=True):
        for code_id, hits in zip(rules.code_ids, rules.match(view), strict=True):
            if hits.lemma_patterns or hits.patterns or len(hits.keywords) >= min_keywords:
                out.append(
                    Coding(
                        segment_id=segment.id,
                        code_id=code_id,
                        coder=coder,
                        timestamp=when,
                        source=CodingSource.suggested,
                        codebook_version=codebook.version,
                        memo="automatisch: " + "; ".join(hits.reasons()),
                        transcript_id=segment.transcript_id,
                    )
                )
    return out
