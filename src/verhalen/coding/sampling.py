"""Seeded, stratified samples of segments (for coding sheets and calibration rounds).

:func:`draw_sample` allocates the sample over strata (e.g. practice × role) in proportion to
their size with the largest-remainder method, giving every non-empty stratum at least one
segment when the sample is large enough, and draws within each stratum with a seeded
:class:`numpy.random.Generator`. The result depends only on the segments (not on the order of
the rows of the DataFrame), ``n``, the seed and the strata, so a round can always be redrawn.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from verhalen.errors import VerhalenError

MISSING_STRATUM = "(onbekend)"
"""Stratum value for segments without a value in a stratification column."""


def allocate(sizes: Sequence[int], n: int) -> list[int]:
    """Proportional allocation of ``n`` over strata of the given sizes.

    Each stratum gets ``n · N_h / N`` rounded by the largest-remainder method, at least one
    when ``n`` is at least the number of non-empty strata, and never more than its size.
    Ties are broken by stratum position, so the allocation is deterministic.

    Parameters
    ----------
    sizes
        Number of segments per stratum.
    n
        Sample size; at most ``sum(sizes)``.

    Returns
    -------
    list of int
        Segments to draw per stratum, summing to ``n``.
    """
    total = sum(sizes)
    if n > total:
        raise VerhalenError(f"cannot allocate {n} over strata holding only {total} segments")
    quotas = [n * s / total if total else 0.0 for s in sizes]
    non_empty = [h for h, s in enumerate(sizes) if s > 0]
    if n >= len(non_empty):
        alloc = [
            min(s, max(1, math.floor(q))) if s > 0 else 0
            for s, q in zip(sizes, quotas, strict=True)
        ]
    else:
        # Too few for one per stratum: the largest strata get one each.
        ranked = sorted(non_empty, key=lambda h: (-sizes[h], h))[:n]
        return [1 if h in ranked else 0 for h in range(len(sizes))]
    while sum(alloc) > n:  # the minimum of one pushed us over: take from the most over-served
        h = max((h for h in non_empty if alloc[h] > 1), key=lambda h: (alloc[h] - quotas[h], -h))
        alloc[h] -= 1
    while sum(alloc) < n:  # largest remainder first
        h = max(
            (h for h in non_empty if alloc[h] < sizes[h]), key=lambda h: (quotas[h] - alloc[h], -h)
        )
        alloc[h] += 1
    return alloc


def strata(segments_df: pd.DataFrame, stratify: Sequence[str]) -> dict[tuple[str, ...], list[str]]:
    """Segment ids per stratum, strata and ids sorted (missing values become ``(onbekend)``)."""
    unknown = [c for c in stratify if c not in segments_df.columns]
    if unknown:
        allowed = ", ".join(c for c in segments_df.columns if c not in ("text", "start", "end"))
        raise VerhalenError(
            f"--stratify: unknown column(s) {', '.join(unknown)} — allowed: {allowed}"
        )
    out: dict[tuple[str, ...], list[str]] = {}
    for row in segments_df[["segment_id", *stratify]].itertuples(index=False):
        seg_id, *values = row
        key = tuple(MISSING_STRATUM if pd.isna(v) else str(v) for v in values)
        out.setdefault(key, []).append(str(seg_id))
    return {k: sorted(v) for k, v in sorted(out.items())}


def draw_sample(
    segments_df: pd.DataFrame,
    n: int,
    seed: int,
    stratify: Sequence[str] = (),
    exclude: Collection[str] = (),
) -> list[str]:
    """Draw a seeded, stratified sample of segment ids.

    Parameters
    ----------
    segments_df
        One row per segment with a ``segment_id`` column and the stratification columns
        (see :meth:`verhalen.corpus.Corpus.segments_df`: ``practice``, ``role``, ...).
    n
        Sample size. If it is at least the number of (remaining) segments, all are returned.
    seed
        Seed of the random generator; the same inputs and seed give the same sample.
    stratify
        Columns whose combinations form the strata (empty: a simple random sample).
    exclude
        Segment ids that may not be drawn (e.g. the samples of earlier calibration rounds).

    Returns
    -------
    list of str
        The sampled segment ids, in the order of ``segments_df`` (corpus order), so that
        fragments of one interview follow each other on a coding sheet.

    Raises
    ------
    VerhalenError
        If ``n`` < 1, a stratification column does not exist, ``segment_id`` is missing, or
        no segment is left to draw from.
    """
    if n < 1:
        raise VerhalenError(f"--sample must be at least 1, got {n}")
    if "segment_id" not in segments_df.columns:
        raise VerhalenError("segments_df has no 'segment_id' column — pass Corpus.segments_df()")
    if segments_df["segment_id"].duplicated().any():
        raise VerhalenError("segments_df has duplicate segment ids")
    excluded = set(exclude)
    frame = segments_df[~segments_df["segment_id"].astype(str).isin(excluded)]
    if frame.empty:
        raise VerhalenError(
            "no segments left to sample"
            + (
                f" after leaving out {len(excluded)} segment(s) of earlier samples"
                if excluded
                else ""
            )
            + " — ingest transcripts first, or allow segments to be drawn again"
        )
    groups = strata(frame, list(stratify))
    keys = list(groups)
    n = min(n, len(frame))
    alloc = allocate([len(groups[k]) for k in keys], n)
    rng = np.random.default_rng(seed)
    chosen: set[str] = set()
    for key, k in zip(keys, alloc, strict=True):
        if k:
            ids = groups[key]
            picks = rng.choice(len(ids), size=k, replace=False)
            chosen.update(ids[int(i)] for i in picks)
    return [s for s in frame["segment_id"].astype(str) if s in chosen]


def sample_summary(
    segments_df: pd.DataFrame, sample: Collection[str], stratify: Sequence[str]
) -> pd.DataFrame:
    """Per stratum: segments available, drawn, and the share drawn (for messages/reports)."""
    groups = strata(segments_df, list(stratify))
    drawn = set(sample)
    rows = [
        {
            **dict(zip(stratify, key, strict=True)),
            "beschikbaar": len(ids),
            "getrokken": sum(1 for i in ids if i in drawn),
        }
        for key, ids in groups.items()
    ]
    return pd.DataFrame(rows)
