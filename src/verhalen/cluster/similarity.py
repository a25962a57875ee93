"""Code × code similarity from three sources, combined with configurable weights.

1. **co-occurrence**: normalised co-occurrence (:func:`verhalen.cluster.matrices.cooccurrence`);
2. **segment text**: cosine similarity of the TF-IDF centroids of the segments coded with
   each code (Salton & Buckley 1988, "Term-weighting approaches in automatic text retrieval");
3. **definition**: cosine similarity of TF-IDF vectors of each code's label, definition,
   criteria and examples from the codebook.

``S = (w_co * S_co + w_text * S_text + w_def * S_def) / (w_co + w_text + w_def)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from verhalen.cluster.matrices import Level, Normalisation, cooccurrence
from verhalen.errors import VerhalenError
from verhalen.records import Codebook


@dataclass(frozen=True)
class SimilarityWeights:
    """Weights of the three parts of code similarity (need not sum to 1)."""

    cooccurrence: float = 0.5
    text: float = 0.3
    definition: float = 0.2

    def __post_init__(self) -> None:
        parts = (self.cooccurrence, self.text, self.definition)
        if min(parts) < 0 or sum(parts) == 0:
            raise VerhalenError(
                f"similarity weights must be ≥ 0 and not all 0, got {parts} "
                "(co-occurrence, text, definition)"
            )


def _tfidf() -> TfidfVectorizer:
    return TfidfVectorizer(
        lowercase=True,
        ngram_range=(1, 2),
        min_df=1,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
    )


def text_similarity(codings: pd.DataFrame, segments: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Cosine similarity of TF-IDF centroids of each code's segments."""
    texts = segments.set_index("segment_id")["text"]
    seg_ids = sorted(set(codings["segment_id"]) & set(texts.index))
    if not seg_ids:
        return np.eye(len(codes))
    vec = _tfidf()
    x = vec.fit_transform([texts[s] for s in seg_ids])
    row = {s: i for i, s in enumerate(seg_ids)}
    centroids = np.zeros((len(codes), x.shape[1]))
    for k, code in enumerate(codes):
        idx = [row[s] for s in codings.loc[codings["code_id"] == code, "segment_id"] if s in row]
        if idx:
            centroids[k] = np.asarray(x[sorted(set(idx))].mean(axis=0)).ravel()
    sim = cosine_similarity(centroids)
    np.fill_diagonal(sim, 1.0)
    return sim


def definition_similarity(codebook: Codebook, codes: list[str]) -> np.ndarray:
    """Cosine similarity of TF-IDF vectors of the codes' definitions and criteria."""
    docs = []
    for code_id in codes:
        code = codebook.code(code_id)
        if code is None:
            docs.append(code_id.replace("_", " "))
            continue
        docs.append(
            " ".join([code.label, code.definition, *code.inclusion, *code.examples, *code.keywords])
        )
    sim = cosine_similarity(_tfidf().fit_transform(docs))
    np.fill_diagonal(sim, 1.0)
    return sim


def code_similarity(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    codebook: Codebook | None = None,
    weights: SimilarityWeights | None = None,
    level: Level = "segment",
    window: int = 1,
    normalise: Normalisation = "jaccard",
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """Combined code × code similarity in [0, 1] (see module docstring)."""
    weights = weights or SimilarityWeights()
    codes = codes if codes is not None else sorted(codings["code_id"].unique())
    if len(codes) < 2:
        raise VerhalenError(f"need at least 2 coded codes to compare, got {len(codes)}")
    co = cooccurrence(codings, segments, level, window, normalise, codes).to_numpy(
        dtype=float, copy=True
    )
    if normalise == "count":
        co = co / max(co.max(), 1)
    np.fill_diagonal(co, 1.0)
    total = weights.cooccurrence * co
    if weights.text:
        total = total + weights.text * text_similarity(codings, segments, codes)
    if weights.definition:
        if codebook is None:
            raise VerhalenError("definition similarity needs the codebook (or set its weight to 0)")
        total = total + weights.definition * definition_similarity(codebook, codes)
    total = total / (weights.cooccurrence + weights.text + weights.definition)
    total = np.clip((total + total.T) / 2, 0.0, 1.0)
    return pd.DataFrame(total, index=codes, columns=codes)
