"""Cluster stage: from codes to factors (co-occurrence, similarity, clustering, comparison)."""

from verhalen.cluster.analysis import (
    ClusterResult,
    ClusterSettings,
    CrossCase,
    analyse,
    analyse_cross_case,
)
from verhalen.cluster.compare import compare_with_factors, cross_case, factor_presence
from verhalen.cluster.hierarchical import Clustering, cluster_codes, stability
from verhalen.cluster.matrices import cooccurrence, presence, unit_code_matrix
from verhalen.cluster.similarity import SimilarityWeights, code_similarity

__all__ = [
    "ClusterResult",
    "ClusterSettings",
    "Clustering",
    "CrossCase",
    "SimilarityWeights",
    "analyse",
    "analyse_cross_case",
    "cluster_codes",
    "code_similarity",
    "compare_with_factors",
    "cooccurrence",
    "cross_case",
    "factor_presence",
    "presence",
    "stability",
    "unit_code_matrix",
]
