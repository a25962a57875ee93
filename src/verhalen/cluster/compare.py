"""Compare a proposed clustering with the codebook's factors, and practices with each other.

Agreement between clusters and factors: a contingency table and the adjusted Rand index
(Hubert & Arabie 1985, "Comparing partitions", J. Classification 2; sklearn's
``adjusted_rand_score``). A code "disagrees" when the factor most of its cluster belongs
to is not its own factor; the evidence shown is its most co-occurring codes and example
segments.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.metrics import adjusted_rand_score

from verhalen.cluster.hierarchical import Clustering
from verhalen.records import Codebook


@dataclass
class Disagreement:
    code: str
    factor: str | None
    cluster: int
    cluster_factor: str | None
    cooccurring: list[tuple[str, float]]
    examples: list[str]


@dataclass
class Comparison:
    contingency: pd.DataFrame  # clusters × factors, counts of codes
    ari: float
    cluster_factor: dict[int, str | None]  # majority factor per cluster
    disagreements: list[Disagreement]


def factor_labels(codebook: Codebook, codes: list[str]) -> pd.Series:
    return pd.Series([codebook.factor_of(c) or "—" for c in codes], index=codes, name="factor")


def compare_with_factors(
    clustering: Clustering,
    codebook: Codebook,
    similarity: pd.DataFrame,
    codings: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    n_evidence: int = 3,
) -> Comparison:
    """Contingency table, ARI and the codes whose cluster disagrees with their factor."""
    clusters = clustering.as_series()
    factors = factor_labels(codebook, clustering.codes)
    table = pd.crosstab(clusters, factors)
    majority: dict[int, str | None] = {}
    for cluster_id, row in table.iterrows():
        top = row[row == row.max()]
        majority[int(cluster_id)] = sorted(top.index)[0] if row.max() > 0 else None  # type: ignore[call-overload]
    texts = segments.set_index("segment_id")["text"] if segments is not None else None
    out: list[Disagreement] = []
    for code in clustering.codes:
        cl = int(clusters[code])
        if factors[code] == majority[cl]:
            continue
        neighbours = pd.Series(similarity.loc[code]).drop(code)
        sims = neighbours.sort_values(ascending=False).head(n_evidence)
        examples: list[str] = []
        if codings is not None and texts is not None:
            seg_ids = sorted(codings.loc[codings["code_id"] == code, "segment_id"].unique())
            examples = [s for s in seg_ids if s in texts.index][:n_evidence]
        out.append(
            Disagreement(
                code,
                factors[code],
                cl,
                majority[cl],
                [(str(i), float(v)) for i, v in sims.items()],
                examples,
            )
        )
    ari = float(adjusted_rand_score(factors.to_numpy(), clusters.to_numpy()))
    return Comparison(table, ari, majority, out)


def factor_presence(
    codings: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, by: str
) -> pd.DataFrame:
    """Share of participants in each group (``practice`` or ``role``) who mention a factor."""
    meta = segments.set_index("segment_id")[["participant_id", by]]
    frame = codings[["segment_id", "code_id"]].join(meta, on="segment_id")
    frame["factor"] = [codebook.factor_of(c) for c in frame["code_id"]]
    frame = frame.dropna(subset=["factor"]).drop_duplicates(["participant_id", "factor"])
    counts = pd.crosstab(frame["factor"], frame[by])
    sizes = segments.drop_duplicates("participant_id").groupby(by)["participant_id"].count()
    return counts.div(sizes.reindex(counts.columns), axis=1).fillna(0.0)


def cross_case(presence: pd.DataFrame, threshold: float = 0.5) -> pd.DataFrame:
    """Which factors appear in all practices (common), in some, or only one.

    A factor "appears" in a practice when at least ``threshold`` of its participants
    mention it.
    """
    present = presence >= threshold
    n = present.shape[1]
    status = present.sum(axis=1).map(
        lambda k: (
            "gemeenschappelijk"
            if k == n
            else ("uniek" if k == 1 else ("geen" if k == 0 else "deels"))
        )
    )
    return pd.DataFrame(
        {
            "praktijken": present.apply(lambda r: ", ".join(r.index[r]), axis=1),
            "aantal": present.sum(axis=1),
            "status": status,
        }
    )
