"""Figures for the clustering step (matplotlib, Dutch labels, deterministic PNGs)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import dendrogram

from verhalen.cluster.analysis import ClusterResult
from verhalen.io import atomic_open
from verhalen.records import Codebook

PALETTE = [
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
    "#cab2d6",
]


def save_figure(fig: plt.Figure, path: str | Path) -> Path:
    """Save a PNG atomically, without a creation timestamp (byte-stable output)."""
    with atomic_open(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=120, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return Path(path)


def _labels(codebook: Codebook, codes: list[str]) -> list[str]:
    return [(codebook.code(c).label if codebook.code(c) else c) for c in codes]  # type: ignore[union-attr]


def classical_mds(dist: np.ndarray, dims: int = 2) -> np.ndarray:
    """Classical (Torgerson) multidimensional scaling: deterministic, no random start.

    Torgerson (1952), "Multidimensional scaling: I. Theory and method", Psychometrika 17.
    """
    n = dist.shape[0]
    centre = np.eye(n) - np.ones((n, n)) / n
    b = -0.5 * centre @ (dist**2) @ centre
    values, vectors = np.linalg.eigh(b)
    top = np.argsort(values)[::-1][:dims]
    coords = vectors[:, top] * np.sqrt(np.clip(values[top], 0, None))
    # fix the sign of each axis so the picture does not flip between platforms
    signs = np.sign(coords[np.argmax(np.abs(coords), axis=0), range(dims)])
    return np.asarray(coords * np.where(signs == 0, 1, signs))


def plot_dendrogram(
    result: ClusterResult,
    codebook: Codebook,
    path: str | Path,
    title: str = "Dendrogram van de codes",
) -> Path:
    codes = result.clustering.codes
    fig, ax = plt.subplots(figsize=(8, max(4, 0.28 * len(codes))))
    dendrogram(
        result.clustering.linkage,
        labels=_labels(codebook, codes),
        orientation="right",
        ax=ax,
        color_threshold=result.clustering.linkage[-(result.clustering.k - 1), 2]
        if result.clustering.k > 1
        else 0,
    )
    ax.set_title(title)
    ax.set_xlabel("Afstand (1 − gelijkenis)")
    return save_figure(fig, path)


def plot_heatmap(
    result: ClusterResult,
    codebook: Codebook,
    path: str | Path,
    title: str = "Samen voorkomen van codes (geordend per cluster)",
) -> Path:
    order = np.argsort(result.clustering.labels, kind="stable")
    codes = [result.clustering.codes[i] for i in order]
    matrix = result.similarity.loc[codes, codes].to_numpy()
    fig, ax = plt.subplots(figsize=(max(6, 0.3 * len(codes)), max(5, 0.3 * len(codes))))
    im = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    labels = _labels(codebook, codes)
    ax.set_xticks(range(len(codes)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(codes)), labels, fontsize=7)
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="gelijkenis")
    return save_figure(fig, path)


def plot_code_map(
    result: ClusterResult,
    codebook: Codebook,
    path: str | Path,
    title: str = "Codekaart (MDS), kleur = factor in het codeboek",
) -> Path:
    codes = result.clustering.codes
    dist = 1.0 - result.similarity.loc[codes, codes].to_numpy()
    np.fill_diagonal(dist, 0.0)
    xy = classical_mds(dist)
    factors = [codebook.factor_of(c) or "—" for c in codes]
    uniq = sorted(set(factors))
    fig, ax = plt.subplots(figsize=(8, 6))
    for i, f in enumerate(uniq):
        idx = [j for j, g in enumerate(factors) if g == f]
        label = codebook.factor(f).label if codebook.factor(f) else f  # type: ignore[union-attr]
        ax.scatter(xy[idx, 0], xy[idx, 1], color=PALETTE[i % len(PALETTE)], label=label, s=40)
    for (x, y), lab in zip(xy, _labels(codebook, codes), strict=True):
        ax.annotate(lab, (x, y), fontsize=6, alpha=0.8)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="best")
    return save_figure(fig, path)


def plot_presence(
    presence: pd.DataFrame, codebook: Codebook, path: str | Path, title: str, xlabel: str
) -> Path:
    """Heatmap of the share of participants per group who mention each factor."""
    rows = [codebook.factor(f).label if codebook.factor(f) else f for f in presence.index]  # type: ignore[union-attr]
    fig, ax = plt.subplots(figsize=(1.8 + 1.4 * presence.shape[1], 0.6 * len(rows) + 1.5))
    im = ax.imshow(presence.to_numpy(dtype=float), cmap="Greens", vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(presence.to_numpy(dtype=float)):
        ax.text(
            j,
            i,
            f"{v:.0%}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if v > 0.6 else "black",
        )
    ax.set_xticks(range(presence.shape[1]), list(presence.columns), rotation=20, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="aandeel deelnemers")
    return save_figure(fig, path)
