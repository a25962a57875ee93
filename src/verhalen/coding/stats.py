"""Overviews of the coding done so far: who coded what, with which codes, from which source.

Every function takes a list of codings (e.g. ``CodedStore.codings(codebook=...)``), so it
works on the store, on one calibration round or on any selection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from verhalen.records import Codebook, Coding

NO_FACTOR = "(geen factor)"


def codings_frame(codings: Sequence[Coding], codebook: Codebook | None = None) -> pd.DataFrame:
    """One row per coding with its factor (if a codebook is given), sorted for display."""
    columns = [
        "coder",
        "segment_id",
        "code_id",
        "factor_id",
        "source",
        "codebook_version",
        "memo",
        "timestamp",
        "start",
        "end",
    ]
    rows = [
        {
            "coder": c.coder,
            "segment_id": c.segment_id,
            "code_id": c.code_id,
            "factor_id": (codebook.factor_of(c.code_id) if codebook else None) or "",
            "source": c.source.value,
            "codebook_version": c.codebook_version,
            "memo": c.memo,
            "timestamp": c.timestamp,
            "start": c.start,
            "end": c.end,
        }
        for c in codings
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["segment_id", "coder", "code_id"], kind="stable").reset_index(
        drop=True
    )


def filter_codings(
    codings: Sequence[Coding],
    *,
    coder: str | None = None,
    segment: str | None = None,
    code: str | None = None,
) -> list[Coding]:
    """Codings of one coder / on one segment / with one code (any combination)."""
    return [
        c
        for c in codings
        if (coder is None or c.coder == coder)
        and (segment is None or c.segment_id == segment)
        and (code is None or c.code_id == code)
    ]


def coding_stats(
    codings: Sequence[Coding],
    codebook: Codebook | None = None,
    *,
    n_segments: int | None = None,
) -> dict[str, Any]:
    """Counts of the coding done: per coder, code, factor and source; segments coded.

    Parameters
    ----------
    codings
        The codings to summarise.
    codebook
        For code labels and factors (codes are counted as recorded otherwise).
    n_segments
        Number of segments in the corpus, for the share coded.

    Returns
    -------
    dict
        ``per_coder``, ``per_code``, ``per_factor``, ``per_source`` (DataFrames),
        ``n_codings``, ``segments_coded``, ``n_segments`` and ``segments_by_coders`` (how
        many segments were coded by 1, 2, … coders).
    """
    frame = codings_frame(codings, codebook)
    per_coder = (
        frame.groupby("coder")
        .agg(
            codings=("code_id", "size"),
            segmenten=("segment_id", "nunique"),
            codes=("code_id", "nunique"),
        )
        .reset_index()
    )
    per_code = (
        frame.groupby("code_id")
        .agg(
            codings=("coder", "size"),
            segmenten=("segment_id", "nunique"),
            codeurs=("coder", "nunique"),
        )
        .reset_index()
        .sort_values(["codings", "code_id"], ascending=[False, True], kind="stable")
    )
    if codebook is not None:
        labels = {c.id: c.label for c in codebook.codes}
        per_code.insert(1, "naam", [labels.get(c, "") for c in per_code["code_id"]])
        per_code.insert(
            2, "factor", [codebook.factor_of(c) or NO_FACTOR for c in per_code["code_id"]]
        )
    factors = frame.assign(factor_id=frame["factor_id"].replace("", NO_FACTOR))
    per_factor = (
        factors.groupby("factor_id")
        .agg(
            codings=("code_id", "size"),
            segmenten=("segment_id", "nunique"),
            codes=("code_id", "nunique"),
        )
        .reset_index()
    )
    if codebook is not None:
        order = {f.id: i for i, f in enumerate(codebook.factors)}
        per_factor = per_factor.sort_values(
            "factor_id", key=lambda s: s.map(lambda f: order.get(f, len(order))), kind="stable"
        )
        labels = {f.id: f.label for f in codebook.factors}
        per_factor.insert(1, "naam", [labels.get(f, f) for f in per_factor["factor_id"]])
    per_source = (
        frame.groupby(["coder", "source"]).size().unstack(fill_value=0).reset_index()
        if not frame.empty
        else pd.DataFrame(columns=["coder"])
    )
    by_segment = frame.groupby("segment_id")["coder"].nunique()
    return {
        "n_codings": len(frame),
        "segments_coded": int(by_segment.size),
        "n_segments": n_segments,
        "segments_by_coders": {
            int(str(k)): int(v) for k, v in by_segment.value_counts().sort_index().items()
        },
        "per_coder": per_coder.reset_index(drop=True),
        "per_code": per_code.reset_index(drop=True),
        "per_factor": per_factor.reset_index(drop=True),
        "per_source": per_source.reset_index(drop=True),
    }
