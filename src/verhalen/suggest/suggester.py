"""Ranked code suggestions with reasons: codebook knowledge, then what coders taught it.

:class:`CodeSuggester` follows the scikit-learn pattern: configure in ``__init__``, learn in
:meth:`~CodeSuggester.fit`, apply in :meth:`~CodeSuggester.suggest` /
:meth:`~CodeSuggester.iter_suggest` / :meth:`~CodeSuggester.score`. Two sources are combined
per code ``c``:

1. the codebook's own knowledge (:class:`~verhalen.suggest.knowledge.CodebookKnowledge`);
2. a one-vs-rest logistic regression (liblinear, balanced class weights) per code on the
   TF-IDF features of the segments coded so far, trained once a code has ``min_examples``
   positive segments.

``score = (1 - w_c) * knowledge + w_c * model`` with ``w_c = n_c / (n_c + half_weight)``:
the learned model takes over as coders code more segments with ``c`` (half the weight at
``half_weight`` examples). Coded segments are those with at least one human coding (any coder
but ``auto``, merged codes resolved); they are negatives for every code they lack. For reasons,
the most similar coded segment that carries the code is named ("lijkt op int05-t012 (0.41)").

What the model learns from
--------------------------
Only the **training segments** (coded segments, at most ``max_train`` of them) and the
**codebook texts** shape the fitted model: the TF-IDF vocabulary and weights, the keyword
document frequencies and the classifiers. Earlier versions fitted the TF-IDF space and the
keyword frequencies on every corpus segment, so any change to any transcript changed the
model and every run refitted on the whole corpus (55 s at 500 and 457 s at 5,000
interviews, 15 GB). Now the model depends on the codebook, the coding and the settings, not
on the uncoded rest of the corpus: it can be stored and reused (:meth:`~CodeSuggester.save`,
:meth:`~CodeSuggester.load`, :meth:`~CodeSuggester.fingerprint`,
:func:`~verhalen.suggest.project_suggester`) when a transcript changes, and the fit costs
what the coding costs, not what the corpus costs.

One exception, for the start of a project: while fewer than ``background`` segments (default
1,000) are coded, the document frequencies would rest on a handful of texts, so a seeded draw
of uncoded segments (smallest ``SHA-256(seed, segment id)``, :func:`learning_segments`) tops
the counted texts up to ``background`` (they are counted for the TF-IDF weights and keyword
frequencies only, never learned from as examples, and are part of the fingerprint). Without
it, codebook knowledge alone (no coding) dropped from precision@1 .45 to .41 and macro-F1
.34 to .25 on the example project; with it the cross-validated figures of the example are
unchanged (code level precision@1 .59, recall@3 .51, macro-F1 .37; training segments alone,
``background=0``: .59/.51/.37 as well). Once ``background`` segments are coded no uncoded
segment plays any role.

The training cap keeps the fit and the neighbour search bounded however much is coded. When
there are more coded segments than ``max_train``, :func:`select_training` draws them
deterministically — ordered by ``SHA-256(seed, segment id)``, so the draw does not depend on
corpus order and adding one coding changes the selection only locally — and stratified: codes
are visited from the rarest up and each gets up to ``max(min_examples, max_train // (2 k))``
of its positives first (``k`` codes with positives), so a rare code keeps every example and
every code with ``min_examples`` positives keeps a model; the rest of the budget is a
uniform draw from the other coded segments. Liblinear's time grows with the training rows,
and the neighbour search and the stored model with them; 20,000 segments are far more
examples per code than the per-code regressions need.

Scoring works in batches of ``chunk_size`` segments (views, feature rows and score arrays of
one batch at a time; nothing per text is kept between batches), so
:meth:`~CodeSuggester.iter_suggest` streams over a corpus of any size in bounded memory. The
classifiers are applied as one product with their stacked coefficients (``float32``). The
similar-segment reason is searched only for the codes that are suggested: among the code's
training segments, the ``NEIGHBOUR_CANDIDATES`` (5) most similar at the word level (content
lemmas, a cheap sparse product) are compared in full (words and characters), and the most
similar of those is named; segments without content words are compared with every training
segment of the code. Measured against the full comparison on 1,000 segments of the
500-interview benchmark (3,000 suggestions): the same segment is named for 99.4 %, and the
named similarity is on average 0.0001 lower (at most 0.05).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import pickle
import sys
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from verhalen.errors import VerhalenError, VerhalenWarning
from verhalen.io import atomic_write_bytes, sha256_text
from verhalen.nlp.analysis import TextView, views_of
from verhalen.nlp.cache import DocCache
from verhalen.nlp.pipeline import PipelineInfo, load_pipeline, pipeline_fingerprint
from verhalen.nlp.process import process
from verhalen.records import Codebook, Coding, Segment
from verhalen.suggest.features import DTYPE, FeatureSpace
from verhalen.suggest.knowledge import CodebookKnowledge, KnowledgeScores
from verhalen.suggest.rules import AUTO_CODER

MODEL_FORMAT = 1
"""Version of the stored model layout (:meth:`CodeSuggester.save`)."""

MODEL_MAGIC = "verhalen-code-suggester"
NLP_CHUNK = 5_000
"""At most this many texts per :func:`verhalen.nlp.process` call."""

NEIGHBOUR_CANDIDATES = 5
"""Training segments per suggested code compared in full for the similar-segment reason."""

_PAIR_CHUNK = 8_192
_DENSE_CELLS = 4_000_000

_STATE = (
    "spacy_model",
    "half_weight",
    "min_examples",
    "C",
    "random_state",
    "knowledge_options",
    "batch_size",
    "n_process",
    "max_train",
    "background",
    "chunk_size",
    "pipeline_info",
    "codebook",
    "knowledge",
    "codes_",
    "factors_",
    "space_",
    "train_ids_",
    "train_x_",
    "train_y_",
    "n_examples_",
    "n_coded_",
    "n_background_",
    "unknown_codes_",
    "model_codes_",
    "coef_",
    "intercept_",
    "fingerprint_",
    "pipeline_fingerprint_",
)


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
    """All scores for ``n`` segments × ``k`` codes (columns in :attr:`codes` order).

    ``neighbour`` (training-row index, -1 for none) and ``neighbour_sim`` hold the most similar
    coded segment carrying each code; they are filled for every code by
    ``score(..., neighbours=True)`` and only for the suggested codes by :meth:`suggest`.
    """

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


@lru_cache(maxsize=1)
def _code_version() -> str:
    """Hash of the code and data that turn texts into a fitted model (stale pickles miss)."""
    import verhalen.nlp.analysis as analysis
    import verhalen.suggest.features as features
    import verhalen.suggest.knowledge as knowledge
    import verhalen.suggest.rules as rules
    from verhalen.nlp.stopwords import stop_words

    digest = hashlib.sha256()
    for module in (analysis, features, knowledge, rules, sys.modules[__name__]):
        try:
            digest.update(Path(str(module.__file__)).read_bytes())
        except (OSError, TypeError):  # no source files: the version has to do
            digest.update(module.__name__.encode())
    digest.update("\n".join(sorted(stop_words())).encode("utf-8"))
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    """Versions a stored model depends on (read from package metadata: no slow imports)."""
    from importlib.metadata import PackageNotFoundError, version

    from verhalen import __version__

    out = {"verhalen": __version__, "code": _code_version()}
    for package in ("scikit-learn", "numpy", "scipy"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:  # pragma: no cover - a broken installation
            out[package] = "unknown"
    return out


def _draw_key(seed: int, segment_id: str) -> bytes:
    return hashlib.sha256(f"{seed}\x1f{segment_id}".encode()).digest()[:8]


def select_training(
    ids: Sequence[str],
    labels: Sequence[frozenset[int]],
    max_train: int,
    *,
    min_examples: int = 2,
    seed: int = 0,
) -> list[int]:
    """Which coded segments to train on: all, or a seeded, stratified draw of ``max_train``.

    Parameters
    ----------
    ids
        Segment ids of the coded segments.
    labels
        The code columns of each segment (may be empty: a negative for every code).
    max_train
        The cap. When exceeded, each code (rarest first) gets up to
        ``max(min_examples, max_train // (2 * codes with positives))`` of its positives, then
        the rest of the budget is filled uniformly; the cap is exceeded only when the codes
        times ``min_examples`` alone exceed it.
    min_examples, seed
        As in :class:`CodeSuggester`.

    Returns
    -------
    list of int
        Positions into ``ids``, ascending.
    """
    n = len(ids)
    if n <= max_train:
        return list(range(n))
    keys = [_draw_key(seed, sid) for sid in ids]
    order = sorted(range(n), key=lambda i: (keys[i], ids[i]))
    members: dict[int, list[int]] = {}
    for i in order:
        for j in labels[i]:
            members.setdefault(j, []).append(i)
    quota = max(min_examples, (max_train // 2) // max(1, len(members)))
    chosen: set[int] = set()
    for j in sorted(members, key=lambda c: (len(members[c]), c)):
        need = quota - sum(1 for i in members[j] if i in chosen)
        for i in members[j]:
            if need <= 0:
                break
            if i not in chosen:
                chosen.add(i)
                need -= 1
    for i in order:
        if len(chosen) >= max_train:
            break
        chosen.add(i)
    return sorted(chosen)


def _draw(segments: Iterable[Segment], n: int, seed: int) -> list[Segment]:
    """The ``n`` segments with the smallest ``SHA-256(seed, id)``, sorted by id."""
    drawn = heapq.nsmallest(n, segments, key=lambda s: (_draw_key(seed, s.id), s.id))
    return sorted(drawn, key=lambda s: s.id)


def learning_segments(
    segments: Iterable[Segment],
    codings: Sequence[Coding],
    *,
    background: int = 1_000,
    seed: int = 0,
) -> list[Segment]:
    """The only segments a :meth:`CodeSuggester.fit` reads, in one pass over a corpus.

    The coded segments (a human coding, any code) plus the ``background`` uncoded segments
    a fit may draw (smallest ``SHA-256(seed, id)``). Fitting on these gives the same model
    as fitting on all ``segments``, with only these in memory.
    """
    coded = {c.segment_id for c in human_codings(codings)}
    kept: list[Segment] = []

    def uncoded() -> Iterator[Segment]:
        for s in segments:
            if s.id in coded:
                kept.append(s)
            else:
                yield s

    if background:
        extra = _draw(uncoded(), background, seed)
    else:
        extra = []
        for _ in uncoded():  # read to the end: the coded segments are collected on the way
            pass
    return [*kept, *extra]


def unknown_codes_warning(codebook_id: str, codes: Iterable[str]) -> None:
    """Warn that codings with codes outside the active codebook are not learned from."""
    warnings.warn(
        f"codings with codes that are not active in codebook {codebook_id!r} are "
        f"not learned from: {', '.join(sorted(codes))} — add them to the codebook "
        "to get suggestions for them",
        VerhalenWarning,
        stacklevel=3,
    )


def _batches(items: Iterable[Segment], size: int) -> Iterator[list[Segment]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


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
        Seed for the classifiers and the training draw (results are deterministic).
    knowledge_options
        Keyword arguments for :class:`~verhalen.suggest.knowledge.CodebookKnowledge`.
    batch_size, n_process
        Passed to :func:`verhalen.nlp.process` (the project's ``[nlp]`` settings).
    max_train
        At most this many coded segments are trained on (:func:`select_training`).
    background
        While fewer segments than this are coded, uncoded segments (a seeded draw) fill up
        the texts the TF-IDF weights and keyword frequencies are counted on, to this number
        (:func:`learning_segments`); 0 never uses uncoded segments.
    chunk_size
        Segments analysed and scored at a time (bounds the memory of scoring).

    Attributes
    ----------
    from_cache : bool
        ``True`` when the fitted state was loaded (:meth:`load`), not fitted here.
    fit_seconds : float
        Seconds the last :meth:`fit` of this object took (0 when loaded).
    fingerprint_ : str
        Hash of everything the fit depended on (:meth:`fingerprint`).
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
        max_train: int = 20_000,
        background: int = 1_000,
        chunk_size: int = 2_000,
    ) -> None:
        for name, value, least in (
            ("max_train", max_train, 1),
            ("background", background, 0),
            ("chunk_size", chunk_size, 1),
        ):
            if not isinstance(value, int) or value < least:
                raise VerhalenError(
                    f"CodeSuggester: {name} must be a whole number ≥ {least}, got {value!r}"
                )
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
        self.max_train = max_train
        self.background = background
        self.chunk_size = chunk_size
        self.pipeline_info: PipelineInfo | None = None
        self.from_cache = False
        self.fit_seconds = 0.0
        self.pipeline_fingerprint_ = ""
        self._nlp_fingerprint: tuple[int, str] | None = None
        self._fit_views: dict[str, TextView] = {}
        self._fitted = False

    # ------------------------------------------------------------------ NLP

    def _pipeline(self) -> Any:
        if self.nlp is None:
            self.nlp, self.pipeline_info = load_pipeline(self.spacy_model)
        return self.nlp

    def _pipeline_fingerprint(self) -> str:
        nlp = self._pipeline()
        if self._nlp_fingerprint is None or self._nlp_fingerprint[0] != id(nlp):
            self._nlp_fingerprint = (id(nlp), pipeline_fingerprint(nlp))
        return self._nlp_fingerprint[1]

    def _analyse(self, texts: Sequence[str], known: Mapping[str, TextView]) -> list[TextView]:
        nlp = self._pipeline()
        if self._fitted and self._pipeline_fingerprint() != self.pipeline_fingerprint_:
            raise VerhalenError(
                "CodeSuggester: this model was fitted with another NLP pipeline "
                f"({self.pipeline_info.describe() if self.pipeline_info else 'unknown'}) — "
                "use that pipeline, or fit again"
            )
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        found: dict[str, TextView] = {}
        for start in range(0, len(missing), NLP_CHUNK):
            chunk = missing[start : start + NLP_CHUNK]
            docs = process(
                chunk, nlp, cache=self.cache, batch_size=self.batch_size, n_process=self.n_process
            )
            found.update(zip(chunk, views_of(docs), strict=True))
        return [found[t] if t in found else known[t] for t in texts]

    def views(self, texts: Sequence[str]) -> list[TextView]:
        """Analysed texts (cached on disk by the doc cache, not in memory)."""
        return self._analyse(texts, {})

    # ------------------------------------------------------------------ fit

    def _check_codebook(self, codebook: Codebook, where: str) -> None:
        if not isinstance(codebook, Codebook) or not codebook.active_codes:
            raise VerhalenError(
                f"CodeSuggester.{where}: the codebook has no active codes — add codes to the "
                "codebook (or un-retire some) before asking for suggestions"
            )

    def _training(
        self, segments: Iterable[Segment], codings: Sequence[Coding], codebook: Codebook
    ) -> tuple[list[Segment], list[frozenset[int]], set[str], list[Segment]]:
        """Coded segments (sorted by id), their code columns, unknown codes, background."""
        by_id: dict[str, Segment] = {}
        dupes: set[str] = set()
        for s in segments:
            if s.id in by_id:
                dupes.add(s.id)
            by_id[s.id] = s
        if dupes:
            raise VerhalenError(
                f"CodeSuggester.fit: segment ids repeat ({', '.join(sorted(dupes)[:5])}) — pass "
                "each segment once (e.g. corpus.segments)"
            )
        column = {c.id: j for j, c in enumerate(codebook.active_codes)}
        labels: dict[str, set[int]] = {}
        unknown: set[str] = set()
        for c in human_codings(codings):
            if c.segment_id not in by_id:
                continue
            code = codebook.resolve(c.code_id)
            found = labels.setdefault(c.segment_id, set())
            if code in column:
                found.add(column[code])
            else:
                unknown.add(c.code_id)
        ids = sorted(labels)
        need = max(0, self.background - len(ids))
        rest = (s for sid, s in by_id.items() if sid not in labels)
        extra = _draw(rest, need, self.random_state) if need else []
        return [by_id[i] for i in ids], [frozenset(labels[i]) for i in ids], unknown, extra

    def _settings(self) -> dict[str, Any]:
        space = FeatureSpace()
        return {
            "half_weight": self.half_weight,
            "min_examples": self.min_examples,
            "C": self.C,
            "random_state": self.random_state,
            "knowledge_options": dict(sorted(self.knowledge_options.items())),
            "max_train": self.max_train,
            "background": self.background,
            "features": [space.word_weight, space.word_ngrams, space.char_ngrams],
        }

    def _fingerprint(
        self,
        codebook: Codebook,
        train: Sequence[Segment],
        labels: Sequence[frozenset[int]],
        extra: Sequence[Segment],
    ) -> str:
        codes = [c.id for c in codebook.active_codes]
        head = {
            "format": MODEL_FORMAT,
            "versions": _versions(),
            "pipeline": self._pipeline_fingerprint(),
            "settings": self._settings(),
            "codebook": codebook.model_dump_json(exclude={"changelog"}),
        }
        digest = hashlib.sha256(json.dumps(head, sort_keys=True).encode("utf-8"))
        for s, found in zip(train, labels, strict=True):
            names = ",".join(codes[j] for j in sorted(found))
            digest.update(f"\x1e{s.id}\x1f{sha256_text(s.text)}\x1f{names}".encode())
        for s in extra:
            digest.update(f"\x1d{s.id}\x1f{sha256_text(s.text)}".encode())
        return digest.hexdigest()[:24]

    def fingerprint(
        self, segments: Iterable[Segment], codings: Sequence[Coding], codebook: Codebook
    ) -> str:
        """The hash a :meth:`fit` on these inputs would get, without fitting.

        It covers the codebook (without its changelog), the coded segments (ids, text hashes,
        resolved active codes), the uncoded segments drawn while fewer than ``background``
        are coded (ids, text hashes), the settings, the NLP pipeline's fingerprint
        (:func:`~verhalen.nlp.pipeline.pipeline_fingerprint`), the model format, a hash of
        the suggest code and stop words, and the versions of verhalen, scikit-learn, numpy
        and scipy. No other segment counts. Loads the NLP pipeline if needed.
        """
        self._check_codebook(codebook, "fingerprint")
        train, labels, _, extra = self._training(segments, codings, codebook)
        return self._fingerprint(codebook, train, labels, extra)

    def fit(
        self, segments: Sequence[Segment], codings: Sequence[Coding], codebook: Codebook
    ) -> CodeSuggester:
        """Learn from the coded segments, the codings made so far and the codebook.

        Parameters
        ----------
        segments
            Segments (the corpus, or :func:`learning_segments` of it): the texts of the
            coded segments are read from here; of the others only a seeded draw is used,
            and only while fewer than ``background`` segments are coded.
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
        started = time.perf_counter()
        self._check_codebook(codebook, "fit")
        train, labels, unknown, extra = self._training(segments, codings, codebook)
        if unknown:
            unknown_codes_warning(codebook.id, unknown)
        self._fitted = False
        self.codebook = codebook
        self.knowledge = CodebookKnowledge(codebook, **self.knowledge_options)
        self.codes_ = list(self.knowledge.code_ids)
        self.factors_ = {c: codebook.factor_of(c) for c in self.codes_}
        self.unknown_codes_ = sorted(unknown)
        self.n_coded_ = len(train)
        self.fingerprint_ = self._fingerprint(codebook, train, labels, extra)
        self.pipeline_fingerprint_ = self._pipeline_fingerprint()
        keep = select_training(
            [s.id for s in train],
            labels,
            self.max_train,
            min_examples=self.min_examples,
            seed=self.random_state,
        )
        train = [train[i] for i in keep]
        labels = [labels[i] for i in keep]
        texts = [*(s.text for s in train), *(s.text for s in extra), *self.knowledge.texts()]
        views = self._analyse(texts, self._fit_views)
        self._fit_views = dict(zip(texts, views, strict=True))  # this fit's texts only
        n_train, n_seen = len(train), len(train) + len(extra)
        train_views, text_views = views[:n_train], views[n_seen:]
        self.space_ = FeatureSpace().fit(views)
        self.knowledge.fit(text_views, self.space_, views[:n_seen])
        self.n_background_ = len(extra)
        self.train_ids_ = [s.id for s in train]
        self.train_x_ = self.space_.transform(train_views)
        self.train_x_.sort_indices()
        y = np.zeros((len(train), len(self.codes_)), dtype=bool)
        for i, found in enumerate(labels):
            y[i, sorted(found)] = True
        self.train_y_ = y
        self.n_examples_ = {c: int(y[:, j].sum()) for j, c in enumerate(self.codes_)}
        self._fit_models()
        self._derive()
        self._fitted = True
        self.from_cache = False
        self.fit_seconds = time.perf_counter() - started
        return self

    def _fit_models(self) -> None:
        from sklearn.linear_model import LogisticRegression  # slow to import: only to fit

        y, n_rows = self.train_y_, len(self.train_ids_)
        cols: list[int] = []
        coefs: list[np.ndarray] = []
        intercepts: list[float] = []
        for j in range(len(self.codes_)):
            n_pos = int(y[:, j].sum())
            if n_pos >= self.min_examples and n_pos < n_rows:
                model = LogisticRegression(
                    C=self.C,
                    class_weight="balanced",
                    solver="liblinear",
                    dual=True,
                    max_iter=1000,
                    random_state=self.random_state,
                ).fit(self.train_x_, y[:, j])
                cols.append(j)
                coefs.append(model.coef_.ravel().astype(DTYPE))
                intercepts.append(float(model.intercept_[0]))
        n_features = self.space_.n_features_
        self.model_codes_ = np.asarray(cols, dtype=int)
        self.coef_ = np.stack(coefs, axis=1) if coefs else np.zeros((n_features, 0), dtype=DTYPE)
        self.intercept_ = np.asarray(intercepts, dtype=float)

    def _derive(self) -> None:
        """State derived from the fitted state (rebuilt after :meth:`load`, never stored)."""
        self._train_index = {sid: i for i, sid in enumerate(self.train_ids_)}
        self._members = [np.flatnonzero(self.train_y_[:, j]) for j in range(len(self.codes_))]
        word = self.train_x_[:, : self.space_.n_word_].tocsr()
        self._member_words = [word[m].T.tocsr() for m in self._members]  # word block, transposed
        groups: dict[str | None, list[int]] = {}
        for j, code in enumerate(self.codes_):
            groups.setdefault(self.factors_[code], []).append(j)
        self._factor_groups = [(f, np.asarray(cols)) for f, cols in groups.items()]
        self._weight = np.zeros(len(self.codes_))
        for j in self.model_codes_:
            n_c = self.n_examples_[self.codes_[j]]
            self._weight[j] = n_c / (n_c + self.half_weight)

    # ------------------------------------------------------------------ store

    def save(self, path: str | Path) -> Path:
        """Store the fitted state (not the NLP pipeline or cache) atomically, as a pickle.

        The file starts with a small header (format and library versions) that :meth:`load`
        checks before it unpickles the rest. Pickles run code when loaded: load only files
        you wrote yourself (:func:`~verhalen.suggest.project_suggester` keeps them in the
        project's own ``data/cache/suggest/``).
        """
        self._check_fitted()
        header = {"magic": MODEL_MAGIC, "format": MODEL_FORMAT, **_versions()}
        state = {name: getattr(self, name) for name in _STATE}
        data = pickle.dumps(header, protocol=5) + pickle.dumps(state, protocol=5)
        path = Path(path)
        atomic_write_bytes(path, data)
        return path

    @classmethod
    def load(
        cls, path: str | Path, nlp: Any = None, *, cache: DocCache | str | Path | None = None
    ) -> CodeSuggester:
        """A fitted suggester stored by :meth:`save`.

        Parameters
        ----------
        path
            The file. Only load files you wrote (pickle).
        nlp
            The pipeline to use (must be the one the model was fitted with); default: load
            the stored ``spacy_model`` on first use.
        cache
            The doc cache for analysing segments.

        Raises
        ------
        VerhalenError
            If the file is missing or unreadable, not a stored suggester, from another model
            format or another version of verhalen, scikit-learn, numpy or scipy, or ``nlp`` is
            not the pipeline it was fitted with.
        """
        path = Path(path)
        try:
            with path.open("rb") as fh:
                header = pickle.load(fh)
                if not isinstance(header, dict) or header.get("magic") != MODEL_MAGIC:
                    raise VerhalenError(f"{path}: not a stored code suggester")
                wanted = {"format": MODEL_FORMAT, **_versions()}
                stored = {k: header.get(k) for k in wanted}
                if stored != wanted:
                    diff = ", ".join(
                        f"{k} {stored[k]} (now {wanted[k]})"
                        for k in wanted
                        if stored[k] != wanted[k]
                    )
                    raise VerhalenError(
                        f"{path}: stored with another version — {diff}; fit the suggester "
                        "again (project_suggester does so by itself)"
                    )
                state = pickle.load(fh)
        except VerhalenError:
            raise
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError) as exc:
            raise VerhalenError(f"{path}: cannot read the stored suggester ({exc})") from exc
        if not isinstance(state, dict) or set(state) != set(_STATE):
            raise VerhalenError(f"{path}: not a complete stored code suggester")
        obj = cls(nlp, spacy_model=state["spacy_model"], cache=cache)
        for name in _STATE:
            setattr(obj, name, state[name])
        obj._derive()
        obj._fitted = True
        obj.from_cache = True
        obj.fit_seconds = 0.0
        if nlp is not None and obj._pipeline_fingerprint() != obj.pipeline_fingerprint_:
            raise VerhalenError(
                f"{path}: fitted with another NLP pipeline than the one given — fit again"
            )
        return obj

    # ------------------------------------------------------------------ apply

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise VerhalenError(
                "CodeSuggester: not fitted yet — call fit(segments, codings, codebook) first"
            )

    def _score_chunk(self, segments: Sequence[Segment]) -> tuple[ScoreTable, sp.csr_matrix]:
        views = self._analyse([s.text for s in segments], {})
        x = self.space_.transform(views)
        x.sort_indices()
        n, k = len(segments), len(self.codes_)
        know = self.knowledge.score(views, x)
        model = np.zeros((n, k))
        if n and len(self.model_codes_):
            model[:, self.model_codes_] = expit(x @ self.coef_ + self.intercept_)
        weight = self._weight.copy()
        score = (1 - weight) * know.score + weight * model
        neighbour = np.full((n, k), -1, dtype=int)
        neighbour_sim = np.zeros((n, k))
        table = ScoreTable(list(self.codes_), score, know, model, weight, neighbour, neighbour_sim)
        return table, x

    def score(self, segments: Sequence[Segment], *, neighbours: bool = False) -> ScoreTable:
        """Every score behind the suggestions, for analysis and evaluation.

        Parameters
        ----------
        segments
            Segments to score (analysed ``chunk_size`` at a time).
        neighbours
            Also find the most similar coded segment for every code (slower); otherwise
            ``neighbour`` is -1 throughout.
        """
        self._check_fitted()
        tables = []
        for chunk in _batches(segments, self.chunk_size) if segments else [[]]:
            table, x = self._score_chunk(chunk)
            if neighbours and chunk:
                n, k = table.score.shape
                rows, cols = np.divmod(np.arange(n * k), k)
                self._fill_neighbours(table, chunk, x, rows, cols)
            tables.append(table)
        if len(tables) == 1:
            return tables[0]
        knows = [t.knowledge for t in tables]
        arrays = {f: np.vstack([getattr(kn, f) for kn in knows]) for f in _KNOWLEDGE_ARRAYS}
        know = KnowledgeScores(**arrays, hits=[h for kn in knows for h in kn.hits])
        return ScoreTable(
            list(self.codes_),
            np.vstack([t.score for t in tables]),
            know,
            np.vstack([t.model for t in tables]),
            tables[0].weight,
            np.vstack([t.neighbour for t in tables]),
            np.vstack([t.neighbour_sim for t in tables]),
        )

    def _fill_neighbours(
        self,
        table: ScoreTable,
        segments: Sequence[Segment],
        x: sp.csr_matrix,
        rows: np.ndarray,
        cols: np.ndarray,
    ) -> None:
        """The most similar training segment with code ``cols[p]`` for segment ``rows[p]``."""
        if not len(self.train_ids_) or not len(rows):
            return
        own = np.array([self._train_index.get(s.id, -1) for s in segments], dtype=int)
        xw = x[:, : self.space_.n_word_].tocsr()
        for j in np.unique(cols):
            members = self._members[j]
            if not len(members):
                continue
            r = rows[cols == j]
            cand = self._candidates(j, r, xw, x, own)
            sims = self._pair_sims(r, cand, x)
            sims[cand == own[r][:, None]] = -1.0  # never explain a segment by itself
            pick = np.argmax(sims, axis=1)
            table.neighbour[r, j] = cand[np.arange(len(r)), pick]
            table.neighbour_sim[r, j] = sims[np.arange(len(r)), pick]

    def _candidates(
        self, j: int, r: np.ndarray, xw: sp.csr_matrix, x: sp.csr_matrix, own: np.ndarray
    ) -> np.ndarray:
        """Per row, the training rows with code ``j`` to compare in full (ascending)."""
        n_cand = NEIGHBOUR_CANDIDATES
        members = self._members[j]
        if len(members) <= n_cand:
            return np.broadcast_to(members, (len(r), len(members))).copy()
        out = np.empty((len(r), n_cand), dtype=int)
        tw = self._member_words[j]
        step = max(1, _DENSE_CELLS // len(members))
        for start in range(0, len(r), step):
            rr = r[start : start + step]
            ws = np.asarray((xw[rr] @ tw).toarray())
            pos = np.searchsorted(members, own[rr])
            hit = np.flatnonzero((own[rr] >= 0) & (pos < len(members)))
            hit = hit[members[pos[hit]] == own[rr][hit]]
            ws[hit, pos[hit]] = -1.0
            part = np.argpartition(-ws, n_cand - 1, axis=1)[:, :n_cand]
            best = members[part]
            blank = np.flatnonzero(ws.max(axis=1) <= 0)  # no content word shared: compare all
            if len(blank):
                full = np.asarray((self.train_x_[members] @ x[rr[blank]].T).toarray()).T
                own_pos = own[rr[blank]]
                full[own_pos[:, None] == members[None, :]] = -1.0
                top = np.argsort(-full, axis=1, kind="stable")[:, :n_cand]
                best[blank] = members[top]
            out[start : start + step] = best
        out.sort(axis=1)
        return out

    def _pair_sims(self, r: np.ndarray, cand: np.ndarray, x: sp.csr_matrix) -> np.ndarray:
        """Full similarities of segment rows ``r`` with their candidates ``cand[i, :]``."""
        out = np.empty(cand.shape)
        for start in range(0, len(r), _PAIR_CHUNK):
            a = x[r[start : start + _PAIR_CHUNK]]
            for k in range(cand.shape[1]):
                b = self.train_x_[cand[start : start + _PAIR_CHUNK, k]]
                out[start : start + _PAIR_CHUNK, k] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
        return out

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
        return list(self.iter_suggest(segments, top_k=top_k, min_score=min_score))

    def iter_suggest(
        self,
        segments: Iterable[Segment],
        top_k: int = 3,
        min_score: float = 0.0,
        batch_size: int | None = None,
    ) -> Iterator[SegmentSuggestions]:
        """:meth:`suggest` as a stream: one batch of segments in memory at a time.

        Parameters
        ----------
        segments
            Any iterable (e.g. ``corpus.iter_segments()``); read ``batch_size`` at a time.
        top_k, min_score
            As in :meth:`suggest`.
        batch_size
            Segments per batch; default ``chunk_size``.

        Returns
        -------
        Iterator of SegmentSuggestions
            One per segment, in input order (the same as :meth:`suggest`).

        Raises
        ------
        VerhalenError
            If not fitted, or ``top_k``/``batch_size`` is not a whole number ≥ 1 (raised at
            the call, not at the first item).
        """
        if not isinstance(top_k, int) or top_k < 1:
            raise VerhalenError(f"suggest: top_k must be a whole number ≥ 1, got {top_k!r}")
        size = self.chunk_size if batch_size is None else batch_size
        if not isinstance(size, int) or size < 1:
            raise VerhalenError(f"suggest: batch_size must be a whole number ≥ 1, got {size!r}")
        self._check_fitted()
        return self._iter_suggest(segments, top_k, min_score, size)

    def _iter_suggest(
        self, segments: Iterable[Segment], top_k: int, min_score: float, size: int
    ) -> Iterator[SegmentSuggestions]:
        for chunk in _batches(segments, size):
            table, x = self._score_chunk(chunk)
            score = table.score
            order = np.argsort(-score, axis=1, kind="stable")[:, :top_k]
            keep = np.take_along_axis(score, order, axis=1) > min_score
            rows = np.repeat(np.arange(len(chunk)), order.shape[1])[keep.ravel()]
            self._fill_neighbours(table, chunk, x, rows, order.ravel()[keep.ravel()])
            factors = self._factor_scores(score)
            for i, segment in enumerate(chunk):
                picks = tuple(
                    Suggestion(
                        self.codes_[j],
                        self.factors_[self.codes_[j]],
                        float(score[i, j]),
                        self._reasons(table, i, j),
                    )
                    for j, ok in zip(order[i], keep[i], strict=True)
                    if ok
                )
                yield SegmentSuggestions(segment.id, segment.text, picks, factors[i])

    def _factor_scores(self, score: np.ndarray) -> list[tuple[FactorSuggestion, ...]]:
        """Per row: each factor's best score and its three best codes, best factor first."""
        n = len(score)
        if not self._factor_groups:
            return [()] * n
        names, codes, tops = [], [], []
        for factor, cols in self._factor_groups:
            sub = score[:, cols]
            ranked = np.argsort(-sub, axis=1, kind="stable")[:, :3]
            names.append(factor)
            codes.append([tuple(self.codes_[j] for j in row) for row in cols[ranked].tolist()])
            tops.append(sub[np.arange(n), ranked[:, 0]])
        best = np.stack(tops, axis=1)
        order = np.argsort(-best, axis=1, kind="stable").tolist()
        values = best.tolist()
        return [
            tuple(FactorSuggestion(names[g], values[i][g], codes[g][i]) for g in order[i])
            for i in range(n)
        ]


_KNOWLEDGE_ARRAYS = (
    "score",
    "rule",
    "similarity",
    "via_example",
    "exclusion",
    "exclusion_item",
    "penalty",
)
