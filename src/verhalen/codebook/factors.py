"""Factor-level operations: add a factor, regroup codes under factors (after clustering)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from verhalen.codebook.base import Change, active_code, finish, touch
from verhalen.errors import VerhalenError
from verhalen.records import Codebook, Factor


def add_factor(
    codebook: Codebook, factor: Factor, who: str, why: str = "", when: dt.datetime | None = None
) -> Change:
    """Add a factor (category), e.g. one that emerged from clustering inductive codes."""
    if codebook.factor(factor.id) is not None or codebook.code(factor.id) is not None:
        raise VerhalenError(f"id {factor.id!r} already exists in codebook {codebook.id!r}")
    return finish(
        codebook,
        list(codebook.codes),
        "factor",
        [],
        f"Factor '{factor.label}' toegevoegd",
        who,
        why,
        when,
        {"factor": factor.id},
        factors=[*codebook.factors, factor],
    )


def regroup_codes(
    codebook: Codebook,
    assignment: dict[str, str],
    new_factors: Sequence[Factor] = (),
    who: str = "onbekend",
    why: str = "",
    when: dt.datetime | None = None,
) -> Change:
    """Put codes under the factors given in ``assignment`` (code id → factor id).

    Used to apply an accepted clustering of codes into categories: ``new_factors`` are
    added first; a code already under the assigned factor (also through a parent code)
    keeps its place, any other code becomes a direct child of the factor.
    """
    factors = [*codebook.factors]
    for factor in new_factors:
        if codebook.factor(factor.id) is not None or codebook.code(factor.id) is not None:
            raise VerhalenError(f"new factor id {factor.id!r} already exists in {codebook.id!r}")
        factors.append(factor)
    known = {f.id for f in factors}
    problems = [f"{c} → {f}" for c, f in sorted(assignment.items()) if f not in known]
    if problems:
        raise VerhalenError(
            f"unknown factor(s) in the assignment: {', '.join(problems)} — "
            "use a factor id of the codebook or add it as a new factor"
        )
    for code_id in sorted(assignment):
        active_code(codebook, code_id)
    moved: dict[str, list[str | None]] = {}
    codes = []
    for c in codebook.codes:
        target = assignment.get(c.id)
        current = codebook.factor_of(c.id)
        if target is not None and target != current:
            moved[c.id] = [current, target]
            c = touch(c, when, parent=target)
        codes.append(c)
    if not moved and not new_factors:
        raise VerhalenError("every code is already under its assigned factor — nothing to change")
    what = (
        f"Codes gegroepeerd: {len(moved)} code(s) verplaatst, {len(new_factors)} nieuwe factor(en)"
    )
    details = {"moved": moved, "new_factors": [f.id for f in new_factors]}
    return finish(
        codebook, codes, "apply", sorted(moved), what, who, why, when, details, factors=factors
    )
