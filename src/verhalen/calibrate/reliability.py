"""Shape a round's codings into reliability data for :mod:`verhalen.agreement`.

* :func:`build_assignments`: ``{(segment, coder): codes}``, with an empty set for a segment
  a coder coded without applying any code;
* :func:`set_data`: a units × coders table whose values are the code *sets* (for the MASI
  alpha of the whole code set, and for bootstraps that resample segments);
* :func:`pooled`: every (segment, code) decision as one binary unit;
* :func:`unitizing`: ``uα`` per code from codings that carry their own spans.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from verhalen.agreement import (
    Continuum,
    ReliabilityData,
    pooled_unitizing_alpha,
    unitizing_alpha_by_code,
)
from verhalen.errors import VerhalenWarning
from verhalen.records import Coding, Segment

Assignments = dict[tuple[str, str], set[str]]


def clean(value: float | None) -> float | None:
    """``None`` for undefined (``nan``/``inf``) values, else a float."""
    return None if value is None or not math.isfinite(value) else float(value)


def build_assignments(
    codings: Sequence[Coding], units_by_coder: Mapping[str, Sequence[str]]
) -> Assignments:
    """``{(segment, coder): codes}`` with an empty set for coded segments without codes."""
    out: Assignments = {(u, c): set() for c, units in units_by_coder.items() for u in units}
    for coding in codings:
        key = (coding.segment_id, coding.coder)
        if key in out:
            out[key].add(coding.code_id)
    return out


def set_data(
    assignments: Assignments, units: Sequence[str], coders: Sequence[str]
) -> ReliabilityData:
    """Units × coders data whose categories are the code *sets* (for MASI and the pooled view)."""
    categories: dict[frozenset[str], int] = {}
    codes = np.full((len(units), len(coders)), np.nan)
    for i, unit in enumerate(units):
        for j, coder in enumerate(coders):
            value = assignments.get((unit, coder))
            if value is not None:
                codes[i, j] = categories.setdefault(frozenset(value), len(categories))
    return ReliabilityData(
        codes, tuple(categories), tuple(units), tuple(coders), "nominal", "code sets"
    )


def pooled(data: ReliabilityData, code_list: Sequence[str]) -> ReliabilityData:
    """Every (segment, code) decision as a binary unit, from set-valued data."""
    member = np.array(
        [[code in cat for code in code_list] for cat in data.categories], dtype=np.float64
    ).reshape(len(data.categories), len(code_list))
    n_units, n_coders = data.codes.shape
    present = np.full((n_units, n_coders, len(code_list)), np.nan)
    mask = ~np.isnan(data.codes)
    present[mask] = member[data.codes[mask].astype(np.int64)]
    flat = present.transpose(0, 2, 1).reshape(n_units * len(code_list), n_coders)
    names = tuple(f"{u}|{k}" for u in data.units for k in code_list)
    return ReliabilityData(
        np.ascontiguousarray(flat), (0, 1), names, data.coders, "nominal", "alle codes"
    )


def quiet(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerhalenWarning)
        return func(*args, **kwargs)


def unitizing(
    codings: Sequence[Coding],
    assignments: Assignments,
    coders: Sequence[str],
    code_list: Sequence[str],
    segments: Mapping[str, Segment],
) -> tuple[dict[str, float | None], float | None]:
    """``uα`` per code over the segments every coder coded (codings without a span cover the
    whole segment)."""
    units = [
        u
        for u in dict.fromkeys(u for u, _ in assignments)
        if u in segments and all((u, c) in assignments for c in coders)
    ]
    spans: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for c in codings:
        seg = segments.get(c.segment_id)
        if seg is None or (c.segment_id, c.coder) not in assignments:
            continue
        start = seg.start if c.start is None else max(seg.start, c.start)
        end = seg.end if c.end is None else min(seg.end, c.end)
        if end > start:
            spans.setdefault((c.code_id, c.segment_id, c.coder), []).append((start, end))
    per_code: dict[str, list[Continuum]] = {
        code: [
            Continuum(
                length=segments[u].end - segments[u].start,
                start=segments[u].start,
                name=u,
                spans={c: spans.get((code, u, c), []) for c in coders},
            )
            for u in units
            if segments[u].end > segments[u].start
        ]
        for code in code_list
    }
    per_code = {k: v for k, v in per_code.items() if v}
    if not per_code:
        return {}, None
    results = quiet(unitizing_alpha_by_code, per_code, coders=list(coders), merge_overlaps=True)
    pooled = quiet(pooled_unitizing_alpha, results.values())
    return {k: clean(r.alpha) for k, r in results.items()}, clean(pooled)
