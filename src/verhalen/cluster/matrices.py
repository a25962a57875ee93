"""Code co-occurrence and presence matrices.

All functions take codings as a DataFrame with at least ``segment_id`` and ``code_id``
(one row per coding; several coders are pooled unless filtered first) and the corpus
segments as a DataFrame from :meth:`verhalen.corpus.Corpus.segments_df`.

Co-occurrence levels
--------------------
``segment``
    two codes co-occur when they are applied to the same segment;
``window``
    when they are applied to segments of the same transcript at most ``window`` turns
    apart (a unit is the window around each coded segment);
``participant``
    when the same participant's segments carry both.

The count ``C[i, j]`` is the number of units that contain both codes and ``C[i, i]`` the
number of units that contain code ``i``. Normalisations: Jaccard
``C_ij / (C_ii + C_jj - C_ij)`` and cosine (Salton's, Ochiai) ``C_ij / sqrt(C_ii C_jj)``;
see Leydesdorff (2008), "On the normalization and visualization of author co-citation data",
JASIST 59(1), for both on binary occurrence data.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from verhalen.errors import VerhalenError

Level = Literal["segment", "window", "participant"]
Normalisation = Literal["count", "jaccard", "cosine"]


def _check(codings: pd.DataFrame, needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in codings.columns]
    if missing:
        raise VerhalenError(
            f"codings table lacks column(s) {', '.join(missing)} — pass "
            "CodedStore.dataframe() joined with Corpus.segments_df()"
        )


def unit_code_matrix(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    level: Level = "segment",
    window: int = 1,
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """Binary units × codes matrix (1 = the unit carries the code) at a co-occurrence level."""
    _check(codings, ("segment_id", "code_id"))
    codes = codes if codes is not None else sorted(codings["code_id"].unique())
    joined = codings[["segment_id", "code_id"]].drop_duplicates()
    meta = segments.set_index("segment_id")[["transcript_id", "participant_id", "turn_index"]]
    unknown = set(joined["segment_id"]) - set(meta.index)
    if unknown:
        raise VerhalenError(
            f"{len(unknown)} coded segment(s) are not in the corpus, e.g. "
            f"{sorted(unknown)[0]!r} — re-run `verhalen ingest` or check the coded store"
        )
    joined = joined.join(meta, on="segment_id")
    if level == "segment":
        units = joined.rename(columns={"segment_id": "unit"})[["unit", "code_id"]]
    elif level == "participant":
        units = joined.rename(columns={"participant_id": "unit"})[["unit", "code_id"]]
    elif level == "window":
        if window < 0:
            raise VerhalenError(f"window must be 0 or more turns, got {window}")
        units = _window_units(joined, window)
    else:
        raise VerhalenError(f"unknown level {level!r}: use segment, window or participant")
    matrix = _presence_table(units).clip(upper=1)
    return matrix.reindex(columns=codes, fill_value=0).sort_index()


def _presence_table(units: pd.DataFrame) -> pd.DataFrame:
    """``pd.crosstab(units["unit"], units["code_id"])``, via a grouped count (the same
    table; crosstab aggregates string keys in pure Python, about ten times slower)."""
    counts = units.groupby(["unit", "code_id"]).size()
    if counts.empty:
        return pd.crosstab(units["unit"], units["code_id"])
    return counts.unstack(fill_value=0)


def _window_units(joined: pd.DataFrame, window: int) -> pd.DataFrame:
    """(unit, code) pairs of the ``window`` level: each coded segment is a unit carrying the
    codes of the coded segments of its transcript at most ``window`` turns away.

    One join per turn offset (``2 * window + 1`` joins of the codings with the coded
    segments), vectorised, instead of a filter per segment.
    """
    if joined.empty:
        return pd.DataFrame(columns=["unit", "code_id"])
    coded = joined[["transcript_id", "turn_index", "code_id"]].drop_duplicates()
    centres = joined[["transcript_id", "turn_index", "segment_id"]].drop_duplicates()
    parts = []
    for offset in range(-window, window + 1):
        shifted = centres.assign(turn_index=centres["turn_index"] + offset)
        near = shifted.merge(coded, on=["transcript_id", "turn_index"], how="inner")
        parts.append(near[["segment_id", "code_id"]])
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates()
    return pairs.rename(columns={"segment_id": "unit"})


def cooccurrence(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    level: Level = "segment",
    window: int = 1,
    normalise: Normalisation = "count",
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """Code × code co-occurrence at ``level``, as counts or normalised (Jaccard, cosine)."""
    units = unit_code_matrix(codings, segments, level, window, codes)
    x = units.to_numpy(dtype=float)
    counts = x.T @ x
    labels = list(units.columns)
    if normalise == "count":
        return pd.DataFrame(counts.astype(int), index=labels, columns=labels)
    diag = np.diag(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        if normalise == "jaccard":
            denom = diag[:, None] + diag[None, :] - counts
        elif normalise == "cosine":
            denom = np.sqrt(np.outer(diag, diag))
        else:
            raise VerhalenError(f"unknown normalisation {normalise!r}: count, jaccard or cosine")
        sim = np.where(denom > 0, counts / np.where(denom > 0, denom, 1), 0.0)
    return pd.DataFrame(sim, index=labels, columns=labels)


def presence(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    by: str = "participant_id",
    share: bool = False,
) -> pd.DataFrame:
    """Code × group presence: participants (``by="participant_id"``), or per practice/role.

    For ``participant_id`` the cells are 0/1. For a grouping column such as ``practice``
    or ``role`` the cells count the participants of that group whose segments carry the
    code; with ``share=True`` they are divided by the number of participants in the group
    (participants with at least one segment in ``segments``).
    """
    _check(codings, ("segment_id", "code_id"))
    if by not in segments.columns:
        raise VerhalenError(f"segments have no column {by!r}; use participant_id, practice or role")
    meta = segments.set_index("segment_id")[
        ["participant_id"] + ([by] if by != "participant_id" else [])
    ]
    joined = codings[["segment_id", "code_id"]].drop_duplicates().join(meta, on="segment_id")
    per_participant = joined[
        ["participant_id", "code_id"] + ([by] if by != "participant_id" else [])
    ]
    per_participant = per_participant.drop_duplicates()
    table = pd.crosstab(per_participant["code_id"], per_participant[by])
    if by == "participant_id":
        return table.clip(upper=1)
    if share:
        sizes = segments.drop_duplicates("participant_id").groupby(by)["participant_id"].count()
        table = table.div(sizes.reindex(table.columns), axis=1)
    return table
