"""Pool the codings of several coders into one coding per segment and code.

The report counts a segment as coded with a code according to a *pooling rule*:

``any`` (default)
    at least one coder applied the code to the segment;
``majority``
    more than half of the coders who coded the segment applied it;
``consensus``
    every coder who coded the segment applied it.

"Coders who coded the segment" are the coders with at least one coding on that segment, so
a segment that only one coder coded keeps that coder's codes under every rule (coders who
split the transcripts between them after the calibration sessions are not penalised).
The share of those coders who applied the code is kept as ``agreement`` (used to rank
quotes, :func:`verhalen.report.quotes.select_quotes`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar, get_args

import pandas as pd

from verhalen.errors import VerhalenError
from verhalen.records import Codebook

Pooling = Literal["any", "majority", "consensus"]
POOLING_RULES: tuple[str, ...] = get_args(Pooling)

T = TypeVar("T")

POOLED_COLUMNS = ["segment_id", "code_id", "factor_id", "coders", "segment_coders", "agreement"]


def check_pooling(rule: str) -> Pooling:
    """Validate a pooling rule name."""
    if rule not in POOLING_RULES:
        raise VerhalenError(
            f"pooling rule {rule!r} is unknown — choose one of: {', '.join(POOLING_RULES)} "
            "(any = at least one coder applied the code)"
        )
    return rule  # type: ignore[return-value]


def _mapped(values: pd.Series, fn: Callable[[str], T]) -> list[T]:
    """``[fn(v) for v in values]``, calling ``fn`` once per distinct value (a codebook
    lookup walks every code, so once per row is slow on large coded stores)."""
    cache = {v: fn(v) for v in dict.fromkeys(values)}
    return [cache[v] for v in values]


def pool_codings(
    codings: pd.DataFrame, codebook: Codebook | None = None, rule: str = "any"
) -> pd.DataFrame:
    """One row per (segment, code) that counts under ``rule``, sorted by segment and code.

    Parameters
    ----------
    codings
        Codings with at least ``segment_id`` and ``code_id``, e.g.
        :meth:`verhalen.coding.store.CodedStore.dataframe`; a ``coder`` column enables the
        rules ``majority`` and ``consensus`` (without it all codings count as one coder's).
    codebook
        Used to resolve merged codes and to find each code's factor
        (:meth:`~verhalen.records.Codebook.factor_of`); without it an existing ``factor_id``
        column is kept.
    rule
        ``any``, ``majority`` or ``consensus`` (see the module documentation).

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``code_id``, ``factor_id`` (``None`` for codes outside every
        factor), ``coders`` (how many coders applied the code), ``segment_coders`` (how many
        coded the segment) and ``agreement`` (``coders / segment_coders``).
    """
    rule = check_pooling(rule)
    missing = [c for c in ("segment_id", "code_id") if c not in codings.columns]
    if missing:
        raise VerhalenError(
            f"codings table lacks column(s) {', '.join(missing)} — pass "
            "CodedStore(project.coded_dir).dataframe(codebook)"
        )
    if codings.empty:
        return pd.DataFrame(columns=POOLED_COLUMNS)
    frame = pd.DataFrame(
        {
            "segment_id": codings["segment_id"].astype(str),
            "code_id": codings["code_id"].astype(str),
            "coder": codings["coder"].astype(str) if "coder" in codings.columns else "_",
        }
    )
    if codebook is not None:
        frame["code_id"] = _mapped(frame["code_id"], codebook.resolve)
    frame = frame.drop_duplicates()
    per_segment = frame.groupby("segment_id")["coder"].nunique().rename("segment_coders")
    per_code = (
        frame.groupby(["segment_id", "code_id"])["coder"].nunique().rename("coders").reset_index()
    )
    pooled = per_code.join(per_segment, on="segment_id")
    if rule == "majority":
        pooled = pooled[pooled["coders"] * 2 > pooled["segment_coders"]]
    elif rule == "consensus":
        pooled = pooled[pooled["coders"] == pooled["segment_coders"]]
    pooled = pooled.copy()
    pooled["agreement"] = pooled["coders"] / pooled["segment_coders"]
    if codebook is not None:
        pooled["factor_id"] = _mapped(pooled["code_id"], codebook.factor_of)
    elif "factor_id" in codings.columns:
        factors = (
            pd.DataFrame({"code_id": codings["code_id"].astype(str), "f": codings["factor_id"]})
            .drop_duplicates("code_id")
            .set_index("code_id")["f"]
        )
        pooled["factor_id"] = [factors.get(c) for c in pooled["code_id"]]
    else:
        pooled["factor_id"] = None
    pooled["factor_id"] = (
        pooled["factor_id"].astype(object).where(pooled["factor_id"].notna(), None)
    )
    return (
        pooled[POOLED_COLUMNS]
        .sort_values(["segment_id", "code_id"], kind="stable")
        .reset_index(drop=True)
    )
