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
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
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
            The corpus segments, for the keyword weights.
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
        return self

    def keyword_weight(self, word: str) -> float:
        """Smoothed IDF of a word in the corpus, relative to an unseen word (0–1]."""
        n = self._n_docs
        df = self._df.get(word, 0)
        return (math.log((1 + n) / (1 + df)) + 1) / (math.log(1 + n) + 1)

    def _grouped_max(
        self, sims: sp.csr_matrix | np.ndarray, owner: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per code, the maximum over its items and which item (global index) it was."""
        k = len(self.codes)
        best = np.zeros((n, k))
        which = np.full((n, k), -1, dtype=int)
        dense = (
            np.asarray(sims.toarray())
            if isinstance(sims, sp.spmatrix | sp.sparray)
            else np.asarray(sims)
        )
        for j, code in enumerate(owner):
            col = dense[:, j]
            better = col > best[:, code]
            best[better, code] = col[better]
            which[better, code] = j
        return best, which

    def rule_scores(self, views: Sequence[TextView]) -> tuple[np.ndarray, list[list[RuleHits]]]:
        """Cue-only scores (the keyword baseline) and the hits behind them."""
        hits = [self.rules.match(v) for v in views]
        rule = np.zeros((len(views), len(self.codes)))
        for i, row in enumerate(hits):
            for j, h in enumerate(row):
                if not h:
                    continue
                mass = sum(self.keyword_weight(kw) for kw in h.keywords)
                kw = 1.0 - math.exp(-mass / self.keyword_scale)
                n_pat = len(h.lemma_patterns) + len(h.patterns)
                rule[i, j] = 1.0 - (1.0 - kw) * (1.0 - self.pattern_weight) ** n_pat
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
