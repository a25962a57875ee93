"""Seeded bootstrap confidence intervals that resample units.

Each replicate draws ``n_units`` units with replacement (a numpy ``Generator``; the same
seed gives the same intervals), recomputes the coefficient, and the interval is the
percentile interval of the replicates where the coefficient is defined. Replicates in
which a coefficient is undefined (e.g. no variation) are left out and counted in
``n_valid``. Resampling *units* keeps each unit's values together; note that
Krippendorff's own bootstrap for alpha (Hayes & Krippendorff 2007) resamples pairable
values instead, so its intervals differ somewhat.

:func:`bootstrap_ci` works for any coefficient (slow: one full computation per replicate).
:func:`bootstrap_binary` is the fast path for per-code presence/absence data: it computes
per-unit sufficient statistics once (for nominal alpha each unit's coincidence
contribution ``n_0 n_1 / (m - 1)``, its pairable values and its 1s; for percent agreement
each unit's share of agreeing pairs; for Fleiss, AC1 and Brennan-Prediger each unit's share
of 1s), and a replicate is then a weighted sum: the (B × n_units) matrix of resampling counts
times the (n_units × statistics) matrix, done in chunks of replicates to bound memory. Both
paths draw the same unit indices from the same seed, so they give identical replicates.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from verhalen.agreement import coefficients as coef
from verhalen.agreement.coefficients import FloatArray, ReliabilityData
from verhalen.errors import VerhalenError, VerhalenWarning

Seed = int | np.random.Generator | None
Statistic = str | Callable[[ReliabilityData], float]
FAST_STATISTICS = (
    "krippendorff_alpha",
    "percent_agreement",
    "fleiss_kappa",
    "gwet_ac1",
    "brennan_prediger",
)
_SLOW: dict[str, Callable[[ReliabilityData], Any]] = {
    "percent_agreement": coef.percent_agreement,
    "krippendorff_alpha": coef.krippendorff_alpha,
    "fleiss_kappa": coef.fleiss_kappa,
    "gwet_ac1": coef.gwet_ac1,
    "brennan_prediger": coef.brennan_prediger,
    "cohen_kappa": coef.cohen_kappa,
}
_CELLS_PER_CHUNK = 1 << 24  # resampling cells (replicates × units) held at once


@dataclass(frozen=True)
class BootstrapResult:
    """A coefficient with its bootstrap percentile interval."""

    estimate: float
    low: float
    high: float
    confidence: float
    n_boot: int
    n_valid: int
    replicates: FloatArray = field(repr=False)

    def to_dict(self) -> dict[str, float | int | None]:
        """JSON-ready summary (``nan`` becomes ``None``; replicates are left out)."""
        out = {k: getattr(self, k) for k in ("estimate", "low", "high", "confidence")}
        clean: dict[str, float | int | None] = {
            k: (None if math.isnan(v) else float(v)) for k, v in out.items()
        }
        clean.update(n_boot=self.n_boot, n_valid=self.n_valid)
        return clean


def chunk_rows(n_units: int) -> int:
    """Replicates per chunk, so a chunk holds about 16 million resampling cells."""
    return max(1, min(1000, _CELLS_PER_CHUNK // max(n_units, 1)))


def resample_indices(
    rng: np.random.Generator, n_units: int, n_boot: int, rows: int | None = None
) -> Iterator[npt.NDArray[np.int64]]:
    """Yield (chunk × n_units) arrays of unit indices drawn with replacement."""
    rows = chunk_rows(n_units) if rows is None else rows
    for start in range(0, n_boot, rows):
        yield rng.integers(0, n_units, size=(min(rows, n_boot - start), n_units))


def _percentile(
    estimate: float, reps: FloatArray, confidence: float, n_boot: int, name: str
) -> BootstrapResult:
    valid = reps[~np.isnan(reps)]
    if valid.size == 0:
        warnings.warn(
            f"bootstrap interval for {name} is undefined: the coefficient was undefined in "
            "every replicate. Returned nan.",
            VerhalenWarning,
            3,
        )
        low = high = float("nan")
    else:
        tail = (1.0 - confidence) / 2.0
        low, high = (float(x) for x in np.quantile(valid, [tail, 1.0 - tail]))
    return BootstrapResult(estimate, low, high, confidence, n_boot, int(valid.size), reps)


def _check(n_boot: int, confidence: float) -> None:
    if n_boot < 1:
        raise VerhalenError(f"n_boot must be at least 1, got {n_boot}")
    if not 0.0 < confidence < 1.0:
        raise VerhalenError(f"confidence must be between 0 and 1, got {confidence}")


def bootstrap_ci(
    data: ReliabilityData,
    statistic: Statistic = "krippendorff_alpha",
    *,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: Seed = None,
    rows_per_chunk: int | None = None,
) -> BootstrapResult:
    """Percentile bootstrap interval for any coefficient, resampling units.

    Parameters
    ----------
    data
        The reliability data.
    statistic
        A name (``percent_agreement``, ``krippendorff_alpha``, ``fleiss_kappa``,
        ``gwet_ac1``, ``brennan_prediger``, or ``cohen_kappa`` for two coders) or any
        function ``ReliabilityData -> float``.
    n_boot, confidence, seed
        Number of replicates, interval coverage, and an ``int`` seed or a ``Generator``.
    rows_per_chunk
        Replicates drawn per call of the generator (default :func:`chunk_rows`); keep it
        equal to the fast path's to reproduce its replicates exactly.
    """
    _check(n_boot, confidence)
    func = _SLOW[statistic] if isinstance(statistic, str) else statistic
    name = statistic if isinstance(statistic, str) else getattr(func, "__name__", "statistic")
    estimate = func(data)
    if not isinstance(estimate, float):
        raise VerhalenError(f"{name} does not return one number for this data; pick one pair")
    rng = np.random.default_rng(seed)
    reps = np.empty(n_boot)
    pos = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerhalenWarning)
        for chunk in resample_indices(rng, data.n_units, n_boot, rows_per_chunk):
            for idx in chunk:
                reps[pos] = func(data.take(idx))
                pos += 1
    return _percentile(estimate, reps, confidence, n_boot, name)


_PER_CODE = [1, 2, 3, 5]  # statistics that depend on the code
_SHARED = [0, 4, 6]  # statistics that depend only on which coders coded the unit


def _unit_statistics(presence: FloatArray) -> tuple[FloatArray, bool]:
    """Per-unit sufficient statistics as a C-contiguous (columns × n_units) matrix.

    Statistics (per code): 0 pairable values, 1 pairable 1s, 2 the unit's coincidence
    ``n_0 n_1 / (m - 1)``, 3 share of agreeing pairs, 4 pairable unit, 5 share of 1s
    (Gwet's ``π_1``), 6 rated unit. When every code has the same missing cells (the
    multi-label case), statistics 0, 4 and 6 are stored once instead of once per code.
    """
    coded = ~np.isnan(presence)
    shared = bool((coded == coded[:, :, :1]).all())
    m = coded.sum(axis=1).T.astype(np.float64)  # (n_codes, n_units)
    ones = np.where(coded, presence, 0.0).sum(axis=1).T
    zeros = m - ones
    pair = m >= 2
    rated = m >= 1
    stats = np.zeros((7, *m.shape))
    stats[0] = np.where(pair, m, 0.0)
    stats[1] = np.where(pair, ones, 0.0)
    stats[2] = np.where(pair, zeros * ones / np.where(pair, m - 1, 1.0), 0.0)
    agree = ones * (ones - 1) + zeros * (zeros - 1)
    stats[3] = np.where(pair, agree / np.where(pair, m * (m - 1), 1.0), 0.0)
    stats[4] = pair
    stats[5] = np.where(rated, ones / np.where(rated, m, 1.0), 0.0)
    stats[6] = rated
    n_units = presence.shape[0]
    if shared:
        matrix = np.concatenate([stats[_PER_CODE].reshape(-1, n_units), stats[_SHARED, 0]])
    else:
        matrix = stats.reshape(-1, n_units)
    return np.ascontiguousarray(matrix), shared


def _expand(sums: FloatArray, n_codes: int, shared: bool) -> FloatArray:
    """(columns × replicates) sums back to (replicates, 7, n_codes)."""
    rows = sums.shape[1]
    if not shared:
        return np.ascontiguousarray(sums.reshape(7, n_codes, rows).transpose(2, 0, 1))
    out = np.empty((rows, 7, n_codes))
    out[:, _PER_CODE, :] = sums[: 4 * n_codes].reshape(4, n_codes, rows).transpose(2, 0, 1)
    out[:, _SHARED, :] = sums[4 * n_codes :].T[:, :, None]
    return out


def _coefficients_from_sums(sums: FloatArray) -> dict[str, FloatArray]:
    """Coefficients per replicate and code from summed statistics (…, 7, n_codes)."""
    n, n1, o01, agree, units, share1, rated = (sums[..., k, :] for k in range(7))
    with np.errstate(divide="ignore", invalid="ignore"):
        n0 = n - n1
        alpha = np.where(n0 * n1 > 0, 1.0 - (n - 1.0) * o01 / (n0 * n1), np.nan)
        pa = np.where(units > 0, agree / units, np.nan)
        pi1 = np.where(rated > 0, share1 / rated, np.nan)
        pe_fleiss = pi1**2 + (1.0 - pi1) ** 2
        pe_ac1 = 2.0 * pi1 * (1.0 - pi1)  # Σ π_k(1-π_k) / (q-1) with q = 2
        fleiss = np.where(1.0 - pe_fleiss > 1e-12, (pa - pe_fleiss) / (1.0 - pe_fleiss), np.nan)
        ac1 = (pa - pe_ac1) / (1.0 - pe_ac1)
        bp = 2.0 * pa - 1.0  # (p_a - 1/2) / (1 - 1/2)
    return {
        "krippendorff_alpha": alpha,
        "percent_agreement": pa,
        "fleiss_kappa": fleiss,
        "gwet_ac1": ac1,
        "brennan_prediger": bp,
    }


def _as_presence(
    data: npt.ArrayLike | Mapping[str, ReliabilityData], codes: Sequence[str] | None
) -> tuple[FloatArray, list[str]]:
    if isinstance(data, Mapping):
        names = list(data)
        for name, item in data.items():
            if tuple(item.categories) != (0, 1):
                raise VerhalenError(f"code {name!r}: fast bootstrap needs categories (0, 1)")
        arr = np.stack([data[c].codes for c in names], axis=2)
    else:
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        names = (
            [str(c) for c in codes] if codes is not None else [str(k) for k in range(arr.shape[2])]
        )
    valid = arr[~np.isnan(arr)]
    if arr.ndim != 3 or len(names) != arr.shape[2] or np.any((valid != 0) & (valid != 1)):
        raise VerhalenError(
            "fast bootstrap needs a (units × coders × codes) array of 0, 1 and nan, with one "
            f"name per code; got shape {arr.shape} and {len(names)} names"
        )
    return arr, names


def bootstrap_binary(
    presence: npt.ArrayLike | Mapping[str, ReliabilityData],
    *,
    codes: Sequence[str] | None = None,
    statistics: Sequence[str] = FAST_STATISTICS,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: Seed = None,
    rows_per_chunk: int | None = None,
) -> dict[str, dict[str, BootstrapResult]]:
    """Fast bootstrap intervals for per-code binary (presence/absence) data.

    Parameters
    ----------
    presence
        A (units × coders × codes) array of 1/0/``nan`` (see
        :func:`verhalen.agreement.multilabel.presence_array`), or the mapping returned by
        :func:`verhalen.agreement.multilabel.binary_reliability_data`.
    codes
        Names of the codes along the last axis (array input only).
    statistics
        Any of ``krippendorff_alpha`` (nominal), ``percent_agreement``, ``fleiss_kappa``,
        ``gwet_ac1``, ``brennan_prediger`` (the last two with q = 2).
    n_boot, confidence, seed, rows_per_chunk
        As in :func:`bootstrap_ci` (same seed and chunking give identical replicates).

    Returns
    -------
    dict
        ``{code: {statistic: BootstrapResult}}``.

    Notes
    -----
    Measured once on the 2-core development machine (OpenBLAS, float64): 100,000 units ×
    4 coders × 50 codes with 1,000 replicates and all five statistics took 4.7-5.2 s
    (unit statistics 1.0 s, index draws 1.0 s, bincount 1.0 s, matrix products 1.7 s),
    and about 6.3 s when codes have different missing cells. The slow path needs about
    0.1 s per replicate, code and statistic there: roughly 6-7 hours for the same job.
    Peak extra memory is about 1 GB (chunks of 2^24 resampling cells).
    """
    _check(n_boot, confidence)
    unknown = [s for s in statistics if s not in FAST_STATISTICS]
    if unknown:
        raise VerhalenError(f"fast bootstrap supports {FAST_STATISTICS}, not {unknown}")
    arr, names = _as_presence(presence, codes)
    n_units, _, n_codes = arr.shape
    matrix, shared = _unit_statistics(arr)
    estimates = _coefficients_from_sums(_expand(matrix.sum(axis=1)[:, None], n_codes, shared))
    rng = np.random.default_rng(seed)
    reps = {s: np.empty((n_boot, n_codes)) for s in statistics}
    pos = 0
    for idx in resample_indices(rng, n_units, n_boot, rows_per_chunk):
        rows = idx.shape[0]
        idx += (np.arange(rows) * n_units)[:, None]  # one bincount for the whole chunk
        counts = np.bincount(idx.ravel(), minlength=rows * n_units)
        weights = counts.reshape(rows, n_units).astype(np.float64)
        # (columns × units) @ (units × replicates): this orientation is the fast one in BLAS
        values = _coefficients_from_sums(_expand(matrix @ weights.T, n_codes, shared))
        for s in statistics:
            reps[s][pos : pos + rows] = values[s]
        pos += rows
    estimates = {s: v[0] for s, v in estimates.items()}
    undefined = sorted(
        {
            f"{s} for {names[k]!r}"
            for s in statistics
            for k in np.flatnonzero(np.isnan(estimates[s]))
        }
    )
    if undefined:
        warnings.warn(
            f"undefined (no variation or no pairable unit), returned nan: {', '.join(undefined)}",
            VerhalenWarning,
            2,
        )
    out: dict[str, dict[str, BootstrapResult]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerhalenWarning)
        for k, name in enumerate(names):
            out[name] = {
                s: _percentile(float(estimates[s][k]), reps[s][:, k].copy(), confidence, n_boot, s)
                for s in statistics
            }
    return out
