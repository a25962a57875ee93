"""The whole clustering step: similarity → clusters → stability → comparison, per practice
and across practices.

Typical use::

    result = analyse(codings_df, corpus.segments_df(), codebook, ClusterSettings(k=6))
    result.comparison.ari, result.clustering.members()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from verhalen.cluster.compare import Comparison, compare_with_factors, cross_case, factor_presence
from verhalen.cluster.hierarchical import Clustering, Method, cluster_codes, stability
from verhalen.cluster.matrices import Level, Normalisation
from verhalen.cluster.similarity import SimilarityWeights, code_similarity
from verhalen.errors import VerhalenError
from verhalen.records import Codebook


@dataclass(frozen=True)
class ClusterSettings:
    """Settings of a cluster analysis (all have sensible defaults)."""

    k: int | None = 6
    method: Method = "ward"
    level: Level = "segment"
    window: int = 1
    normalise: Normalisation = "jaccard"
    weights: SimilarityWeights = field(default_factory=SimilarityWeights)
    min_codings: int = 2
    n_boot: int = 50
    seed: int = 0


@dataclass
class ClusterResult:
    codes: list[str]
    similarity: pd.DataFrame
    clustering: Clustering
    comparison: Comparison
    codings: pd.DataFrame
    segments: pd.DataFrame


def _prepare(
    codings: pd.DataFrame, segments: pd.DataFrame, min_codings: int
) -> tuple[pd.DataFrame, list[str]]:
    known = set(segments["segment_id"])
    frame = codings[codings["segment_id"].isin(known)][["segment_id", "code_id"]].drop_duplicates()
    counts = frame["code_id"].value_counts()
    codes = sorted(counts[counts >= min_codings].index)
    return frame[frame["code_id"].isin(codes)], codes


def _bootstrap_sampler(
    codings: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, s: ClusterSettings
) -> Callable[[np.random.Generator], pd.DataFrame | None]:
    participants = sorted(segments["participant_id"].dropna().unique())
    by_participant = {p: segments[segments["participant_id"] == p] for p in participants}

    def draw(rng: np.random.Generator) -> pd.DataFrame | None:
        picks = rng.choice(len(participants), size=len(participants), replace=True)
        seg_parts, cod_parts = [], []
        for n, i in enumerate(picks):
            segs = by_participant[participants[i]].copy()
            cods = codings[codings["segment_id"].isin(segs["segment_id"])].copy()
            suffix = f"#{n}"
            segs["segment_id"] = segs["segment_id"] + suffix
            segs["participant_id"] = segs["participant_id"] + suffix
            segs["transcript_id"] = segs["transcript_id"] + suffix
            cods["segment_id"] = cods["segment_id"] + suffix
            seg_parts.append(segs)
            cod_parts.append(cods)
        segs_all, cods_all = pd.concat(seg_parts), pd.concat(cod_parts)
        frame, codes = _prepare(cods_all, segs_all, 1)
        if len(codes) < 3:
            return None
        return code_similarity(
            frame, segs_all, codebook, s.weights, s.level, s.window, s.normalise, codes
        )

    return draw


def analyse(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    codebook: Codebook,
    settings: ClusterSettings | None = None,
) -> ClusterResult:
    """Cluster the codes of ``codings`` and compare the result with the codebook's factors."""
    s = settings or ClusterSettings()
    frame, codes = _prepare(codings, segments, s.min_codings)
    # Only codes that can still be applied: retired (or split) codes have no place in a
    # new grouping; merged codes were already resolved to their target by the store.
    active = {c.id for c in codebook.active_codes}
    codes = [c for c in codes if c in active]
    frame = frame[frame["code_id"].isin(codes)]
    if len(codes) < 3:
        raise VerhalenError(
            f"only {len(codes)} code(s) are used at least {s.min_codings} times — code more "
            "segments, or lower min_codings"
        )
    sim = code_similarity(
        frame, segments, codebook, s.weights, s.level, s.window, s.normalise, codes
    )
    k = min(s.k, len(codes) - 1) if s.k is not None else None
    clustering = cluster_codes(sim, k=k, method=s.method)
    if s.n_boot > 0:
        sampler = _bootstrap_sampler(frame, segments, codebook, s)
        clustering.stability = stability(clustering, sampler, s.n_boot, s.seed)
    comparison = compare_with_factors(clustering, codebook, sim, frame, segments)
    return ClusterResult(codes, sim, clustering, comparison, frame, segments)


@dataclass
class CrossCase:
    per_practice: dict[str, ClusterResult]
    presence_by_practice: pd.DataFrame  # factor × practice share of participants
    presence_by_role: dict[str, pd.DataFrame]  # practice → factor × role share
    summary: pd.DataFrame  # factor → praktijken, aantal, status


def analyse_cross_case(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    codebook: Codebook,
    settings: ClusterSettings | None = None,
    threshold: float = 0.5,
) -> CrossCase:
    """Per practice first (clusters and role differences), then across practices."""
    s = settings or ClusterSettings()
    per: dict[str, ClusterResult] = {}
    roles: dict[str, pd.DataFrame] = {}
    for practice in sorted(segments["practice"].dropna().unique()):
        segs = segments[segments["practice"] == practice]
        cods = codings[codings["segment_id"].isin(segs["segment_id"])]
        try:
            per[practice] = analyse(cods, segs, codebook, s)
        except VerhalenError:
            continue  # too little coding in this practice to cluster; presence still counts
        roles[practice] = factor_presence(cods, segs, codebook, "role")
    presence = factor_presence(codings, segments, codebook, "practice")
    return CrossCase(per, presence, roles, cross_case(presence, threshold))
