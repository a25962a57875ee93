"""Krippendorff's alpha for unitizing a continuum (``uα``), per code.

Coders mark stretches of a continuum (here: half-open character spans ``[start, end)`` of a
transcript) as units of one code. Each coder's marks cut the continuum into *sections*: the
units and the gaps between them (before the first unit and after the last one too).
Following Krippendorff (1995, "On the reliability of unitizing continuous data",
*Sociological Methodology* 25:47-76; 2004, *Content Analysis*, 2nd ed., §12.4; 2004,
"Measuring the reliability of qualitative text analysis data", *Quality & Quantity*
38:787-800), with ``b`` a section's begin, ``l`` its length and ``w`` 1 for a unit and 0 for
a gap, the squared difference between section ``g`` of coder ``i`` and section ``h`` of
coder ``j`` is

* ``(b_g - b_h)² + (b_g + l_g - b_h - l_h)²`` if both are units and they overlap;
* ``l_g²`` if ``g`` is a unit lying wholly inside gap ``h`` (and ``l_h²`` vice versa);
* 0 otherwise (gap against gap, or partial unit/gap overlaps, already counted above).

``D_o = Σ_i Σ_{j≠i} Σ_g Σ_h δ²_{ig,jh} / (m (m - 1) L²)`` and

``D_e = (2/L) Σ_units [ (N - 1)(2l³ - 3l² + l)/3 + l² Σ_gaps [l_gap ≥ l] (l_gap - l + 1) ]
/ [ mL(mL - 1) - Σ_units l(l - 1) ]``

where ``m`` is the number of coders, ``L`` the continuum length, ``N`` the number of units
(all coders), and the sums run over the units and gaps of all coders. ``uα = 1 - D_o/D_e``;
across codes Krippendorff pools ``uα = 1 - Σ_c D_o(c) / Σ_c D_e(c)``
(:func:`pooled_unitizing_alpha`).

Interpretation: 1 means every coder marked exactly the same stretches; 0 means the marks
agree no better than units of the same lengths dropped at random into the gaps. The
differences are squared lengths of mismatching stretches, so a unit one coder missed
entirely counts with its full length squared and a boundary off by a few characters counts
little. Note that Krippendorff, Mathet, Bouvry & Widlöcher (2016, *Quality & Quantity*
50) revised this definition because it behaves unexpectedly with more than two
coders; this module implements the 2004 definition (exact for two coders).

Several continua (transcripts) are pooled as one continuum of length ``L = Σ L_k`` in which
no section crosses a transcript boundary: observed differences are summed per transcript,
and the expected disagreement considers all units and gaps of all transcripts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from verhalen.agreement.coefficients import FloatArray, undefined
from verhalen.errors import VerhalenError

Span = tuple[int, int]


@dataclass(frozen=True)
class Continuum:
    """One continuum (transcript) coded for one code.

    Parameters
    ----------
    length
        Number of positions (characters) in the continuum.
    spans
        Per coder, the half-open ``(start, end)`` spans marked with the code; an empty list
        means the coder found no unit. Positions are relative to ``start``.
    start
        Position of the first character (e.g. 150 for a continuum ``[150, 450)``).
    name
        Name used in messages (e.g. the transcript id).
    """

    length: int
    spans: Mapping[str, Sequence[Span]]
    start: int = 0
    name: str = ""


@dataclass(frozen=True)
class UnitizingResult:
    """``uα`` with its observed and expected disagreement."""

    alpha: float
    observed: float
    expected: float
    n_units: int = field(default=0)


def _sections(
    spans: Sequence[Span], start: int, length: int, where: str, merge: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Begins, lengths and unit flags of the sections (units and gaps) of one coder."""
    end_all = start + length
    ordered = sorted((int(a), int(b)) for a, b in spans)
    merged: list[list[int]] = []
    for a, b in ordered:
        if not (start <= a < b <= end_all):
            raise VerhalenError(
                f"{where}: span ({a}, {b}) is empty or outside the continuum "
                f"[{start}, {end_all}); spans are half-open (start, end) with start < end"
            )
        if merged and a < merged[-1][1]:
            if not merge:
                raise VerhalenError(
                    f"{where}: spans {tuple(merged[-1])} and ({a}, {b}) overlap; one coder's "
                    "units of the same code may not overlap (pass merge_overlaps=True to join)"
                )
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    rows: list[tuple[int, int, int]] = []  # (begin, length, is_unit)
    pos = start
    for a, b in merged:
        if a > pos:
            rows.append((pos, a - pos, 0))
        rows.append((a, b - a, 1))
        pos = b
    if pos < end_all:
        rows.append((pos, end_all - pos, 0))
    table = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy()


def _pair_differences(
    x: tuple[FloatArray, FloatArray, FloatArray], y: tuple[FloatArray, FloatArray, FloatArray]
) -> float:
    """``Σ_g Σ_h δ²`` between the sections of two coders on one continuum."""
    b1, l1, w1 = (a[:, None] for a in x)
    b2, l2, w2 = (a[None, :] for a in y)
    diff = b1 - b2
    both = (w1 == 1) & (w2 == 1) & (-l1 < diff) & (diff < l2)
    unit_in_gap = (w1 == 1) & (w2 == 0) & (diff >= 0) & (diff <= l2 - l1)
    gap_around = (w1 == 0) & (w2 == 1) & (diff <= 0) & (-diff <= l1 - l2)
    total = np.where(both, diff**2 + (diff + l1 - l2) ** 2, 0.0)
    total += np.where(unit_in_gap, l1**2, 0.0) + np.where(gap_around, l2**2, 0.0)
    return float(total.sum())


def unitizing_alpha(
    continua: Continuum | Iterable[Continuum],
    *,
    coders: Sequence[str] | None = None,
    merge_overlaps: bool = False,
) -> UnitizingResult:
    """Krippendorff's ``uα`` for one code over one or more continua (see module docstring).

    Parameters
    ----------
    continua
        The continua; every coder in ``coders`` must appear in each (empty list = no unit).
    coders
        The coders (default: the coders of the first continuum, at least two).
    merge_overlaps
        Join overlapping spans of one coder instead of raising.

    Returns
    -------
    UnitizingResult
        ``alpha`` is ``nan`` (with a :class:`VerhalenWarning`) when no coder marked any
        unit, so that expected disagreement is 0.
    """
    items = [continua] if isinstance(continua, Continuum) else list(continua)
    if not items:
        raise VerhalenError("unitizing alpha needs at least one continuum")
    names = list(coders) if coders is not None else list(items[0].spans)
    if len(names) < 2:
        raise VerhalenError(f"unitizing alpha needs at least 2 coders, got {names}")
    m = len(names)
    total_length = 0
    observed_sum = 0.0
    unit_lengths: list[FloatArray] = []
    gap_lengths: list[FloatArray] = []
    for index, cont in enumerate(items):
        label = cont.name or f"continuum {index + 1}"
        if cont.length <= 0:
            raise VerhalenError(f"{label}: length must be positive, got {cont.length}")
        missing = [c for c in names if c not in cont.spans]
        if missing:
            raise VerhalenError(
                f"{label}: no spans for coder(s) {missing}; give an empty list "
                "for a coder who marked nothing"
            )
        sections = [
            _sections(
                cont.spans[c], cont.start, cont.length, f"{label}, coder {c!r}", merge_overlaps
            )
            for c in names
        ]
        total_length += cont.length
        for i in range(m):
            for j in range(i + 1, m):
                observed_sum += 2.0 * _pair_differences(sections[i], sections[j])
        for _b, lengths, flags in sections:
            unit_lengths.append(lengths[flags == 1])
            gap_lengths.append(lengths[flags == 0])
    units = np.concatenate(unit_lengths)
    gaps = np.sort(np.concatenate(gap_lengths))
    big_l = float(total_length)
    observed = observed_sum / (m * (m - 1) * big_l**2)
    n_units = int(units.size)
    if n_units == 0:
        alpha = undefined("unitizing alpha", "no coder marked any unit of this code", 2)
        return UnitizingResult(alpha, observed, 0.0, 0)
    # Σ over gaps with l_gap >= l of (l_gap - l + 1), via sorted gaps and suffix sums.
    first = np.searchsorted(gaps, units, side="left")
    suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
    n_ge = gaps.size - first
    gap_term = suffix[first] - (units - 1.0) * n_ge
    within = (n_units - 1) * (2 * units**3 - 3 * units**2 + units) / 3.0
    numerator = float((within + units**2 * gap_term).sum())
    denominator = m * big_l * (m * big_l - 1) - float((units * (units - 1)).sum())
    expected = 2.0 / big_l * numerator / denominator
    if expected <= 0:
        alpha = undefined("unitizing alpha", "expected disagreement is 0", 2)
    else:
        alpha = 1.0 - observed / expected
    return UnitizingResult(alpha, observed, expected, n_units)


def unitizing_alpha_by_code(
    per_code: Mapping[str, Continuum | Iterable[Continuum]],
    *,
    coders: Sequence[str] | None = None,
    merge_overlaps: bool = False,
) -> dict[str, UnitizingResult]:
    """:func:`unitizing_alpha` for every code; pool them with :func:`pooled_unitizing_alpha`."""
    return {
        code: unitizing_alpha(c, coders=coders, merge_overlaps=merge_overlaps)
        for code, c in per_code.items()
    }


def pooled_unitizing_alpha(results: Iterable[UnitizingResult]) -> float:
    """Krippendorff's pooled ``uα = 1 - Σ_c D_o(c) / Σ_c D_e(c)`` over codes."""
    items = list(results)
    observed = sum(r.observed for r in items)
    expected = sum(r.expected for r in items)
    if expected <= 0:
        return undefined("pooled unitizing alpha", "no code has any unit", 2)
    return 1.0 - observed / expected
