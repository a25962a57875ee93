"""What the codebook itself knows about each code, as scores for segments.

Per active code and segment, two kinds of evidence (no coded data needed):

* **cues** (:mod:`verhalen.suggest.rules`): matched keywords, each weighted by its inverse
  document frequency in the corpus (a rare keyword like ``groepsapp`` says more than
  ``zeggen``), combined as ``kw = 1 - exp(-sum(weights) / keyword_scale)``; every matched lemma
  pattern or regular expression adds ``pattern_weight`` in a noisy-or:
  ``rule = 1 - (1 - kw) * (1 - pattern_weight) ** n_patterns``;
* **similarity** (:mod:`verhalen.suggest.features`): the best cosine similarity of the segment
  to the code's description (label, definition, inclusion criteria, keywords, patterns) or to
  one of its examples; ``sim / sim_ref`` capped at 1.

``knowledge = rule_weight * rule + (1 - rule_weight) * min(1, sim / sim_ref)``, minus a
penalty when the segment resembles one of the code's *exclusion* criteria more than the code
itself: ``exclusion_penalty * clip((excl - sim) / sim_ref, 0, 1)``; clipped to [0, 1].

The keyword document frequencies are counted over the segments the suggester learns from
(its training segments, topped up with a seeded draw of uncoded ones while little is coded;
see :mod:`verhalen.suggest.suggester`), not over the whole corpus, so the fitted knowledge
does not change when the rest of the corpus does.
Cue matching (:meth:`CodebookKnowledge.match`) gives the same hits as
:meth:`verhalen.suggest.rules.RuleSet.match` (tested), faster: each segment's words are
looked up in an index of every keyword and the first fixed word of every lemma pattern, so
only codes with a keyword among them, or a lemma pattern whose fixed words all occur, or
regular expressions, are looked at, and a lemma pattern is searched from the positions of its
first fixed word.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from verhalen.nlp.analysis import TextView
from verhalen.records import Code, Codebook
from verhalen.suggest.features import FeatureSpace
from verhalen.suggest.rules import RuleHits, RuleSet


@dataclass
class KnowledgeScores:
    """Codebook evidence for ``n`` segments and ``k`` codes (arrays of shape ``(n, k)``)."""

    score: np.ndarray
    rule: np.ndarray
    similarity: np.ndarray
    via_example: np.ndarray
    exclusion: np.ndarray
    exclusion_item: np.ndarray
    penalty: np.ndarray
    hits: list[list[RuleHits]]


_NO_HITS = RuleHits()


def _find(view: TextView, seq: tuple[frozenset[str] | None, ...]) -> bool:
    """Whether the word sequence ``seq`` occurs (``None`` = any word), as in the rules.

    Looks for the first fixed word with ``tuple.index`` and checks the rest around it.
    """
    lemmas, forms = view.lemmas, view.forms
    n, size = len(seq), len(view.lemmas)
    anchor = next((i for i, alts in enumerate(seq) if alts is not None), None)
    if anchor is None:
        return size >= n
    starts: set[int] = set()
    for word in seq[anchor] or ():
        for words in (lemmas, forms):
            at = -1
            while True:
                try:
                    at = words.index(word, at + 1)
                except ValueError:
                    break
                starts.add(at - anchor)
    for start in sorted(starts):
        if start < 0 or start + n > size:
            continue
        if all(
            alts is None or lemmas[start + j] in alts or forms[start + j] in alts
            for j, alts in enumerate(seq)
        ):
            return True
    return False


def _profile(code: Code) -> str:
    parts = [
        code.label + ".",
        code.definition,
        *code.inclusion,
        " ".join(code.keywords),
        *code.lemma_patterns,
    ]
    return " ".join(p for p in parts if p)


class CodebookKnowledge:
    """Score segments against the codebook's cues, descriptions, examples and exclusions.

    Parameters
    ----------
    codebook
        Only active codes are scored, in codebook order.
    rule_weight, sim_ref, keyword_scale, pattern_weight, exclusion_penalty
        See the module docstring.
    """

    def __init__(
        self,
        codebook: Codebook,
        *,
        rule_weight: float = 0.4,
        sim_ref: float = 0.3,
        keyword_scale: float = 1.5,
        pattern_weight: float = 0.5,
        exclusion_penalty: float = 0.5,
    ) -> None:
        self.codebook = codebook
        self.codes = list(codebook.active_codes)
        self.code_ids = [c.id for c in self.codes]
        self.rule_weight = rule_weight
        self.sim_ref = sim_ref
        self.keyword_scale = keyword_scale
        self.pattern_weight = pattern_weight
        self.exclusion_penalty = exclusion_penalty
        self.rules = RuleSet(codebook)
        self._profiles = [_profile(c) for c in self.codes]
        self._examples = [(i, ex) for i, c in enumerate(self.codes) for ex in c.examples]
        self._exclusions = [(i, ex) for i, c in enumerate(self.codes) for ex in c.exclusion]
        self._df: Counter[str] = Counter()
        self._n_docs = 0
        self._kw_weight: dict[str, float] = {}
        # keyword word -> (code, keyword position); first fixed word of a lemma pattern ->
        # (code, all fixed positions); codes matched in full on every text (regular
        # expressions, patterns of only wildcards)
        self._keyword_index: dict[str, list[tuple[int, int]]] = {}
        self._pattern_index: dict[str, list[tuple[int, tuple[frozenset[str], ...]]]] = {}
        always: list[int] = []
        for j, rule in enumerate(self.rules.rules):
            for k, (_, alts) in enumerate(rule.keywords):
                for w in sorted(alts):
                    self._keyword_index.setdefault(w, []).append((j, k))
            if rule.patterns or any(
                all(alts is None for alts in seq) for _, seq in rule.lemma_patterns
            ):  # regular expressions, or a pattern of only wildcards: any text may match
                always.append(j)
        self._always = frozenset(always)
        self._keyword_words = frozenset(self._keyword_index)
        self._disjoint = []
        for rule in self.rules.rules:
            seen: set[str] = set()
            disjoint = True
            for _, alts in rule.keywords:
                disjoint = disjoint and seen.isdisjoint(alts)
                seen |= alts
            self._disjoint.append(disjoint)
        self._index_patterns()

    def _index_patterns(self) -> None:
        """Index each lemma pattern under its rarest fixed word (the fewest texts to check).

        Rarest by document frequency once fitted, by length before (long words are rarer).
        """

        def rarity(alts: frozenset[str]) -> tuple[int, int]:
            return (sum(self._df.get(w, 0) for w in alts), -min(len(w) for w in alts))

        self._pattern_index = {}
        for j, rule in enumerate(self.rules.rules):
            for _, seq in rule.lemma_patterns:
                fixed: tuple[frozenset[str], ...] = tuple(a for a in seq if a is not None)
                if fixed:
                    key: frozenset[str] = min(fixed, key=rarity)
                    for w in sorted(key):
                        self._pattern_index.setdefault(w, []).append((j, fixed))
        self._pattern_words = frozenset(self._pattern_index)

    @property
    def exclusions(self) -> list[tuple[int, str]]:
        """``(code index, exclusion criterion)`` pairs."""
        return self._exclusions

    def texts(self) -> list[str]:
        """The codebook texts to analyse: descriptions, then examples, then exclusions."""
        return [*self._profiles, *(e for _, e in self._examples), *(e for _, e in self._exclusions)]

    def fit(
        self, text_views: Sequence[TextView], space: FeatureSpace, corpus_views: Sequence[TextView]
    ) -> CodebookKnowledge:
        """Vectorise the codebook texts and count keyword document frequencies.

        Parameters
        ----------
        text_views
            Views of :meth:`texts`, in that order.
        space
            A fitted feature space.
        corpus_views
            The segments whose document frequencies weigh the keywords (the suggester passes
            the segments it learns from).
        """
        n_p, n_e = len(self._profiles), len(self._examples)
        matrix = space.transform(text_views)
        self._p = matrix[:n_p]
        self._e = matrix[n_p : n_p + n_e]
        self._x = matrix[n_p + n_e :]
        self._e_owner = np.array([i for i, _ in self._examples], dtype=int)
        self._x_owner = np.array([i for i, _ in self._exclusions], dtype=int)
        self._df = Counter()
        for view in corpus_views:
            self._df.update(set(view.lemmas) | set(view.forms))
        self._n_docs = len(corpus_views)
        self._index_patterns()
        self._kw_weight = {
            kw: self.keyword_weight(kw) for rule in self.rules.rules for kw, _ in rule.keywords
        }
        return self

    def keyword_weight(self, word: str) -> float:
        """Smoothed IDF of a word in the corpus, relative to an unseen word (0–1]."""
        n = self._n_docs
        df = self._df.get(word, 0)
        return (math.log((1 + n) / (1 + df)) + 1) / (math.log(1 + n) + 1)

    def _grouped_max(
        self, sims: sp.csr_matrix | sp.sparray | np.ndarray, owner: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per code, the maximum over its items and which item (global index) it was.

        ``owner`` (the code of each item column) is non-decreasing: items are listed code by
        code. Where no item scores above 0 the maximum is 0 and the item -1.
        """
        k = len(self.codes)
        best = np.zeros((n, k))
        which = np.full((n, k), -1, dtype=int)
        if not n or not len(owner):
            return best, which
        dense = (
            np.asarray(sims.toarray())
            if isinstance(sims, sp.spmatrix | sp.sparray)
            else np.asarray(sims)
        )
        codes, starts = np.unique(owner, return_index=True)
        ends = [*starts[1:], len(owner)]
        for code, lo, hi in zip(codes, starts, ends, strict=True):
            block = dense[:, lo:hi]
            arg = np.argmax(block, axis=1)
            top = block[np.arange(n), arg]
            found = top > 0
            best[found, code] = top[found]
            which[found, code] = lo + arg[found]
        return best, which

    def _keywords(self, j: int, positions: Iterable[int], words: frozenset[str]) -> tuple[str, ...]:
        """Matched keywords of code ``j`` (as :meth:`CodeRules.match`: one word counts once)."""
        rule = self.rules.rules[j]
        if self._disjoint[j]:  # no two keywords share a word: each matched one counts
            return tuple(rule.keywords[k][0] for k in sorted(set(positions)))
        found: list[str] = []
        claimed: set[str] = set()
        for k in sorted(set(positions)):
            kw, alts = rule.keywords[k]
            matched = alts & words
            if not matched <= claimed:
                found.append(kw)
                claimed |= matched
        return tuple(found)

    def _match(self, view: TextView) -> dict[int, RuleHits]:
        """The non-empty cue hits of one text, by code index."""
        words = frozenset(view.lemmas) | frozenset(view.forms)
        keywords: dict[int, list[int]] = {}
        for w in words & self._keyword_words:
            for j, k in self._keyword_index[w]:
                keywords.setdefault(j, []).append(k)
        full = set(self._always)  # codes whose patterns may match: searched in full
        for w in words & self._pattern_words:
            for j, fixed in self._pattern_index[w]:
                if j not in full and all(not a.isdisjoint(words) for a in fixed):
                    full.add(j)
        out: dict[int, RuleHits] = {}
        for j, positions in keywords.items():
            if j not in full:
                out[j] = RuleHits(self._keywords(j, positions, words))
        for j in full:
            rule = self.rules.rules[j]
            sequences = tuple(
                src
                for src, seq in rule.lemma_patterns
                if all(a is None or not a.isdisjoint(words) for a in seq) and _find(view, seq)
            )
            texts = []
            for pattern in rule.patterns:
                m = pattern.search(view.text)
                if m:
                    texts.append(" ".join(m.group(0).split())[:60])
            hits = RuleHits(self._keywords(j, keywords.get(j, ()), words), sequences, tuple(texts))
            if hits:
                out[j] = hits
        return out

    def match(self, view: TextView) -> list[RuleHits]:
        """Cue hits of every code in one text (as :meth:`RuleSet.match`, only faster).

        Only codes with a keyword or the first word of a lemma pattern among the text's words
        are looked at; the full matcher runs only where a lemma pattern or regular expression
        can match.
        """
        hits = [_NO_HITS] * len(self.codes)
        for j, h in self._match(view).items():
            hits[j] = h
        return hits

    def rule_scores(self, views: Sequence[TextView]) -> tuple[np.ndarray, list[list[RuleHits]]]:
        """Cue-only scores (the keyword baseline) and the hits behind them."""
        rule = np.zeros((len(views), len(self.codes)))
        weight = self._kw_weight
        hits = []
        for i, view in enumerate(views):
            found = self._match(view)
            row = [_NO_HITS] * len(self.codes)
            for j, h in found.items():
                row[j] = h
                mass = sum(
                    weight[kw] if kw in weight else self.keyword_weight(kw) for kw in h.keywords
                )
                kw = 1.0 - math.exp(-mass / self.keyword_scale)
                n_pat = len(h.lemma_patterns) + len(h.patterns)
                rule[i, j] = 1.0 - (1.0 - kw) * (1.0 - self.pattern_weight) ** n_pat
            hits.append(row)
        return rule, hits

    def score(self, views: Sequence[TextView], x: sp.csr_matrix) -> KnowledgeScores:
        """Codebook evidence for segments (``x`` = their rows in the feature space)."""
        n = len(views)
        rule, hits = self.rule_scores(views)
        profile = np.asarray((x @ self._p.T).toarray()) if n else np.zeros((0, len(self.codes)))
        example, _ = self._grouped_max(x @ self._e.T, self._e_owner, n)
        similarity = np.maximum(profile, example)
        via_example = example > profile
        exclusion, item = self._grouped_max(x @ self._x.T, self._x_owner, n)
        scaled = np.minimum(1.0, similarity / self.sim_ref)
        penalty = self.exclusion_penalty * np.clip((exclusion - similarity) / self.sim_ref, 0, 1)
        score = np.clip(self.rule_weight * rule + (1 - self.rule_weight) * scaled - penalty, 0, 1)
        return KnowledgeScores(score, rule, similarity, via_example, exclusion, item, penalty, hits)
