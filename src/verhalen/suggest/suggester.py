"""Ranked code suggestions with reasons: codebook knowledge, then what coders taught it.

:class:`CodeSuggester` follows the scikit-learn pattern: configure in ``__init__``, learn in
:meth:`~CodeSuggester.fit`, apply in :meth:`~CodeSuggester.suggest` /
:meth:`~CodeSuggester.score`. Two sources are combined per code ``c``:

1. the codebook's own knowledge (:class:`~verhalen.suggest.knowledge.CodebookKnowledge`);
2. a one-vs-rest logistic regression (liblinear, balanced class weights) per code on the
   TF-IDF features of the segments coded so far, trained once a code has ``min_examples``
   positive segments.

``score = (1 - w_c) * knowledge + w_c * model`` with ``w_c = n_c / (n_c + half_weight)``:
the learned model takes over as coders code more segments with ``c`` (half the weight at
``half_weight`` examples). Coded segments are those with at least one human coding (any coder
but ``auto``, merged codes resolved); they are negatives for every code they lack. For reasons,
the most similar coded segment that carries the code is named ("lijkt op int05-t012 (0.41)").
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from verhalen.errors import VerhalenError, VerhalenWarning
from verhalen.nlp.analysis import TextView, views_of
from verhalen.nlp.cache import DocCache
from verhalen.nlp.pipeline import PipelineInfo, load_pipeline
from verhalen.nlp.process import process
from verhalen.records import Codebook, Coding, Segment
from verhalen.suggest.features import FeatureSpace
from verhalen.suggest.knowledge import CodebookKnowledge, KnowledgeScores
from verhalen.suggest.rules import AUTO_CODER


@dataclass(frozen=True)
class Suggestion:
    """One suggested code for one segment."""

    code: str
    factor: str | None
    score: float
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``{"code", "factor", "score", "reasons"}``."""
        return {
            "code": self.code,
            "factor": self.factor,
            "score": round(self.score, 3),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class FactorSuggestion:
    """A factor and its score: the best score of its codes."""

    factor: str | None
    score: float
    codes: tuple[str, ...]


@dataclass(frozen=True)
class SegmentSuggestions:
    """The ranked suggestions for one segment."""

    segment_id: str
    text: str
    suggestions: tuple[Suggestion, ...]
    factors: tuple[FactorSuggestion, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``{"segment_id", "text", "suggestions": [...]}``."""
        return {
            "segment_id": self.segment_id,
            "text": self.text,
            "suggestions": [s.to_dict() for s in self.suggestions],
        }


@dataclass
class ScoreTable:
    """All scores for ``n`` segments × ``k`` codes (columns in :attr:`codes` order)."""

    codes: list[str]
    score: np.ndarray
    knowledge: KnowledgeScores
    model: np.ndarray
    weight: np.ndarray
    neighbour: np.ndarray
    neighbour_sim: np.ndarray


def human_codings(codings: Sequence[Coding]) -> list[Coding]:
    """Codings made by people: everything except the ``auto`` coder's suggestions."""
    return [c for c in codings if c.coder != AUTO_CODER]


class CodeSuggester:
    """Suggest codes for segments from the codebook and from the coding done so far.

    Parameters
    ----------
    nlp
        A spaCy pipeline; if omitted, :func:`verhalen.nlp.load_pipeline` loads ``spacy_model``
        on first use.
    spacy_model
        Name or path for :func:`~verhalen.nlp.load_pipeline` when ``nlp`` is not given.
    cache
        A :class:`~verhalen.nlp.DocCache` or a folder for one (e.g. ``data/cache/nlp``).
    half_weight
        Coded examples of a code at which the learned model gets half the weight.
    min_examples
        Positive examples a code needs before a model is trained for it.
    C
        Inverse regularisation strength of the logistic regressions.
    random_state
        Seed for the classifiers (results are deterministic).
    knowledge_options
        Keyword arguments for :class:`~verhalen.suggest.knowledge.CodebookKnowledge`.
    batch_size, n_process
        Passed to :func:`verhalen.nlp.process` (the project's ``[nlp]`` settings).
    """

    def __init__(
        self,
        nlp: Any = None,
        *,
        spacy_model: str = "auto",
        cache: DocCache | str | Path | None = None,
        half_weight: float = 8.0,
        min_examples: int = 2,
        C: float = 1.0,
        random_state: int = 0,
        knowledge_options: dict[str, float] | None = None,
        batch_size: int = 64,
        n_process: int = 1,
    ) -> None:
        self.nlp = nlp
        self.spacy_model = spacy_model
        self.cache = cache if cache is None or isinstance(cache, DocCache) else DocCache(cache)
        self.half_weight = half_weight
        self.min_examples = min_examples
        self.C = C
        self.random_state = random_state
        self.knowledge_options = dict(knowledge_options or {})
        self.batch_size = batch_size
        self.n_process = n_process
        self.pipeline_info: PipelineInfo | None = None
        self._views: dict[str, TextView] = {}
        self._space_key: int | None = None
        self._rows: dict[str, sp.csr_matrix] = {}
        self._fitted = False

    # ------------------------------------------------------------------ NLP

    def views(self, texts: Sequence[str]) -> list[TextView]:
        """Analysed texts, each text processed once per suggester (and cached on disk)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._views]
        if missing:
            if self.nlp is None:
                self.nlp, self.pipeline_info = load_pipeline(self.spacy_model)
            docs = process(
                missing,
                self.nlp,
                cache=self.cache,
                batch_size=self.batch_size,
                n_process=self.n_process,
            )
            self._views.update(zip(missing, views_of(docs), strict=True))
        return [self._views[t] for t in texts]

    def _matrix(self, views: Sequence[TextView]) -> sp.csr_matrix:
        """Feature rows of texts, each text transformed once per fitted feature space."""
        missing = [v for v in {v.text: v for v in views}.values() if v.text not in self._rows]
        if missing:
            block = self.space_.transform(missing)
            self._rows.update((v.text, block[i]) for i, v in enumerate(missing))
        if not views:
            return self.space_.transform([])
        return sp.vstack([self._rows[v.text] for v in views], format="csr")

    # ------------------------------------------------------------------ fit

    def fit(
        self, segments: Sequence[Segment], codings: Sequence[Coding], codebook: Codebook
    ) -> CodeSuggester:
        """Learn from the corpus, the codings made so far and the codebook.

        Parameters
        ----------
        segments
            The corpus segments (coded or not; all shape the TF-IDF vocabulary).
        codings
            Codings of any coders; the ``auto`` coder's are ignored, merged codes resolved.
            Codings of segments not in ``segments`` are ignored.
        codebook
            The codebook; its active codes are the ones suggested.

        Returns
        -------
        CodeSuggester
            ``self``, fitted.

        Raises
        ------
        VerhalenError
            If the codebook has no active codes or segment ids repeat.

        Warns
        -----
        VerhalenWarning
            For codings whose code is not an active code of the codebook.
        """
        if not isinstance(codebook, Codebook) or not codebook.active_codes:
            raise VerhalenError(
                "CodeSuggester.fit: the codebook has no active codes — add codes to the "
                "codebook (or un-retire some) before asking for suggestions"
            )
        ids = [s.id for s in segments]
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})[:5]
            raise VerhalenError(
                f"CodeSuggester.fit: segment ids repeat ({', '.join(dupes)}) — pass each "
                "segment once (e.g. corpus.segments)"
            )
        texts = [s.text for s in segments]
        seg_views = self.views(texts)
        key = hash((tuple(texts), codebook.model_dump_json(exclude={"changelog"})))
        if key != self._space_key:  # refitting on other codings only: reuse the TF-IDF space
            self.codebook = codebook
            self.knowledge = CodebookKnowledge(codebook, **self.knowledge_options)
            self.codes_ = list(self.knowledge.code_ids)
            self.factors_ = {c: codebook.factor_of(c) for c in self.codes_}
            text_views = self.views(self.knowledge.texts())
            self.space_ = FeatureSpace().fit([*seg_views, *text_views])
            self.knowledge.fit(text_views, self.space_, seg_views)
            self._space_key = key
            self._rows = {}
        self._fit_model(segments, seg_views, human_codings(codings))
        self._fitted = True
        return self

    def _fit_model(
        self, segments: Sequence[Segment], views: list[TextView], codings: Sequence[Coding]
    ) -> None:
        index = {s.id: i for i, s in enumerate(segments)}
        column = {c: j for j, c in enumerate(self.codes_)}
        labels: dict[int, set[int]] = {}
        unknown: set[str] = set()
        for c in codings:
            row = index.get(c.segment_id)
            if row is None:
                continue
            code = self.codebook.resolve(c.code_id)
            labels.setdefault(row, set())
            if code in column:
                labels[row].add(column[code])
            else:
                unknown.add(c.code_id)
        if unknown:
            warnings.warn(
                f"codings with codes that are not active in codebook {self.codebook.id!r} are "
                f"not learned from: {', '.join(sorted(unknown))} — add them to the codebook "
                "to get suggestions for them",
                VerhalenWarning,
                stacklevel=3,
            )
        rows = sorted(labels)
        self.train_ids_ = [segments[r].id for r in rows]
        self.train_x_ = self._matrix([views[r] for r in rows])
        y = np.zeros((len(rows), len(self.codes_)), dtype=bool)
        for i, r in enumerate(rows):
            y[i, sorted(labels[r])] = True
        self.train_y_ = y
        self.n_examples_ = {c: int(y[:, j].sum()) for j, c in enumerate(self.codes_)}
        self.models_: dict[int, LogisticRegression] = {}
        for j in range(len(self.codes_)):
            n_pos = int(y[:, j].sum())
            if n_pos >= self.min_examples and n_pos < len(rows):
                model = LogisticRegression(
                    C=self.C,
                    class_weight="balanced",
                    solver="liblinear",
                    dual=True,
                    max_iter=1000,
                    random_state=self.random_state,
                )
                self.models_[j] = model.fit(self.train_x_, y[:, j])

    # ------------------------------------------------------------------ apply

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise VerhalenError(
                "CodeSuggester: not fitted yet — call fit(segments, codings, codebook) first"
            )

    def score(self, segments: Sequence[Segment]) -> ScoreTable:
        """Every score behind the suggestions, for analysis and evaluation."""
        self._check_fitted()
        views = self.views([s.text for s in segments])
        x = self._matrix(views)
        n, k = len(segments), len(self.codes_)
        know = self.knowledge.score(views, x)
        model = np.zeros((n, k))
        weight = np.zeros(k)
        for j, clf in self.models_.items():
            if n:
                model[:, j] = clf.predict_proba(x)[:, 1]
            n_c = self.n_examples_[self.codes_[j]]
            weight[j] = n_c / (n_c + self.half_weight)
        score = (1 - weight) * know.score + weight * model
        neighbour = np.full((n, k), -1, dtype=int)
        neighbour_sim = np.zeros((n, k))
        if n and len(self.train_ids_):
            sims = np.asarray((x @ self.train_x_.T).toarray())
            own = {sid: i for i, sid in enumerate(self.train_ids_)}
            for i, s in enumerate(segments):
                if s.id in own:  # never explain a segment by itself
                    sims[i, own[s.id]] = -1.0
            for j in range(k):
                members = np.flatnonzero(self.train_y_[:, j])
                if len(members):
                    best = members[np.argmax(sims[:, members], axis=1)]
                    neighbour[:, j] = best
                    neighbour_sim[:, j] = sims[np.arange(n), best]
        return ScoreTable(list(self.codes_), score, know, model, weight, neighbour, neighbour_sim)

    def _reasons(self, table: ScoreTable, i: int, j: int) -> tuple[str, ...]:
        """Why code ``j`` is suggested for segment ``i``, strongest evidence first (Dutch)."""
        know = table.knowledge
        reasons = know.hits[i][j].reasons()
        if table.neighbour[i, j] >= 0 and table.neighbour_sim[i, j] >= 0.1:
            sid = self.train_ids_[table.neighbour[i, j]]
            reasons.append(f"lijkt op {sid} ({table.neighbour_sim[i, j]:.2f})")
        if table.weight[j] > 0 and table.model[i, j] >= 0.5:
            n_c = self.n_examples_[self.codes_[j]]
            reasons.append(f"geleerd uit {n_c} gecodeerde fragmenten ({table.model[i, j]:.2f})")
        if know.similarity[i, j] >= 0.05 or not reasons:
            what = "voorbeeld uit het codeboek" if know.via_example[i, j] else "codebeschrijving"
            reasons.append(f"lijkt op {what} ({know.similarity[i, j]:.2f})")
        if know.penalty[i, j] > 0:
            _, text = self.knowledge.exclusions[know.exclusion_item[i, j]]
            short = text if len(text) <= 60 else text[:57] + "..."
            reasons.append(f"let op uitsluiting: '{short}' ({know.exclusion[i, j]:.2f})")
        return tuple(reasons)

    def suggest(
        self, segments: Sequence[Segment], top_k: int = 3, min_score: float = 0.0
    ) -> list[SegmentSuggestions]:
        """The ``top_k`` best codes per segment, with scores and reasons.

        Parameters
        ----------
        segments
            Segments to suggest codes for (from the corpus or from other files).
        top_k
            How many codes per segment (at least 1).
        min_score
            Only codes scoring above this (default: any evidence at all).

        Returns
        -------
        list of SegmentSuggestions
            One per segment, in input order; ties are broken by codebook order.
        """
        if not isinstance(top_k, int) or top_k < 1:
            raise VerhalenError(f"suggest: top_k must be a whole number ≥ 1, got {top_k!r}")
        table = self.score(segments)
        out = []
        for i, segment in enumerate(segments):
            row = table.score[i]
            order = np.argsort(-row, kind="stable")
            picks = [
                Suggestion(
                    self.codes_[j],
                    self.factors_[self.codes_[j]],
                    float(row[j]),
                    self._reasons(table, i, j),
                )
                for j in order[:top_k]
                if row[j] > min_score
            ]
            out.append(
                SegmentSuggestions(segment.id, segment.text, tuple(picks), self._factor_scores(row))
            )
        return out

    def _factor_scores(self, row: np.ndarray) -> tuple[FactorSuggestion, ...]:
        by_factor: dict[str | None, list[int]] = {}
        for j, code in enumerate(self.codes_):
            by_factor.setdefault(self.factors_[code], []).append(j)
        items = []
        for factor, cols in by_factor.items():
            ranked = sorted(cols, key=lambda j: -row[j])
            items.append(
                FactorSuggestion(
                    factor, float(row[ranked[0]]), tuple(self.codes_[j] for j in ranked[:3])
                )
            )
        return tuple(sorted(items, key=lambda f: -f.score))
