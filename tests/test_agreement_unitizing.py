"""Krippendorff's alpha for unitizing (uα)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verhalen.agreement import (
    Continuum,
    pooled_unitizing_alpha,
    unitizing_alpha,
    unitizing_alpha_by_code,
)
from verhalen.errors import VerhalenError, VerhalenWarning

# Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed.,
# §12.4, example on p. 254; the same example is the computational appendix (Figure 2) of
# Krippendorff, K. (2004), "Measuring the reliability of qualitative text analysis data",
# Quality & Quantity 38:787-800. Continuum [150, 450), observers i and j, categories c and k
# (spans given as (start, end)). Published: c: uD_o = .0144, uD_e = .0532, uα = .7286;
# k: uD_o = 0, uD_e = .0490, uα = 1; both categories pooled: uα = .859.
# I could not read the original pages here; the data and numbers are taken from two
# independent re-implementations that cite them (DKPro Statistics, Krippendorff2004Test,
# "p. 254"; zyocum/text-alpha, sample-data/figure-2-example with README output c .729,
# k 1.0, pooled .859).
BOOK = {
    "c": Continuum(
        300, {"i": [(225, 295), (370, 400)], "j": [(220, 300), (355, 375), (400, 420)]}, 150
    ),
    "k": Continuum(300, {"i": [(180, 240), (300, 350)], "j": [(180, 240), (300, 350)]}, 150),
}


def test_krippendorff_2004_example() -> None:
    results = unitizing_alpha_by_code(BOOK)
    c, k = results["c"], results["k"]
    assert round(c.observed, 4) == 0.0144
    assert round(c.expected, 4) == 0.0532
    assert round(c.alpha, 4) == 0.7286
    assert (k.observed, round(k.expected, 4), k.alpha) == (0.0, 0.0490, 1.0)
    assert round(pooled_unitizing_alpha(results.values()), 3) == 0.859
    assert c.n_units == 5


def test_hand_computed_tiny_case() -> None:
    # L = 10; A marks [2, 5), B marks [3, 5).
    # D_o: the two units overlap: (2-3)² + (5-5)² = 1, both orders: 2 / (2·1·10²) = .01.
    # D_e: N = 2 units (lengths 3 and 2); gaps of both coders: 2, 5, 3, 5.
    #   l = 3: (2-1)/3·(54-27+3) = 10, gaps >= 3: (5-3+1)+(3-3+1)+(5-3+1) = 7 → 9·7 = 63
    #   l = 2: (2-1)/3·(16-12+2) = 2,  gaps >= 2: 1+4+2+4 = 11 → 4·11 = 44
    #   D_e = (2/10)·(10+63+2+44) / (20·19 - (3·2 + 2·1)) = .2·119/372
    result = unitizing_alpha(Continuum(10, {"A": [(2, 5)], "B": [(3, 5)]}))
    expected = 0.2 * 119 / 372
    assert result.observed == pytest.approx(0.01)
    assert result.expected == pytest.approx(expected)
    assert result.alpha == pytest.approx(1 - 0.01 / expected)


def test_unit_missed_by_one_coder_counts_its_length_squared() -> None:
    result = unitizing_alpha(Continuum(20, {"A": [(2, 6)], "B": []}))
    assert result.observed == pytest.approx(2 * 16 / (2 * 400))
    assert result.alpha < 0.5


def test_perfect_agreement_and_shift() -> None:
    spans = [(3, 9), (15, 22), (40, 41)]
    perfect = unitizing_alpha(Continuum(50, {"A": spans, "B": spans, "C": spans}))
    assert perfect.alpha == 1.0
    shifted = [(s + 1, e + 1) for s, e in spans]
    one = unitizing_alpha(Continuum(50, {"A": spans, "B": shifted}))
    two = unitizing_alpha(Continuum(50, {"A": spans, "B": [(s + 3, e + 3) for s, e in spans]}))
    assert 1.0 > one.alpha > two.alpha


def test_several_continua_are_pooled() -> None:
    single = unitizing_alpha(BOOK["c"])
    assert unitizing_alpha([BOOK["c"]]) == single
    both = unitizing_alpha([BOOK["c"], Continuum(100, {"i": [(10, 20)], "j": [(10, 20)]})])
    # The second transcript adds no disagreement but length, so D_o shrinks by (300/400)².
    assert both.observed == pytest.approx(single.observed * (300 / 400) ** 2)
    assert both.n_units == single.n_units + 2


def test_errors_and_undefined() -> None:
    with pytest.raises(VerhalenError, match="overlap"):
        unitizing_alpha(Continuum(10, {"A": [(1, 5), (4, 6)], "B": []}))
    merged = unitizing_alpha(Continuum(10, {"A": [(1, 5), (4, 6)], "B": [(1, 6)]}),
                             merge_overlaps=True)  # fmt: skip
    assert merged.alpha == 1.0
    with pytest.raises(VerhalenError, match="outside"):
        unitizing_alpha(Continuum(10, {"A": [(5, 12)], "B": []}))
    with pytest.raises(VerhalenError, match="no spans for coder"):
        unitizing_alpha([BOOK["c"], Continuum(10, {"i": []})])
    with pytest.raises(VerhalenError, match="at least 2 coders"):
        unitizing_alpha(Continuum(10, {"A": [(1, 2)]}))
    with pytest.warns(VerhalenWarning, match="no coder marked"):
        assert math.isnan(unitizing_alpha(Continuum(10, {"A": [], "B": []})).alpha)


spans_strategy = st.lists(st.tuples(st.integers(0, 59), st.integers(1, 8)), max_size=5).map(
    lambda xs: sorted({(s, min(s + n, 60)) for s, n in xs})
)


def _non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if not out or s >= out[-1][1]:
            out.append((s, e))
    return out


@settings(max_examples=60, deadline=None)
@given(spans_strategy, spans_strategy, spans_strategy)
def test_symmetric_in_coders(a: list, b: list, c: list) -> None:
    sets = {"A": _non_overlapping(a), "B": _non_overlapping(b), "C": _non_overlapping(c)}
    if not any(sets.values()):
        return
    forward = unitizing_alpha(Continuum(60, sets))
    backward = unitizing_alpha(Continuum(60, dict(reversed(list(sets.items())))))
    assert forward.observed == pytest.approx(backward.observed)
    assert forward.alpha == pytest.approx(backward.alpha)
    assert forward.alpha <= 1.0 + 1e-12
