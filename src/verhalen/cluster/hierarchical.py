"""Hierarchical clustering of codes into proposed categories, with stability.

Distances are ``1 - similarity``. Linkage by scipy (average, or Ward on the same
distances; Ward formally assumes Euclidean distances, see Murtagh & Legendre 2014, "Ward's
hierarchical agglomerative clustering method: which algorithms implement Ward's
criterion?", J. Classification 31). The number of clusters is given or chosen by the mean
silhouette (Rousseeuw 1987, "Silhouettes", J. Comput. Appl. Math. 20).

Stability: bootstrap over participants (resample participants with replacement, recompute
similarity and clustering) and report, per code, the mean Jaccard overlap between its
cluster-mates in each replicate and in the original solution (cf. Hennig 2007,
"Cluster-wise assessment of cluster stability", CSDA 52).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.metrics import silhouette_score

from verhalen.errors import VerhalenError

Method = Literal["average", "ward"]


@dataclass
class Clustering:
    """A proposed grouping of codes."""

    codes: list[str]
    labels: np.ndarray  # cluster number per code, 1..k, numbered by first appearance
    linkage: np.ndarray
    k: int
    method: str
    silhouettes: dict[int, float] = field(default_factory=dict)
    stability: pd.Series | None = None

    def members(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for code, label in zip(self.codes, self.labels, strict=True):
            out.setdefault(int(label), []).append(code)
        return out

    def as_series(self) -> pd.Series:
        return pd.Series(self.labels, index=self.codes, name="cluster")


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number clusters 1..k by order of first appearance (deterministic across runs)."""
    mapping: dict[int, int] = {}
    return np.array([mapping.setdefault(int(x), len(mapping) + 1) for x in labels])


def cluster_codes(
    similarity: pd.DataFrame,
    k: int | None = 6,
    method: Method = "average",
    k_range: tuple[int, int] = (2, 12),
) -> Clustering:
    """Cluster codes from a similarity matrix into ``k`` groups (or choose k by silhouette)."""
    codes = list(similarity.index)
    n = len(codes)
    if n < 3:
        raise VerhalenError(f"need at least 3 codes to cluster, got {n}")
    dist = 1.0 - similarity.to_numpy(dtype=float)
    dist = np.clip((dist + dist.T) / 2, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    if method not in ("average", "ward"):
        raise VerhalenError(f"unknown linkage {method!r}: use average or ward")
    z = linkage(squareform(dist, checks=False), method=method)
    silhouettes: dict[int, float] = {}
    lo, hi = max(2, k_range[0]), min(k_range[1], n - 1)
    for kk in range(lo, hi + 1):
        lab = fcluster(z, kk, criterion="maxclust")
        if 1 < len(set(lab)) < n:
            silhouettes[kk] = float(silhouette_score(dist, lab, metric="precomputed"))
    if k is None:
        if not silhouettes:
            raise VerhalenError("cannot choose k by silhouette: too few codes")
        k = max(silhouettes, key=lambda kk: (silhouettes[kk], -kk))
    if not 1 <= k <= n:
        raise VerhalenError(f"k must be between 1 and the number of codes ({n}), got {k}")
    labels = _renumber(fcluster(z, k, criterion="maxclust"))
    return Clustering(codes, labels, z, len(set(labels)), method, silhouettes)


def stability(
    original: Clustering,
    resample: Callable[[np.random.Generator], pd.DataFrame | None],
    n_boot: int = 100,
    seed: int = 0,
) -> pd.Series:
    """Per code, the mean Jaccard overlap of its cluster-mates across bootstrap replicates.

    ``resample(rng)`` returns the similarity matrix of one bootstrap replicate (e.g. built
    from participants drawn with replacement), or ``None`` to skip a degenerate replicate.
    Codes missing from a replicate count as overlap 0 for that replicate.
    """
    rng = np.random.default_rng(seed)
    mates = {c: set(m) - {c} for m in original.members().values() for c in m}
    scores = {c: 0.0 for c in original.codes}
    used = 0
    for _ in range(n_boot):
        sim = resample(rng)
        if sim is None or len(sim) < 3:
            continue
        used += 1
        rep = cluster_codes(sim, k=min(original.k, len(sim) - 1), method=original.method)  # type: ignore[arg-type]
        rep_mates = {c: set(m) - {c} for m in rep.members().values() for c in m}
        for code in original.codes:
            if code not in rep_mates:
                continue
            a, b = mates[code] | {code}, rep_mates[code] | {code}
            scores[code] += len(a & b) / len(a | b)
    if used == 0:
        raise VerhalenError("no usable bootstrap replicate: too few participants or codes")
    return pd.Series({c: s / used for c, s in scores.items()}, name="stability")
