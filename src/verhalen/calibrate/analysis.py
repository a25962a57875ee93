"""Agreement of a calibration round, per code and overall, from a list of codings.

All statistics come from :mod:`verhalen.agreement`; this module only shapes the round's
codings into reliability data and collects the results:

* per code, binary presence/absence data (was the code applied to the segment?) with
  percent agreement, Krippendorff's alpha, Fleiss' kappa, Gwet's AC1 and Brennan-Prediger
  and their seeded bootstrap intervals (:func:`~verhalen.agreement.bootstrap_binary`), plus
  Cohen's kappa for each pair of coders;
* overall, the same coefficients on all code decisions together (every segment × code),
  with intervals from a bootstrap that resamples *segments* (the decisions on one segment
  stay together), and Krippendorff's alpha for the whole code set per segment with the MASI
  distance;
* unitizing alpha ``uα`` per code when codings carry their own spans (start/end);
* notes, in Dutch, on figures that are not meaningful (:func:`~verhalen.agreement.diagnose`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verhalen.agreement import (
    BootstrapResult,
    ReliabilityData,
    all_coefficients,
    binary_reliability_data,
    bootstrap_binary,
    bootstrap_ci,
    cohen_kappa_pairs,
    diagnose,
    fleiss_kappa,
    general_alpha,
    gwet_ac1,
    krippendorff_alpha,
    masi_distance,
    percent_agreement,
)
from verhalen.agreement import brennan_prediger as _bp
from verhalen.calibrate.notes import Note, combine_rare, dutch_notes
from verhalen.calibrate.reliability import (
    Assignments,
    build_assignments,
    clean,
    pooled,
    quiet,
    set_data,
    unitizing,
)
from verhalen.errors import VerhalenError
from verhalen.records import Codebook, Coding, Segment

STATISTICS = (
    "percent_agreement",
    "krippendorff_alpha",
    "fleiss_kappa",
    "gwet_ac1",
    "brennan_prediger",
)
_FUNCS: dict[str, Callable[[ReliabilityData], float]] = {
    "percent_agreement": percent_agreement,
    "krippendorff_alpha": krippendorff_alpha,
    "fleiss_kappa": fleiss_kappa,
    "gwet_ac1": gwet_ac1,
    "brennan_prediger": _bp,
}


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its bootstrap interval (``None`` where undefined)."""

    estimate: float | None
    low: float | None = None
    high: float | None = None

    @classmethod
    def from_boot(cls, result: BootstrapResult) -> Estimate:
        return cls(clean(result.estimate), clean(result.low), clean(result.high))

    def to_dict(self) -> dict[str, float | None]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


@dataclass
class CodeResult:
    """Agreement on one code (binary: applied to the segment or not)."""

    code: str
    label: str
    factor: str
    n_units: int
    uses: dict[str, int]
    stats: dict[str, Estimate]
    cohen: dict[str, Estimate]
    alpha_u: float | None = None


@dataclass
class AgreementResult:
    """Everything computed for a round (see the module docstring)."""

    coders: list[str]
    units: list[str]
    n_units: int
    overall: dict[str, Estimate]
    overall_cohen: dict[str, Estimate]
    per_code: list[CodeResult]
    unused_codes: list[str]
    notes: list[Note]
    n_boot: int
    seed: int
    alpha_u_pooled: float | None = None
    assignments: Assignments = field(default_factory=dict, repr=False)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary stored with the round (and read by the trend)."""
        return {
            "coders": self.coders,
            "n_units": self.n_units,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "overall": {k: v.to_dict() for k, v in self.overall.items()},
            "overall_cohen": {k: v.to_dict() for k, v in self.overall_cohen.items()},
            "per_code": {
                r.code: {
                    "label": r.label,
                    "n_units": r.n_units,
                    "uses": r.uses,
                    **{k: v.to_dict() for k, v in r.stats.items()},
                    "cohen_kappa": {k: v.to_dict() for k, v in r.cohen.items()},
                    "alpha_u": r.alpha_u,
                }
                for r in self.per_code
            },
            "alpha_u_pooled": self.alpha_u_pooled,
            "unused_codes": self.unused_codes,
            "notes": [n.to_dict() for n in self.notes],
        }


def _code_order(codes: set[str], codebook: Codebook | None) -> list[str]:
    if codebook is None:
        return sorted(codes)
    factors = {f.id: i for i, f in enumerate(codebook.factors)}
    position = {c.id: i for i, c in enumerate(codebook.codes)}
    return sorted(
        codes,
        key=lambda c: (
            factors.get(codebook.factor_of(c) or "", len(factors)),
            position.get(c, len(position)),
            c,
        ),
    )


def _cohen(data: ReliabilityData, n_boot: int, seed: int) -> dict[str, Estimate]:
    """Cohen's kappa per pair; with a bootstrap interval when ``n_boot`` > 0."""
    pairs = quiet(cohen_kappa_pairs, data)
    out = {}
    for pair, value in pairs.items():
        if n_boot <= 0:
            out[pair] = Estimate(clean(value))
            continue
        a, b = pair.split("|")
        keep = [data.coders.index(a), data.coders.index(b)]
        sub = ReliabilityData(
            np.ascontiguousarray(data.codes[:, keep]),
            data.categories,
            data.units,
            (a, b),
            data.level,
            data.source,
        )
        result = quiet(bootstrap_ci, sub, "cohen_kappa", n_boot=n_boot, seed=seed)
        out[pair] = Estimate.from_boot(result)
    return out


def compute_agreement(
    codings: Sequence[Coding],
    units_by_coder: Mapping[str, Sequence[str]],
    *,
    codebook: Codebook | None = None,
    segments: Mapping[str, Segment] | None = None,
    n_boot: int = 1000,
    n_boot_cohen: int = 200,
    seed: int = 0,
    min_units: int = 10,
) -> AgreementResult:
    """Agreement of several coders on the same segments.

    Parameters
    ----------
    codings
        The coders' codings (codings on segments a coder did not code are ignored).
    units_by_coder
        Per coder, the segments they coded (a segment without codings counts as coded
        with "no code applies"). At least two coders.
    codebook
        For code labels, factor order, and the list of active codes never used.
    segments
        Segments by id; needed for unitizing alpha when codings carry spans.
    n_boot, seed
        Bootstrap replicates and seed for the 95% intervals (same seed, same intervals).
    n_boot_cohen
        Replicates for the intervals of Cohen's kappa on all codes together (the slow
        path; per code Cohen's kappa is given without interval). 0 for none.
    min_units
        Fewer segments coded in common than this gives a note.

    Raises
    ------
    VerhalenError
        If fewer than two coders are given or no segment was coded by two of them.
    """
    coders = list(units_by_coder)
    if len(coders) < 2:
        raise VerhalenError(f"agreement needs at least two coders, got {coders}")
    assignments = build_assignments(codings, units_by_coder)
    units = list(dict.fromkeys(u for c in coders for u in units_by_coder[c]))
    used = {code for found in assignments.values() for code in found}
    code_list = _code_order(used, codebook)
    sets = set_data(assignments, units, coders)
    pairable = int(((~np.isnan(sets.codes)).sum(axis=1) >= 2).sum())
    if pairable == 0:
        raise VerhalenError(
            "no segment was coded by two or more of the coders — import every coder's sheet "
            "(or check that their codings are on the round's sample)"
        )
    notes: list[Note] = []
    per_code: list[CodeResult] = []
    overall: dict[str, Estimate] = {}
    overall_cohen: dict[str, Estimate] = {}
    delta = np.array(
        [[masi_distance(a, b) for b in sets.categories] for a in sets.categories]
    ).reshape(len(sets.categories), -1)

    def masi(d: ReliabilityData) -> float:
        return general_alpha(d.value_counts(), delta, "MASI alpha")

    overall["masi_alpha"] = Estimate.from_boot(
        quiet(bootstrap_ci, sets, masi, n_boot=n_boot, seed=seed)
    )
    if code_list:
        per_data = binary_reliability_data(assignments, code_list, units=units, coders=coders)
        boots = quiet(bootstrap_binary, per_data, n_boot=n_boot, seed=seed)
        for code in code_list:
            data = per_data[code]
            coefs = quiet(all_coefficients, data)
            entry = codebook.code(code) if codebook else None
            factor = codebook.factor(codebook.factor_of(code) or "") if codebook else None
            per_code.append(
                CodeResult(
                    code=code,
                    label=entry.label if entry else code,
                    factor=factor.label if factor else "",
                    n_units=int(((~np.isnan(data.codes)).sum(axis=1) >= 2).sum()),
                    uses={c: int(np.nansum(data.codes[:, j])) for j, c in enumerate(coders)},
                    stats={s: Estimate.from_boot(boots[code][s]) for s in STATISTICS},
                    cohen=_cohen(data, 0, seed),
                )
            )
            notes.extend(
                dutch_notes(
                    quiet(diagnose, data, code=code, coefficients=coefs, min_units=min_units),
                    data,
                    coefs,
                )
            )
        for stat in STATISTICS:
            func = _FUNCS[stat]

            def pooled_stat(d: ReliabilityData, func: Callable[..., float] = func) -> float:
                return func(pooled(d, code_list))

            overall[stat] = Estimate.from_boot(
                quiet(bootstrap_ci, sets, pooled_stat, n_boot=n_boot, seed=seed)
            )
        overall_cohen = _cohen(pooled(sets, code_list), min(n_boot_cohen, n_boot), seed)
    notes = combine_rare([n for n in notes if n.kind not in ("too_few_units", "unequal_coders")])
    notes[:0] = dutch_notes(
        quiet(diagnose, sets, min_units=min_units, coefficients={}),
        sets,
        {},
        overall_only=True,
    )
    unused = [c.id for c in codebook.active_codes if c.id not in used] if codebook else []
    if unused:
        notes.append(
            Note(
                None,
                "unused_codes",
                (
                    f"{len(unused)} code(s) uit het codeboek zijn door geen enkele codeur "
                    f"gebruikt in deze ronde: {', '.join(unused)}. "
                    "Over deze codes zegt deze ronde niets."
                ),
            )
        )
    result = AgreementResult(
        coders=coders,
        units=units,
        n_units=pairable,
        overall=overall,
        overall_cohen=overall_cohen,
        per_code=per_code,
        unused_codes=unused,
        notes=notes,
        n_boot=n_boot,
        seed=seed,
        assignments=assignments,
    )
    if segments is not None and any(c.start is not None for c in codings):
        per_alpha, result.alpha_u_pooled = unitizing(
            codings, assignments, coders, code_list, segments
        )
        for r in per_code:
            r.alpha_u = per_alpha.get(r.code)
    return result
