"""Reliability data and intercoder-agreement coefficients.

Reliability data are a units × coders matrix: row ``u`` holds the values that the coders
assigned to unit ``u``; a missing value means that coder did not code the unit. Every
coefficient here works on that matrix (or on the per-unit category counts derived from it),
never on the rest of the package.

Undefined results (for example kappa when the expected agreement is 1) are returned as
``float("nan")`` together with a :class:`~verhalen.errors.VerhalenWarning` that says why.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Literal, get_args

import krippendorff
import numpy as np
import numpy.typing as npt
import pandas as pd

from verhalen.errors import Problem, ValidationError, VerhalenError, VerhalenWarning, location

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = get_args(Level)
FloatArray = npt.NDArray[np.float64]
_MAX_PROBLEMS = 25
_EPS = 1e-12


def undefined(name: str, reason: str, stacklevel: int = 3) -> float:
    """Warn that ``name`` is undefined because of ``reason`` and return ``nan``."""
    warnings.warn(f"{name} is undefined: {reason}. Returned nan.", VerhalenWarning, stacklevel)
    return float("nan")


def _key(value: object, missing: Collection[str]) -> float | str | None:
    """Canonical form of a cell: ``None`` if missing, a float if numeric, else stripped text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_ | int | float | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    text = str(value).strip()
    if text in missing:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _label(key: float | str) -> Any:
    """Display label for a canonical key (integral numbers become ``int``)."""
    if isinstance(key, float) and key.is_integer():
        return int(key)
    return key


@dataclass(frozen=True, eq=False)
class ReliabilityData:
    """A units × coders reliability matrix with category codes.

    Parameters
    ----------
    codes
        Float array of shape ``(n_units, n_coders)``: the index into ``categories`` of the
        value each coder gave each unit, ``nan`` where the value is missing.
    categories
        The category labels (nominal, ordinal) or numeric values (interval, ratio), in
        order; for ordinal data this order is the rank order.
    units, coders
        Names of the rows and columns.
    level
        Level of measurement the data were read at.
    source
        Where the data came from, for messages.
    """

    codes: FloatArray
    categories: tuple[Any, ...]
    units: tuple[str, ...]
    coders: tuple[str, ...]
    level: Level = "nominal"
    source: str = "<array>"

    def __post_init__(self) -> None:
        if self.codes.ndim != 2 or self.codes.shape != (len(self.units), len(self.coders)):
            raise VerhalenError(
                f"{self.source}: codes have shape {self.codes.shape}, expected "
                f"({len(self.units)} units, {len(self.coders)} coders)"
            )
        if self.level not in LEVELS:
            raise VerhalenError(f"level {self.level!r} is not one of {', '.join(LEVELS)}")
        valid = self.codes[~np.isnan(self.codes)]
        if valid.size and (valid.min() < 0 or valid.max() >= len(self.categories)):
            raise VerhalenError(f"{self.source}: a code is outside 0..{len(self.categories) - 1}")

    @property
    def n_units(self) -> int:
        """Number of units (rows), including units with fewer than two values."""
        return int(self.codes.shape[0])

    @property
    def n_coders(self) -> int:
        """Number of coders (columns)."""
        return int(self.codes.shape[1])

    def value_counts(self) -> FloatArray:
        """Per-unit category counts, shape ``(n_units, n_categories)``."""
        n, v = self.n_units, len(self.categories)
        mask = ~np.isnan(self.codes)
        rows = np.nonzero(mask)[0]
        flat = rows * v + self.codes[mask].astype(np.int64)
        return np.bincount(flat, minlength=n * v).reshape(n, v).astype(np.float64)

    def numeric_categories(self) -> FloatArray:
        """The categories as numbers (needed at the interval and ratio levels)."""
        try:
            return np.array([float(c) for c in self.categories], dtype=np.float64)
        except (TypeError, ValueError):
            raise VerhalenError(
                f"{self.source}: interval and ratio levels need numeric values, "
                f"got categories {list(self.categories)[:10]}"
            ) from None

    def take(self, indices: npt.ArrayLike) -> ReliabilityData:
        """The units at ``indices`` (repeats allowed, as in a bootstrap resample)."""
        idx = np.asarray(indices, dtype=np.int64)
        return ReliabilityData(
            self.codes[idx],
            self.categories,
            tuple(self.units[i] for i in idx),
            self.coders,
            self.level,
            self.source,
        )

    @classmethod
    def from_array(
        cls,
        matrix: npt.ArrayLike | Sequence[Sequence[Any]],
        *,
        level: Level = "nominal",
        categories: Sequence[Any] | None = None,
        units: Sequence[Any] | None = None,
        coders: Sequence[Any] | None = None,
        missing: Collection[str] = ("",),
        source: str = "<array>",
    ) -> ReliabilityData:
        """Build from a units × coders array; ``None``, ``nan`` and blank strings are missing.

        Raises
        ------
        ValidationError
            With every problem found (non-numeric value at interval level, fewer than two
            coders, no unit with two or more values, ...).
        """
        arr = np.asarray(matrix, dtype=object)
        if arr.ndim != 2:
            raise VerhalenError(f"{source}: expected a units × coders matrix, got {arr.ndim}-D")
        n, m = arr.shape
        unit_names = (
            [str(u) for u in units] if units is not None else [str(i + 1) for i in range(n)]
        )
        coder_names = (
            [str(c) for c in coders] if coders is not None else [f"coder{j + 1}" for j in range(m)]
        )
        return _build(
            arr,
            unit_names,
            coder_names,
            level,
            categories,
            missing,
            source,
            lambda i, j: f"{source} unit {unit_names[i]!r} ({coder_names[j]})",
        )

    @classmethod
    def from_dataframe(
        cls,
        frame: pd.DataFrame,
        *,
        level: Level = "nominal",
        categories: Sequence[Any] | None = None,
        unit_column: str | None = None,
        missing: Collection[str] = ("",),
        source: str = "<dataframe>",
        line_offset: int | None = None,
    ) -> ReliabilityData:
        """Build from a DataFrame whose columns are coders (``unit_column``, if given, holds
        unit ids; otherwise the index does). ``line_offset`` turns row positions into file
        line numbers for messages (used by :meth:`from_csv`)."""
        if unit_column is not None and unit_column in frame.columns:
            unit_names = [str(u) for u in frame[unit_column]]
            frame = frame.drop(columns=[unit_column])
        else:
            unit_names = [str(u) for u in frame.index]
        coder_names = [str(c) for c in frame.columns]

        def where(i: int, j: int) -> str:
            if line_offset is not None:
                return location(source, i + line_offset, coder_names[j])
            return f"{source} row {unit_names[i]!r} ({coder_names[j]})"

        arr = frame.to_numpy(dtype=object)
        return _build(arr, unit_names, coder_names, level, categories, missing, source, where)

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        *,
        level: Level = "nominal",
        categories: Sequence[Any] | None = None,
        unit_column: str | None = "unit",
        missing: Collection[str] = ("",),
        sep: str = ",",
    ) -> ReliabilityData:
        """Read a CSV with one row per unit and one column per coder; blank cells are missing.

        If the CSV has a column named ``unit_column`` it holds the unit ids; every other
        column is a coder. Messages name the file, line and coder column.
        """
        try:
            frame = pd.read_csv(
                path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig"
            )
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise VerhalenError(f"{path}: cannot read reliability CSV: {exc}") from exc
        if len(frame.columns) == 1 and ";" in str(frame.columns[0]) and sep != ";":
            raise ValidationError(
                [
                    Problem(
                        location(path, 1),
                        f"one column {frame.columns[0]!r}: the file looks "
                        "separated by ';' (as Dutch Excel saves CSV)",
                        "pass sep=';' (CLI: --sep ';')",
                    )
                ]
            )
        return cls.from_dataframe(
            frame,
            level=level,
            categories=categories,
            unit_column=unit_column,
            missing=missing,
            source=str(path),
            line_offset=2,
        )


def _build(
    arr: npt.NDArray[Any],
    units: list[str],
    coders: list[str],
    level: Level,
    categories: Sequence[Any] | None,
    missing: Collection[str],
    source: str,
    where: Callable[[int, int], str],
) -> ReliabilityData:
    """Validate cells, map them to category codes and return the data (or raise)."""
    if level not in LEVELS:
        raise VerhalenError(f"level {level!r} is not one of {', '.join(LEVELS)}")
    if len(coders) < 2:
        raise ValidationError(
            [
                Problem(
                    source,
                    f"found {len(coders)} coder column(s) {coders}; agreement needs at least 2",
                    "add one column per coder (rows = units)",
                )
            ]
        )
    problems: list[Problem] = []
    numeric_level = level in ("interval", "ratio")
    keys = np.empty(arr.shape, dtype=object)
    for (i, j), cell in np.ndenumerate(arr):
        key = _key(cell, missing)
        keys[i, j] = key
        if key is None or not numeric_level:
            continue
        if isinstance(key, str):
            problems.append(
                Problem(
                    where(i, j),
                    f"{cell!r} is not a number",
                    f"level {level!r} needs a number in every non-blank cell; leave the cell "
                    "blank if the value is missing, or use level 'nominal'",
                )
            )
        elif level == "ratio" and key < 0:
            problems.append(
                Problem(
                    where(i, j),
                    f"{cell!r} is negative",
                    "level 'ratio' needs values >= 0; use 'interval'",
                )
            )
    observed = {k for k in keys.ravel() if k is not None}
    if categories is not None:
        cat_keys = [_key(c, ()) for c in categories]
        if any(k is None for k in cat_keys) or len(set(cat_keys)) != len(cat_keys):
            raise VerhalenError(f"categories {list(categories)} contain blanks or duplicates")
        order: list[float | str] = [k for k in cat_keys if k is not None]
        if numeric_level:
            if any(isinstance(k, str) for k in order):
                raise VerhalenError(f"level {level!r} needs numeric categories, got {categories}")
            order.sort()
        labels = [_label(k) if numeric_level else c for k, c in zip(order, categories, strict=True)]
        allowed = set(order)
        for (i, j), key in np.ndenumerate(keys):
            if key is not None and key not in allowed:
                problems.append(
                    Problem(
                        where(i, j),
                        f"{arr[i, j]!r} is not one of the categories {list(categories)}",
                        "fix the value or add the category",
                    )
                )
    elif all(isinstance(k, float) for k in observed):
        order = sorted(observed)
        labels = [_label(k) for k in order]
    elif level == "ordinal":
        raise ValidationError(
            [
                Problem(
                    source,
                    "ordinal data with text labels have no known order",
                    "pass categories=[...] listing the labels from lowest to highest",
                )
            ]
        )
    else:
        order = sorted(observed, key=lambda k: (1, 0.0, k) if isinstance(k, str) else (0, k, ""))
        labels = [_label(k) for k in order]
    if len(set(units)) != len(units):
        dupes = sorted(u for u, n in Counter(units).items() if n > 1)[:5]
        problems.append(Problem(source, f"duplicate unit ids {dupes}", "give each unit one row"))
    if problems:
        extra = len(problems) - _MAX_PROBLEMS
        shown = problems[:_MAX_PROBLEMS]
        if extra > 0:
            shown.append(Problem(source, f"... and {extra} more problems like these"))
        raise ValidationError(shown, f"{len(problems)} problem(s) in reliability data {source}")
    index = {k: float(i) for i, k in enumerate(order)}
    codes = np.array(
        [[np.nan if k is None else index[k] for k in row] for row in keys], dtype=np.float64
    ).reshape(arr.shape)
    if not ((~np.isnan(codes)).sum(axis=1) >= 2).any():
        raise ValidationError(
            [
                Problem(
                    source,
                    "no unit has values from two or more coders, so agreement cannot be computed",
                    "make sure at least two coders coded the same units (blank cells are missing)",
                )
            ]
        )
    return ReliabilityData(codes, tuple(labels), tuple(units), tuple(coders), level, source)


# --------------------------------------------------------------------------- coefficients


def _pairable_agreement(counts: FloatArray) -> FloatArray:
    """Per pairable unit, the share of agreeing ordered pairs ``Σ_k n_uk(n_uk-1) / r_u(r_u-1)``."""
    r = counts.sum(axis=1)
    keep = r >= 2
    agree = (counts[keep] * (counts[keep] - 1)).sum(axis=1)
    return np.asarray(agree / (r[keep] * (r[keep] - 1)), dtype=np.float64)


def _category_shares(counts: FloatArray) -> FloatArray:
    """Gwet's ``π_k``: mean over units with ≥ 1 value of ``n_uk / r_u``."""
    r = counts.sum(axis=1)
    rated = r >= 1
    return np.asarray((counts[rated] / r[rated, None]).mean(axis=0), dtype=np.float64)


def _chance_corrected(pa: float, pe: float, name: str, why: str) -> float:
    if math.isnan(pa):
        return undefined(name, "no unit has values from two or more coders", 4)
    if 1.0 - pe < _EPS:
        return undefined(name, why, 4)
    return (pa - pe) / (1.0 - pe)


def percent_agreement(data: ReliabilityData) -> float:
    """Observed (percent) agreement.

    The mean, over units with at least two values, of the share of agreeing ordered pairs of
    values: ``p_a = (1/n') Σ_u Σ_k n_uk (n_uk - 1) / (r_u (r_u - 1))`` (Gwet 2014, *Handbook
    of Inter-Rater Reliability*, 4th ed., ch. 2, for multiple raters with missing ratings;
    for two coders it is the proportion of units on which they agree).
    """
    per_unit = _pairable_agreement(data.value_counts())
    if per_unit.size == 0:
        return undefined("percent agreement", "no unit has values from two or more coders")
    return float(per_unit.mean())


def cohen_kappa_pairs(data: ReliabilityData) -> dict[str, float]:
    """Cohen's (1960) kappa for every pair of coders, keyed ``"A|B"``.

    ``κ = (p_o - p_e) / (1 - p_e)`` with ``p_e = Σ_k p_A(k) p_B(k)`` from each coder's own
    marginals (Cohen 1960, *Educ. Psychol. Meas.* 20:37-46), computed with
    :func:`sklearn.metrics.cohen_kappa_score` on the units both coders coded.
    """
    from sklearn.metrics import cohen_kappa_score  # imported here: sklearn loads slowly

    out: dict[str, float] = {}
    v = len(data.categories)
    for a, b in combinations(range(data.n_coders), 2):
        key = f"{data.coders[a]}|{data.coders[b]}"
        x, y = data.codes[:, a], data.codes[:, b]
        both = ~np.isnan(x) & ~np.isnan(y)
        if not both.any():
            out[key] = undefined(f"Cohen's kappa {key}", "the two coders share no unit")
            continue
        xa, yb = x[both].astype(np.int64), y[both].astype(np.int64)
        pe = (
            float((np.bincount(xa, minlength=v) * np.bincount(yb, minlength=v)).sum())
            / both.sum() ** 2
        )
        if 1.0 - pe < _EPS:
            out[key] = undefined(
                f"Cohen's kappa {key}",
                "both coders used one and the same category for every shared unit "
                "(expected agreement = 1)",
            )
            continue
        out[key] = float(cohen_kappa_score(xa, yb))
    return out


def cohen_kappa(data: ReliabilityData) -> float | dict[str, float]:
    """Cohen's kappa: a float for two coders, else a dict per pair (:func:`cohen_kappa_pairs`)."""
    pairs = cohen_kappa_pairs(data)
    return next(iter(pairs.values())) if data.n_coders == 2 else pairs


def fleiss_kappa(data: ReliabilityData, *, complete_only: bool = False) -> float:
    """Fleiss' (1971) kappa for many coders.

    ``κ = (p_a - p_e) / (1 - p_e)`` with ``p_e = Σ_k π_k²`` (Fleiss 1971, *Psychol. Bull.*
    76:378-382). Units coded by different numbers of coders are handled with
    Gwet's generalisation (Gwet 2014, *Handbook*, ch. 2): ``p_a`` as in
    :func:`percent_agreement` over units with ≥ 2 values, and ``π_k`` the mean over units
    with ≥ 1 value of ``n_uk / r_u``. With complete data this *is* Fleiss (1971).
    With ``complete_only=True`` only units coded by every coder are used instead, and a
    :class:`VerhalenWarning` says how many units were dropped.
    """
    counts = data.value_counts()
    if complete_only:
        keep = counts.sum(axis=1) == data.n_coders
        dropped = int((~keep).sum())
        if dropped:
            warnings.warn(
                f"Fleiss' kappa: {dropped} unit(s) not coded by all {data.n_coders} "
                "coders were left out (complete_only=True).",
                VerhalenWarning,
                2,
            )
        counts = counts[keep]
    per_unit = _pairable_agreement(counts)
    pa = float(per_unit.mean()) if per_unit.size else float("nan")
    pe = float((_category_shares(counts) ** 2).sum()) if counts.size else 1.0
    return _chance_corrected(
        pa, pe, "Fleiss' kappa", "every value is the same category (expected agreement = 1)"
    )


def gwet_ac1(data: ReliabilityData, *, q: int | None = None) -> float:
    """Gwet's AC1 for any number of coders with missing values.

    ``AC1 = (p_a - p_e) / (1 - p_e)`` with ``p_e = (1/(q-1)) Σ_k π_k (1 - π_k)``, ``p_a``
    and ``π_k`` as in :func:`fleiss_kappa` (Gwet 2008, *Br. J. Math. Stat. Psychol.*
    61:29-48; multi-rater form with missing ratings: Gwet 2014, *Handbook*, ch. 2, as in
    Gwet's R package irrCAC). ``q`` defaults to the number of categories.
    """
    q = len(data.categories) if q is None else q
    if q < len(data.categories):
        raise VerhalenError(f"q = {q} is smaller than the {len(data.categories)} categories")
    if q < 2:
        return undefined("Gwet's AC1", f"it needs at least 2 categories, q = {q}")
    counts = data.value_counts()
    per_unit = _pairable_agreement(counts)
    pa = float(per_unit.mean()) if per_unit.size else float("nan")
    pi = _category_shares(counts)
    pe = float((pi * (1 - pi)).sum()) / (q - 1)
    return _chance_corrected(pa, pe, "Gwet's AC1", "expected agreement = 1")


def brennan_prediger(data: ReliabilityData, *, q: int | None = None) -> float:
    """Brennan & Prediger's (1981) free-marginal kappa.

    ``κ_BP = (p_a - 1/q) / (1 - 1/q)`` (Brennan & Prediger 1981, *Educ. Psychol. Meas.*
    41:687-699), with ``p_a`` as in :func:`percent_agreement` and ``q`` the number
    of categories a coder could choose from (default: ``len(data.categories)``).
    """
    v = len(data.categories)
    q = v if q is None else q
    if q < v:
        raise VerhalenError(f"q = {q} is smaller than the {v} categories present in the data")
    if q < 2:
        return undefined("Brennan-Prediger kappa", f"it needs at least 2 categories, q = {q}")
    per_unit = _pairable_agreement(data.value_counts())
    pa = float(per_unit.mean()) if per_unit.size else float("nan")
    return _chance_corrected(pa, 1.0 / q, "Brennan-Prediger kappa", "q < 2")


def general_alpha(
    value_counts: npt.ArrayLike, distances: npt.ArrayLike, name: str = "alpha"
) -> float:
    """Krippendorff's alpha from per-unit value counts and any distance matrix.

    ``α = 1 - D_o / D_e`` with the coincidences ``o_ck = Σ_u (n_uc n_uk - [c=k] n_uc) /
    (m_u - 1)`` over units with ``m_u ≥ 2`` values, ``D_o = Σ o_ck δ_ck / n`` and
    ``D_e = Σ n_c (n_k - [c=k]) δ_ck / (n (n - 1))`` (Krippendorff 2011, "Computing
    Krippendorff's alpha-reliability"; 2004, *Content Analysis*, 2nd ed., ch. 11).
    """
    counts = np.asarray(value_counts, dtype=np.float64)
    delta = np.asarray(distances, dtype=np.float64)
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    if counts.size == 0:
        return undefined(name, "no unit has values from two or more coders")
    weighted = counts / (m - 1)[:, None]
    o = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = o.sum(axis=0)
    n = float(n_c.sum())
    d_o = float((o * delta).sum()) / n
    e = np.outer(n_c, n_c) - np.diag(n_c)
    d_e = float((e * delta).sum()) / (n * (n - 1))
    if d_e < _EPS:
        return undefined(name, "all pairable values are equal, so expected disagreement is 0")
    return 1.0 - d_o / d_e


def krippendorff_alpha(data: ReliabilityData, level: Level | None = None) -> float:
    """Krippendorff's alpha at the nominal, ordinal, interval or ratio level.

    ``α = 1 - D_o / D_e`` with the difference functions of Krippendorff (2011, "Computing
    Krippendorff's alpha-reliability"): nominal ``δ = [c ≠ k]``, ordinal the
    rank-based ``δ = (Σ_{g=c}^{k} n_g - (n_c + n_k)/2)²``, interval ``(c - k)²``, ratio
    ``((c - k)/(c + k))²``. Computed with the ``krippendorff`` package (whose input is
    coders × units; we pass per-unit value counts, so no transposition is involved).
    """
    level = data.level if level is None else level
    if level not in LEVELS:
        raise VerhalenError(f"level {level!r} is not one of {', '.join(LEVELS)}")
    counts = data.value_counts()
    counts = counts[counts.sum(axis=1) >= 2]
    name = f"Krippendorff's alpha ({level})"
    if counts.size == 0:
        return undefined(name, "no unit has values from two or more coders")
    if int((counts.sum(axis=0) > 0).sum()) < 2:
        return undefined(name, "all pairable values are the same, so expected disagreement is 0")
    domain = (
        data.numeric_categories()
        if level in ("interval", "ratio")
        else np.arange(len(data.categories))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        value = krippendorff.alpha(
            value_counts=counts, value_domain=domain, level_of_measurement=level
        )
    return float(value)


def n_pairable_values(data: ReliabilityData) -> int:
    """Krippendorff's ``n``: the number of values in units that have at least two values."""
    m = (~np.isnan(data.codes)).sum(axis=1)
    return int(m[m >= 2].sum())


def all_coefficients(
    data: ReliabilityData, level: Level | None = None, *, q: int | None = None
) -> dict[str, Any]:
    """Every coefficient for one reliability table.

    Parameters
    ----------
    data
        The reliability data.
    level
        Level for Krippendorff's alpha (default: the level the data were read at). The
        other coefficients treat the values as categories.
    q
        Number of possible categories for Brennan-Prediger and AC1 (default: observed).

    Returns
    -------
    dict
        Keys ``percent_agreement``, ``krippendorff_alpha``, ``fleiss_kappa``,
        ``cohen_kappa`` (a float for two coders, else a dict keyed ``"A|B"``), ``gwet_ac1``,
        ``brennan_prediger``, ``n_units`` (rows), ``n_coders`` and ``n_pairable_values``.
        Undefined values are ``nan``; use :func:`to_json_dict` before serialising.
    """
    return {
        "percent_agreement": percent_agreement(data),
        "krippendorff_alpha": krippendorff_alpha(data, level),
        "fleiss_kappa": fleiss_kappa(data),
        "cohen_kappa": cohen_kappa(data),
        "gwet_ac1": gwet_ac1(data, q=q),
        "brennan_prediger": brennan_prediger(data, q=q),
        "n_units": data.n_units,
        "n_coders": data.n_coders,
        "n_pairable_values": n_pairable_values(data),
    }


def to_json_dict(value: Any) -> Any:
    """Recursively make ``value`` JSON-ready: ``nan`` becomes ``None``, numpy scalars Python."""
    if isinstance(value, dict):
        return {str(k): to_json_dict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_dict(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
