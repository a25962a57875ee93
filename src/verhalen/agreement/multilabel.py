"""Multi-label coding: several codes per unit per coder, and diagnostics per code.

Input is a mapping ``{(unit, coder): set_of_codes}``. A key present with an empty set means
the coder coded the unit and applied none of the codes; a missing key means the coder did
not code the unit at all (a missing value).

Two views are offered:

* per code, binary presence/absence reliability data (:func:`binary_reliability_data`,
  :func:`presence_array`), to which every coefficient of
  :mod:`verhalen.agreement.coefficients` applies;
* the whole code set as one set-valued variable, with Krippendorff's alpha using a set
  distance (:func:`set_alpha` with :func:`jaccard_distance` or :func:`masi_distance`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from verhalen.agreement.coefficients import (
    FloatArray,
    ReliabilityData,
    all_coefficients,
    general_alpha,
)
from verhalen.errors import Problem, ValidationError, VerhalenError, VerhalenWarning

Assignments = Mapping[tuple[Any, Any], Collection[Any]]
SetDistance = Callable[[frozenset[Any], frozenset[Any]], float]


def _ordered(items: Iterable[Hashable]) -> list[Hashable]:
    """Unique items in order of first appearance."""
    return list(dict.fromkeys(items))


def presence_array(
    assignments: Assignments,
    codes: Sequence[Hashable] | None = None,
    *,
    units: Sequence[Hashable] | None = None,
    coders: Sequence[Hashable] | None = None,
) -> tuple[FloatArray, list[Hashable], list[Hashable], list[Hashable]]:
    """Presence/absence array of shape ``(n_units, n_coders, n_codes)``.

    Cells are 1 (coder applied the code to the unit), 0 (coder coded the unit but not with
    this code) or ``nan`` (coder did not code the unit). Codes not in ``codes`` are ignored.

    Returns
    -------
    tuple
        ``(array, units, coders, codes)`` with the orders used along each axis (order of
        first appearance unless given; codes sorted by their text if not given).
    """
    unit_list = list(units) if units is not None else _ordered(u for u, _ in assignments)
    coder_list = list(coders) if coders is not None else _ordered(c for _, c in assignments)
    if codes is None:
        all_codes = {code for found in assignments.values() for code in found}
        code_list: list[Hashable] = sorted(all_codes, key=str)
    else:
        code_list = list(codes)
    unit_index = {u: i for i, u in enumerate(unit_list)}
    coder_index = {c: j for j, c in enumerate(coder_list)}
    code_index = {k: i for i, k in enumerate(code_list)}
    array = np.full((len(unit_list), len(coder_list), len(code_list)), np.nan)
    for (unit, coder), found in assignments.items():
        if unit not in unit_index or coder not in coder_index:
            raise VerhalenError(
                f"assignment for unit {unit!r} by coder {coder!r}: the unit or coder is not in "
                "the units/coders given; add it or leave units/coders unset"
            )
        i, j = unit_index[unit], coder_index[coder]
        array[i, j, :] = 0.0
        for code in found:
            if code in code_index:
                array[i, j, code_index[code]] = 1.0
    return array, unit_list, coder_list, code_list


def presence_from_frame(
    frame: pd.DataFrame,
    codes: Sequence[Hashable],
    *,
    unit: str = "segment_id",
    coder: str = "coder",
    code: str = "code_id",
) -> tuple[FloatArray, list[Hashable], list[Hashable], list[Hashable]]:
    """:func:`presence_array` from a table of codings (one row per unit, coder and code).

    The vectorised path for large coded stores (e.g.
    :meth:`verhalen.coding.store.CodedStore.dataframe`): no Python set per unit. Units and
    coders are ordered by first appearance, as in :func:`presence_array`; a coder who coded a
    unit with codes outside ``codes`` only still counts as having coded it (zeros).

    Parameters
    ----------
    frame
        Codings with the columns named by ``unit``, ``coder`` and ``code``.
    codes
        The codes along the last axis.

    Returns
    -------
    tuple
        ``(array, units, coders, codes)`` exactly as :func:`presence_array` returns them.
    """
    missing = [c for c in (unit, coder, code) if c not in frame.columns]
    if missing:
        raise VerhalenError(
            f"presence_from_frame: column(s) {', '.join(missing)} missing — the table has "
            f"{', '.join(map(str, frame.columns))}"
        )
    unit_codes, unit_list = pd.factorize(frame[unit], sort=False)
    coder_codes, coder_list = pd.factorize(frame[coder], sort=False)
    code_list = list(codes)
    code_index = pd.Index(code_list).get_indexer(pd.Index(frame[code]))
    array = np.full((len(unit_list), len(coder_list), len(code_list)), np.nan)
    array[unit_codes, coder_codes, :] = 0.0
    known = code_index >= 0
    array[unit_codes[known], coder_codes[known], code_index[known]] = 1.0
    return array, list(unit_list), list(coder_list), code_list


def binary_reliability_data(
    assignments: Assignments,
    codes: Sequence[Hashable] | None = None,
    *,
    units: Sequence[Hashable] | None = None,
    coders: Sequence[Hashable] | None = None,
) -> dict[str, ReliabilityData]:
    """Per code, binary (0 = absent, 1 = present) nominal reliability data.

    Raises
    ------
    ValidationError
        If fewer than two coders occur or no unit was coded by two or more coders.
    """
    array, unit_list, coder_list, code_list = presence_array(
        assignments, codes, units=units, coders=coders
    )
    if len(coder_list) < 2:
        raise ValidationError(
            [Problem("multi-label codings", f"found coder(s) {coder_list}; need at least 2")]
        )
    coded = ~np.isnan(array[:, :, 0]) if code_list else np.zeros((0, 0), dtype=bool)
    if not code_list or not (coded.sum(axis=1) >= 2).any():
        raise ValidationError(
            [
                Problem(
                    "multi-label codings",
                    "no unit was coded by two or more coders (or no codes were found)",
                    "have at least two coders code the same segments",
                )
            ]
        )
    unit_names = tuple(str(u) for u in unit_list)
    coder_names = tuple(str(c) for c in coder_list)
    return {
        str(code): ReliabilityData(
            np.ascontiguousarray(array[:, :, k]),
            (0, 1),
            unit_names,
            coder_names,
            "nominal",
            f"code {code!r}",
        )
        for k, code in enumerate(code_list)
    }


def jaccard_distance(a: frozenset[Any], b: frozenset[Any]) -> float:
    """Jaccard distance ``1 - |a ∩ b| / |a ∪ b|`` (two empty sets are identical: 0)."""
    union = len(a | b)
    return 0.0 if union == 0 else 1.0 - len(a & b) / union


def masi_distance(a: frozenset[Any], b: frozenset[Any]) -> float:
    """MASI distance ``1 - J · M`` (Passonneau 2006, LREC, "Measuring agreement on
    set-valued items (MASI) for semantic and pragmatic annotation").

    ``J`` is the Jaccard coefficient and the monotonicity weight ``M`` is 1 if the sets are
    equal, 2/3 if one is a subset of the other, 1/3 if they overlap otherwise and 0 if they
    are disjoint. (NLTK rounds these weights to .67 and .33; here they are exact.)
    """
    if a == b:
        return 0.0
    common = len(a & b)
    if common == 0:
        return 1.0
    weight = 2.0 / 3.0 if (a <= b or b <= a) else 1.0 / 3.0
    return 1.0 - (common / len(a | b)) * weight


_DISTANCES: dict[str, SetDistance] = {"jaccard": jaccard_distance, "masi": masi_distance}


def set_alpha(
    assignments: Assignments,
    distance: Literal["jaccard", "masi"] | SetDistance = "masi",
    *,
    codes: Collection[Hashable] | None = None,
) -> float:
    """Krippendorff's alpha for set-valued codings with a pluggable set distance.

    Each (unit, coder) value is the set of codes applied (restricted to ``codes`` if given;
    the empty set is a value: "coded, nothing applies"). Alpha is Krippendorff's general
    form ``1 - D_o / D_e`` over pairable values (see
    :func:`verhalen.agreement.coefficients.general_alpha`) with ``δ = distance(a, b)``.
    With singleton sets both Jaccard and MASI reduce to the nominal 0/1 distance, so the
    result equals nominal alpha. Distinct sets ``V`` cost ``V²`` distance calls.
    """
    metric = _DISTANCES[distance] if isinstance(distance, str) else distance
    keep = None if codes is None else frozenset(codes)
    values = {
        key: frozenset(found) if keep is None else frozenset(found) & keep
        for key, found in assignments.items()
    }
    units = _ordered(u for u, _ in values)
    distinct: list[frozenset[Any]] = list(dict.fromkeys(values.values()))
    unit_index = {u: i for i, u in enumerate(units)}
    value_index = {v: k for k, v in enumerate(distinct)}
    counts = np.zeros((len(units), len(distinct)))
    for (unit, _coder), value in values.items():
        counts[unit_index[unit], value_index[value]] += 1
    delta = np.array([[metric(a, b) for b in distinct] for a in distinct], dtype=np.float64)
    name = f"set-valued alpha ({getattr(metric, '__name__', 'distance')})"
    return general_alpha(counts, delta.reshape(len(distinct), len(distinct)), name)


# --------------------------------------------------------------------------- diagnostics


@dataclass(frozen=True)
class AgreementWarning:
    """Why an agreement figure may not be meaningful, in words fit for a report.

    Attributes
    ----------
    code
        The code (variable) concerned, or ``None`` for the table as a whole.
    kind
        Machine-readable kind: ``too_few_units``, ``code_never_used``, ``code_always_used``,
        ``single_category``, ``rare_code``, ``prevalence_paradox``, ``unequal_coders`` or
        ``undefined``.
    message
        Plain-English explanation.
    """

    code: str | None
    kind: str
    message: str

    def to_dict(self) -> dict[str, str | None]:
        """The warning as a JSON-ready dict."""
        return {"code": self.code, "kind": self.kind, "message": self.message}


_NAMES = {
    "percent_agreement": "percent agreement",
    "krippendorff_alpha": "Krippendorff's alpha",
    "fleiss_kappa": "Fleiss' kappa",
    "cohen_kappa": "Cohen's kappa",
    "gwet_ac1": "Gwet's AC1",
    "brennan_prediger": "Brennan-Prediger kappa",
}


def diagnose(
    data: ReliabilityData,
    *,
    code: str | None = None,
    coefficients: Mapping[str, Any] | None = None,
    min_units: int = 10,
    paradox_agreement: float = 0.85,
    paradox_kappa: float = 0.40,
    rare_share: float = 0.05,
) -> list[AgreementWarning]:
    """Structured warnings for figures that are not meaningful.

    Checks: fewer than ``min_units`` units coded by two or more coders; a code never used
    or always used by every coder (binary data) or only one category used; a rare code
    (binary prevalence below ``rare_share`` or above ``1 - rare_share``); the prevalence
    paradox (percent agreement ≥ ``paradox_agreement`` while kappa or alpha <
    ``paradox_kappa``); units coded by different numbers of coders (Fleiss' kappa then uses
    Gwet's generalisation); and any undefined coefficient. ``coefficients`` is the output of
    :func:`all_coefficients` (computed, silently, if not given).
    """
    out: list[AgreementWarning] = []
    what = f"code {code!r}" if code is not None else "this table"

    def add(kind: str, *parts: str) -> None:
        out.append(AgreementWarning(code, kind, " ".join(parts)))

    if coefficients is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VerhalenWarning)
            coefficients = all_coefficients(data)
    counts = data.value_counts()
    per_unit = counts.sum(axis=1)
    pairable = per_unit >= 2
    n_pairable = int(pairable.sum())
    if n_pairable < min_units:
        add(
            "too_few_units",
            f"Only {n_pairable} unit(s) of {what} were coded by two or more coders.",
            f"With fewer than {min_units} units the agreement figures are very uncertain;",
            "code more units in common before drawing conclusions.",
        )
    used = counts[pairable].sum(axis=0)
    binary = tuple(data.categories) == (0, 1)
    n_values = float(used.sum())
    if int((used > 0).sum()) == 1:
        if binary and used[0] > 0:
            add(
                "code_never_used",
                f"No coder applied {what} to any unit they coded in common, so kappa and",
                "alpha cannot be computed: there is nothing to agree or disagree about.",
            )
        elif binary:
            add(
                "code_always_used",
                f"Every coder applied {what} to every unit they coded in common, so kappa",
                "and alpha cannot be computed: there is no variation to agree about.",
            )
        else:
            only = data.categories[int(np.argmax(used))]
            add(
                "single_category",
                f"All coders chose the same value ({only!r}) for every unit of {what};",
                "kappa and alpha are undefined without variation.",
            )
    elif binary and n_values and float(used.min()) / n_values < rare_share:
        present = used[1] < used[0]
        add(
            "rare_code",
            f"{what[0].upper() + what[1:]} is {'present' if present else 'absent'} in only",
            f"{used.min():.0f} of {n_values:.0f} coded values ({used.min() / n_values:.1%}).",
            "Kappa and alpha are unstable for such rare decisions: a single disagreement",
            "more or less moves them a lot.",
        )
    pa = coefficients.get("percent_agreement", float("nan"))
    keys = ["krippendorff_alpha", "fleiss_kappa"] + (["cohen_kappa"] if data.n_coders == 2 else [])
    low = {k: float(v) for k in keys if isinstance(v := coefficients.get(k), float) and v == v}
    if pa == pa and pa >= paradox_agreement and low and min(low.values()) < paradox_kappa:
        worst = min(low, key=lambda k: low[k])
        add(
            "prevalence_paradox",
            f"Coders agree on {pa:.0%} of comparisons for {what}, yet {_NAMES[worst]} is",
            f"only {low[worst]:.2f}. This is the prevalence paradox: when one answer",
            "(usually 'code absent') dominates, agreement by chance is already very high,",
            "so kappa and alpha stay low even though coders rarely disagree. Report percent",
            "agreement and how often the code occurs next to kappa/alpha; Gwet's AC1 is",
            "less affected.",
        )
    if len(set(per_unit[pairable].tolist())) > 1:
        add(
            "unequal_coders",
            f"Units of {what} were coded by different numbers of coders. Fleiss' kappa then",
            "uses Gwet's generalisation for missing ratings, which equals Fleiss (1971)",
            "when every unit is coded by all coders.",
        )
    bad = [_NAMES[k] for k in _NAMES if _is_nan(coefficients.get(k))]
    if bad:
        add(
            "undefined",
            f"Could not compute {', '.join(bad)} for {what}; these are reported as empty",
            "(see the other notes for the reason).",
        )
    return out


def _is_nan(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_is_nan(v) for v in value.values())
    return isinstance(value, float) and value != value


def diagnose_codes(
    per_code: Mapping[str, ReliabilityData], **options: Any
) -> list[AgreementWarning]:
    """:func:`diagnose` for every code of :func:`binary_reliability_data`, concatenated."""
    return [w for code, data in per_code.items() for w in diagnose(data, code=code, **options)]
