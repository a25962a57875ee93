"""Figures of the report: heatmaps of the factor matrices and the clustering figures.

The heatmaps show the same text as the table cells they illustrate, so a suppressed cell
(``"<3"``) is grey and shows no percentage; this is why they are drawn here rather than
with :func:`verhalen.cluster.plots.plot_presence`, which prints every share. Files are
written with :func:`verhalen.cluster.plots.save_figure` (atomic, no timestamp: the same
inputs give byte-identical PNGs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from verhalen.records import Codebook
from verhalen.report.matrices import Matrix

if TYPE_CHECKING:
    from verhalen.cluster.analysis import ClusterResult


@dataclass(frozen=True)
class Figure:
    """A figure file (relative to the report folder) with its Dutch alt text and caption."""

    src: str
    alt: str
    caption: str


def _wrap(label: str, width: int = 28) -> str:
    out, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    return "\n".join(out)


def matrix_heatmap(
    matrix: Matrix, row_labels: list[str], out_dir: Path, name: str, title: str, xlabel: str
) -> Figure:
    """A heatmap of a factor matrix's shares, labelled with the table's cell texts."""
    from verhalen.cluster.plots import save_figure

    values = matrix.shown.to_numpy(dtype=float)
    masked = np.ma.masked_invalid(values)
    cmap = matplotlib.colormaps["Greens"].with_extremes(bad="#d9d9d9")
    fig, ax = plt.subplots(
        figsize=(2.2 + 1.6 * max(1, values.shape[1]), 0.62 * max(1, values.shape[0]) + 1.6)
    )
    im = ax.imshow(masked, cmap=cmap, vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        text = str(matrix.labels.iloc[i, j])
        dark = not np.isnan(v) and v > 0.6
        ax.text(
            j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black"
        )
    ax.set_xticks(range(values.shape[1]), [_wrap(g, 18) for g in matrix.group_labels], fontsize=8)
    ax.set_yticks(range(values.shape[0]), [_wrap(r) for r in row_labels], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, label="aandeel deelnemers dat de factor noemt")
    path = out_dir / "figuren" / f"{name}.png"
    save_figure(fig, path)
    alt = (
        f"Heatmap: {title}. Per factor (rijen) en {xlabel.lower()} (kolommen) het aantal en "
        "percentage deelnemers dat de factor noemt; hoe donkerder groen, hoe groter het "
        "aandeel; grijze vakjes zijn niet getoond omdat de aantallen te klein zijn. "
        f"Dezelfde getallen staan in de tabel ‘{matrix.table.caption}’."
    )
    return Figure(f"figuren/{name}.png", alt, title)


def cluster_figures(
    result: ClusterResult, codebook: Codebook, out_dir: Path, prefix: str = "clusters"
) -> list[Figure]:
    """Dendrogram, similarity heatmap and code map of a cluster result
    (:mod:`verhalen.cluster.plots`)."""
    from verhalen.cluster.plots import plot_code_map, plot_dendrogram, plot_heatmap

    figures_dir = out_dir / "figuren"
    plot_dendrogram(result, codebook, figures_dir / f"{prefix}_dendrogram.png")
    plot_heatmap(result, codebook, figures_dir / f"{prefix}_heatmap.png")
    plot_code_map(result, codebook, figures_dir / f"{prefix}_codekaart.png")
    n = len(result.clustering.codes)
    return [
        Figure(
            f"figuren/{prefix}_dendrogram.png",
            f"Dendrogram van {n} codes: codes die vaak samen voorkomen hangen dichter bij "
            f"elkaar; de kleuren tonen de {result.clustering.k} voorgestelde clusters.",
            "Dendrogram van de codes",
        ),
        Figure(
            f"figuren/{prefix}_heatmap.png",
            f"Heatmap van de gelijkenis tussen {n} codes, geordend per voorgesteld cluster; "
            "donkerblauw betekent dat twee codes vaak samen voorkomen.",
            "Samen voorkomen van codes, geordend per cluster",
        ),
        Figure(
            f"figuren/{prefix}_codekaart.png",
            f"Codekaart: {n} codes als punten, op korte afstand als ze vaak samen voorkomen; "
            "de kleur is de factor van de code in het codeboek.",
            "Codekaart (kleur = factor in het codeboek)",
        ),
    ]
