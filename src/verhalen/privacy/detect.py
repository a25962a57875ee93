"""Detections, the detector interface, and merging overlapping detections.

Every detector (deduce, spaCy, Frog, patterns, project lists, heuristics) returns
:class:`Detection` spans ``[start, end)`` into the text it was given. The engine merges
them with :func:`merge`: overlapping spans become one span (their union, so no part of an
identifier is left behind), with the kind of the most trusted detector.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from verhalen.privacy.normalise import (
    PARTICLES,
    STOP_WORDS,
    Kind,
    bounded,
    fold,
    fold_key,
    fold_marks,
    is_common_word,
    phrase_pattern,
)

#: How much each source is trusted when detections of different kinds overlap.
SOURCE_PRIORITY: dict[str, int] = {
    "review": 100,
    "deelnemers": 90,
    "sleutel": 85,
    "lokale_namen": 80,
    "patroon": 70,
    "instellingspatroon": 60,
    "deduce": 50,
    "spacy": 45,
    "frog": 45,
    "lijst": 40,
    "heuristiek": 30,
}


@dataclass(frozen=True, order=True)
class Detection:
    """One detected identifier: ``text[start:end]`` of a kind, found by ``source``.

    ``form`` says which part of a person's name this is (``full``, ``first`` or ``last``)
    when it is known; ``participant`` links a detection to a manifest participant.
    """

    start: int
    end: int
    text: str
    kind: Kind
    source: str = "heuristiek"
    form: str = ""
    participant: str | None = None

    @property
    def priority(self) -> int:
        return SOURCE_PRIORITY.get(self.source, 0)


@dataclass
class DetectContext:
    """What a detector may know about the text: whose interview it is, what to skip."""

    participant_id: str | None = None
    participant_name: str | None = None
    protected: list[tuple[int, int]] = field(default_factory=list)


class Detector(Protocol):
    """Anything with a ``name`` and a ``detect(text, context)`` method."""

    name: str

    def detect(self, text: str, context: DetectContext) -> list[Detection]:
        """Detections in ``text``."""
        ...


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def merge(detections: Iterable[Detection], text: str) -> list[Detection]:
    """Merge overlapping detections into non-overlapping ones, sorted by position.

    A group of overlapping spans becomes their union. Its kind, form and participant come
    from the most trusted member (then the longest, then the first).
    """
    ordered = sorted(detections, key=lambda d: (d.start, -d.end))
    merged: list[Detection] = []
    group: list[Detection] = []
    group_end = -1

    def flush() -> None:
        if not group:
            return
        start = min(d.start for d in group)
        end = max(d.end for d in group)
        best = max(group, key=lambda d: (d.priority, d.end - d.start, -d.start))
        form = best.form if (best.start, best.end) == (start, end) else ""
        if best.kind != Kind.naam:
            form = ""
        merged.append(
            Detection(start, end, text[start:end], best.kind, best.source, form, best.participant)
        )

    for det in ordered:
        if group and det.start < group_end:
            group.append(det)
            group_end = max(group_end, det.end)
            continue
        flush()
        group = [det]
        group_end = det.end
    flush()
    return merged


def drop_protected(
    detections: Iterable[Detection], protected: Sequence[tuple[int, int]]
) -> list[Detection]:
    """Detections that do not touch a protected span (speaker labels, timestamps…)."""
    if not protected:
        return list(detections)
    spans = sorted(protected)
    starts = [start for start, _ in spans]
    reach: list[int] = []  # reach[i]: the furthest end among spans[0..i]
    furthest = -1
    for _, end in spans:
        furthest = max(furthest, end)
        reach.append(furthest)
    kept: list[Detection] = []
    for d in detections:
        # the spans starting before d ends are spans[:i]; d overlaps one iff one ends after
        # d starts (the same test as _overlaps, in O(log n) instead of O(n))
        i = bisect_left(starts, d.end)
        if i == 0 or reach[i - 1] <= d.start:
            kept.append(d)
    return kept


#: Forms of address before a name: kept in the text, not part of the name.
TITLE = re.compile(
    r"(?i)(?:(?:mevrouw|mevr|mw|meneer|mijnheer|mr|dhr|de heer|heer|juf|juffrouw|meester|oma|"
    r"opa|tante|oom|dokter|dr|zuster|broeder|buurvrouw|buurman)\.?\s+)+"
)
_TRIM_CHARS = " \t\n.,;:!?\"'“”‘’()[]{}«»-–—"
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def tidy(det: Detection, text: str) -> Detection | None:
    """Trim punctuation, function words and a possessive ``'s`` from a detection's edges.

    Returns ``None`` when nothing identifying is left (e.g. an over-tagged ``"aan de"``).
    """
    start, end = det.start, det.end
    while start < end and text[start] in _TRIM_CHARS:
        start += 1
    while end > start and text[end - 1] in _TRIM_CHARS:
        end -= 1
    if (
        start > 0
        and text[start - 1] == "("
        and ")" in text[start:end]
        and ("(" not in text[start:end])
    ):
        start -= 1  # "(0528) 123456": keep the opening bracket of an area code
    if det.kind == Kind.naam:
        poss = _POSSESSIVE.search(text[start:end])
        if poss and end - start - len(poss.group(0)) >= 2:
            end -= len(poss.group(0))
    if det.kind == Kind.naam:
        m = TITLE.match(text[start:end])
        if m and m.end() < end - start:
            start += m.end()
    if det.kind in (Kind.naam, Kind.wijk, Kind.plaats, Kind.instelling):
        # leading/trailing lower-case function words ("aan de", "bij") are never part of it
        changed = True
        while changed and start < end:
            changed = False
            m = re.match(r"(\S+)\s+", text[start:end])
            if m and m.group(1) in STOP_WORDS and m.group(1).islower():
                start += m.end()
                changed = True
            m = re.search(r"\s+(\S+)$", text[start:end])
            if m and m.group(1) in STOP_WORDS:
                end = start + m.start()
                changed = True
    if end <= start:
        return None
    span = text[start:end]
    words = span.split()
    if all(w.lower() in STOP_WORDS for w in words):
        return None
    if det.kind == Kind.naam and not any(ch.isalpha() for ch in span):
        return None
    if (start, end) == (det.start, det.end):
        return det
    return Detection(start, end, span, det.kind, det.source, det.form, det.participant)


@dataclass(frozen=True)
class Phrase:
    """One phrase a :class:`PhraseDetector` looks for."""

    text: str
    kind: Kind
    form: str = ""
    participant: str | None = None
    #: ``True``: only match as written (case-sensitive), for phrases that are also words
    exact_case: bool = False


class PhraseDetector:
    """Finds known phrases as whole words, case- and diacritic-insensitively.

    Phrases that are also ordinary Dutch words (``"Bakker"``, ``"Roos"``) only match when
    capitalised as given, unless another phrase of the same person occurs close by (so
    ``"tussen monique en brouwer"`` is found, ``"naar de bakker"`` is not).
    """

    def __init__(
        self, name: str, phrases: Iterable[Phrase], near: int = 80, suffixes: str = ""
    ) -> None:
        self.name = name
        self.near = near
        by_key: dict[str, Phrase] = {}
        for phrase in phrases:
            key = fold_key(phrase.text)
            if key and key not in by_key:
                by_key[key] = phrase
        self.phrases = by_key
        loose = [p for p in by_key.values() if not p.exact_case]
        strict = [p for p in by_key.values() if p.exact_case]
        self._loose = self._compile([fold_key(p.text) for p in loose], suffixes, 0)
        self._strict = self._compile([_fold_marks(p.text) for p in strict], suffixes, 0, True)
        self._strict_folded = self._compile([fold_key(p.text) for p in strict], suffixes, 0)

    @staticmethod
    def _compile(
        texts: list[str], suffixes: str, flags: int, cased: bool = False
    ) -> re.Pattern[str] | None:
        if not texts:
            return None
        alternatives = None if cased else trie_pattern(texts)
        if alternatives is None:
            make = cased_pattern if cased else phrase_pattern
            alternatives = "|".join(make(t) for t in sorted(set(texts), key=len, reverse=True))
        return re.compile(bounded(f"(?:{alternatives}){suffixes}"), flags)

    def _phrase_at(self, matched: str) -> Phrase | None:
        key = fold_key(matched)
        if key in self.phrases:
            return self.phrases[key]
        for cut in range(len(key) - 1, 0, -1):  # a suffix such as "-Oost" was added
            if key[:cut] in self.phrases:
                return self.phrases[key[:cut]]
        return None

    def detect(self, text: str, context: DetectContext) -> list[Detection]:
        folded = _folded_text(text)
        found: list[Detection] = []
        if self._loose is not None:
            for m in self._loose.finditer(folded):
                phrase = self._phrase_at(m.group(0))
                if phrase is not None:
                    found.append(self._detection(text, m.start(), m.end(), phrase))
        if self._strict is not None:
            for m in self._strict.finditer(_marks_text(text)):
                phrase = self._phrase_at(m.group(0))
                if phrase is not None:
                    found.append(self._detection(text, m.start(), m.end(), phrase))
        if self._strict_folded is not None and found:
            anchors = [(d.start, d.participant or d.text) for d in found]
            for m in self._strict_folded.finditer(folded):
                phrase = self._phrase_at(m.group(0))
                if phrase is None or phrase.participant is None:
                    continue
                if any(
                    abs(pos - m.start()) <= self.near and who == phrase.participant
                    for pos, who in anchors
                ):
                    found.append(self._detection(text, m.start(), m.end(), phrase))
        return found

    def _detection(self, text: str, start: int, end: int, phrase: Phrase) -> Detection:
        return Detection(
            start, end, text[start:end], phrase.kind, self.name, phrase.form, phrase.participant
        )


#: Deeper nesting than this, or longer phrases, fall back to a plain alternation (building
#: the trie and Python's regex parser both recurse).
_TRIE_DEPTH = 60
_TRIE_CHARS = 300
_END = ""  # marks the end of a phrase in a trie node (tokens are never empty)
_TrieNode = dict[str, "_TrieNode"]


def trie_pattern(phrases: Iterable[str]) -> str | None:
    """A regex that matches exactly what the alternation of the phrases' patterns matches.

    That alternation is ``phrase_pattern`` of every phrase, longest first (as
    :class:`PhraseDetector` builds it).

    With thousands of phrases (a key of a large corpus) a plain alternation is tried one
    phrase after another at every word; this alternation shares prefixes (``an(?:na|ouk)``),
    so each character is tested once per level. The match at a position is the same: the
    plain alternation tries longer phrases first, and so does the trie (deeper before a
    phrase that ends), and at most one branch of a node can match (branches start with
    different characters, or whitespace against a non-space character).

    Returns ``None`` for an empty phrase, a very long one or a trie that would nest too
    deeply (then use the plain alternation).
    """
    root: _TrieNode = {}
    for phrase in phrases:
        words = phrase.split()
        if not words or len(phrase) > _TRIE_CHARS:
            return None
        node = root
        for i, word in enumerate(words):
            for token in (" ", *word) if i else word:
                node = node.setdefault(token, {})
        node[_END] = {}
    return _render_trie(root, 0) if root else None


def _render_trie(node: _TrieNode, depth: int) -> str | None:
    if depth > _TRIE_DEPTH:
        return None
    ends = _END in node
    branches: list[str] = []
    for token in sorted(t for t in node if t != _END):
        child = node[token]
        nested = depth + 1 if (len(node) > 1) else depth
        rest = _render_trie(child, nested)
        if rest is None:
            return None
        branches.append((r"\s+" if token == " " else re.escape(token)) + rest)
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


def cased_pattern(phrase: str) -> str:
    """Like :func:`phrase_pattern`, case-sensitive except for particles (``De Wit``)."""
    return r"\s+".join(
        f"(?i:{re.escape(w)})" if w.casefold() in PARTICLES else re.escape(w)
        for w in phrase.split()
    )


# Every phrase detector folds the same transcript: the last few folded texts are kept.
@lru_cache(maxsize=4)
def _folded_text(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=4)
def _marks_text(text: str) -> str:
    return fold_marks(text)


def _fold_marks(text: str) -> str:
    """Strip diacritics but keep case (for case-sensitive, diacritic-insensitive matching)."""
    return fold_marks(text)


def phrase_needs_exact_case(text: str) -> bool:
    """Whether a phrase is risky to match case-insensitively.

    That is a phrase of ordinary words only: ``"Bakker"``, ``"Roos"``, ``"de Haan"`` (but
    not ``"Roos de Haan"``, which as a whole is clearly a name).
    """
    words = text.split()
    content = [w for w in words if w.casefold() not in PARTICLES]
    return len(content) == 1 and is_common_word(content[0])
