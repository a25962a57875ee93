"""Agreement across calibration rounds: did the sessions work?

Reads the results summary each round stored when its report was made, and gives a table
(rounds as columns, codes plus the overall figures as rows) and a line plot with Dutch
labels.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from verhalen.calibrate.notes import num
from verhalen.calibrate.rounds import CalibrationRound
from verhalen.errors import VerhalenError
from verhalen.io import atomic_write_bytes, atomic_write_text

MEASURES = {
    "krippendorff_alpha": "Krippendorffs alfa",
    "percent_agreement": "Percentage overeenstemming",
    "fleiss_kappa": "Fleiss' kappa",
    "gwet_ac1": "Gwets AC1",
    "brennan_prediger": "Brennan-Prediger",
}
OVERALL_ROW = "(alle codes)"
MASI_ROW = "(hele codeset, MASI)"


def trend_frame(
    rounds: Sequence[CalibrationRound], measure: str = "krippendorff_alpha"
) -> pd.DataFrame:
    """Agreement per code (rows) and round (columns) for rounds with results.

    The first rows are the overall figure and, for alpha, the MASI alpha of the whole code
    set; then the codes in order of first appearance. Cells are ``NaN`` where a code was not
    used in a round or the measure is undefined.

    Raises
    ------
    VerhalenError
        If ``measure`` is unknown or no round has results yet.
    """
    if measure not in MEASURES:
        raise VerhalenError(f"--measure: {measure!r} is not one of {', '.join(MEASURES)}")
    done = [r for r in rounds if r.results]
    if not done:
        raise VerhalenError(
            "no calibration round has results yet — run `verhalen calibrate report ROUND` first"
        )
    columns: dict[str, dict[str, float | None]] = {}
    order: list[str] = [OVERALL_ROW] + ([MASI_ROW] if measure == "krippendorff_alpha" else [])
    for r in done:
        res = r.results or {}
        col: dict[str, float | None] = {
            OVERALL_ROW: (res.get("overall", {}).get(measure) or {}).get("estimate"),
        }
        if measure == "krippendorff_alpha":
            col[MASI_ROW] = (res.get("overall", {}).get("masi_alpha") or {}).get("estimate")
        for code, stats in res.get("per_code", {}).items():
            col[code] = (stats.get(measure) or {}).get("estimate")
            if code not in order:
                order.append(code)
        columns[r.id] = col
    frame = pd.DataFrame(columns, index=order, dtype="float64")
    frame.index.name = "code"
    return frame


def trend_markdown(frame: pd.DataFrame, measure: str, rounds: Sequence[CalibrationRound]) -> str:
    """The trend table as Markdown (Dutch), with the decisions per round below it."""
    head = ["Code", *frame.columns]
    lines = [
        f"# Overeenstemming per kalibratieronde: {MEASURES[measure]}",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for code, row in frame.iterrows():
        cells = [num(None if pd.isna(v) else float(v)) for v in row]
        lines.append(f"| {code} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Leeg (–): de code is in die ronde niet gebruikt, of de maat is niet te berekenen.",
        "",
    ]
    for r in rounds:
        if r.decisions:
            lines.append(f"## Besluiten na ronde {r.id}")
            lines.append("")
            for d in r.decisions:
                version = f" → codeboek {d.codebook_version}" if d.codebook_version else ""
                lines.append(f"{d.number}. {d.text}{version}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def overall_intervals(rounds: Sequence[CalibrationRound], measure: str) -> pd.DataFrame:
    """The 95% interval of the overall figure per round with results (columns low, high)."""
    rows = {}
    for r in rounds:
        if r.results:
            est = r.results.get("overall", {}).get(measure) or {}
            rows[r.id] = {"low": est.get("low"), "high": est.get("high")}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["low", "high"], dtype="float64")


def plot_trend(
    frame: pd.DataFrame,
    measure: str,
    *,
    intervals: pd.DataFrame | None = None,
    max_codes: int = 12,
) -> bytes:
    """A PNG line plot of the trend.

    The overall figure is a thick line with its 95% interval as a band (if ``intervals``
    from :func:`overall_intervals` is given); at most ``max_codes`` codes get a thin line
    (with more codes: those with the lowest values, which most need discussing).
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    x = list(range(1, len(frame.columns) + 1))
    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=110)
    try:
        special = [r for r in (OVERALL_ROW, MASI_ROW) if r in frame.index]
        codes = [c for c in frame.index if c not in special]
        if len(codes) > max_codes:  # the codes that need discussion most: lowest values
            lowest = frame.loc[codes].min(axis=1, skipna=True).sort_values(na_position="last")
            codes = [c for c in codes if c in set(lowest.index[:max_codes])]
        palette = plt.get_cmap("tab20")
        for i, code in enumerate(codes):
            ax.plot(
                x,
                frame.loc[code].to_numpy(),
                marker="o",
                linewidth=1,
                alpha=0.7,
                color=palette(i % 20),
                label=str(code),
            )
        styles = {OVERALL_ROW: ("black", "-"), MASI_ROW: ("#c0392b", "--")}
        for row in special:
            color, style = styles[row]
            ax.plot(
                x,
                frame.loc[row].to_numpy(),
                marker="s",
                linewidth=3,
                color=color,
                linestyle=style,
                label=row,
            )
        if intervals is not None and not intervals.empty:
            band = intervals.reindex(frame.columns)
            ax.fill_between(
                x,
                band["low"].to_numpy(),
                band["high"].to_numpy(),
                color="black",
                alpha=0.12,
                linewidth=0,
                label="95%-interval (alle codes)",
            )
        if measure != "percent_agreement":
            ax.axhline(0.8, color="grey", linewidth=0.8, linestyle=":")
            ax.axhline(0.667, color="grey", linewidth=0.8, linestyle=":")
        ax.set_xticks(x, list(frame.columns))
        ax.set_xlabel("Kalibratieronde")
        ax.set_ylabel(MEASURES[measure])
        title = f"Overeenstemming per kalibratieronde ({MEASURES[measure]})"
        n_codes = len(frame.index) - len(special)
        if n_codes > len(codes):
            title += f"\n{len(codes)} van {n_codes} codes getoond: die met de laagste waarden"
        ax.set_title(title, fontsize=10)
        ax.set_ylim(
            min(-0.2, float(frame.min().min()) - 0.05) if frame.notna().any().any() else -0.2, 1.05
        )
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    finally:
        plt.close(fig)
    return buf.getvalue()


def write_trend(
    folder: str | Path, rounds: Sequence[CalibrationRound], measure: str = "krippendorff_alpha"
) -> tuple[pd.DataFrame, Path, Path]:
    """Write ``trend.md`` and ``trend.png`` to ``folder``; returns the table and both paths."""
    frame = trend_frame(rounds, measure)
    folder = Path(folder)
    md_path, png_path = folder / "trend.md", folder / "trend.png"
    text = trend_markdown(frame, measure, rounds)
    text = text.replace("\n\n", f"\n\n![Trend]({png_path.name})\n\n", 1)
    atomic_write_text(md_path, text)
    png = plot_trend(frame, measure, intervals=overall_intervals(rounds, measure))
    atomic_write_bytes(png_path, png)
    return frame, md_path, png_path
