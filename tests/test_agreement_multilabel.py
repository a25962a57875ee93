"""Multi-label coding: per-code binary data, set-valued alpha, diagnostics."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from verhalen.agreement import (
    AgreementWarning,
    ReliabilityData,
    all_coefficients,
    binary_reliability_data,
    diagnose,
    diagnose_codes,
    jaccard_distance,
    krippendorff_alpha,
    masi_distance,
    presence_array,
    set_alpha,
)
from verhalen.errors import ValidationError, VerhalenError, VerhalenWarning

FIXTURES = Path(__file__).parent / "fixtures" / "agreement"

CODINGS = {
    ("s1", "ann"): {"verlies", "humor"},
    ("s1", "bob"): {"verlies"},
    ("s2", "ann"): set(),
    ("s2", "bob"): {"humor"},
    ("s3", "ann"): {"humor"},
    ("s3", "bob"): {"humor"},
    ("s3", "cas"): {"humor", "verlies"},
    ("s4", "cas"): {"verlies"},
}


def test_presence_array_missing_versus_absent() -> None:
    arr, units, coders, codes = presence_array(CODINGS)
    assert units == ["s1", "s2", "s3", "s4"] and coders == ["ann", "bob", "cas"]
    assert codes == ["humor", "verlies"]
    humor = arr[:, :, 0]
    assert humor[1, 0] == 0  # ann coded s2 but applied no code: absent
    assert math.isnan(humor[0, 2])  # cas did not code s1: missing
    assert humor[2].tolist() == [1, 1, 1]
    with pytest.raises(VerhalenError, match="not in the units"):
        presence_array(CODINGS, units=["s1"])


def test_binary_reliability_data_per_code() -> None:
    per_code = binary_reliability_data(CODINGS)
    assert list(per_code) == ["humor", "verlies"]
    verlies = per_code["verlies"]
    assert verlies.categories == (0, 1) and verlies.coders == ("ann", "bob", "cas")
    assert np.array_equal(verlies.codes[0, :2], [1, 1])
    only = binary_reliability_data(CODINGS, codes=["humor"])
    assert list(only) == ["humor"]
    with pytest.raises(ValidationError, match="two or more coders"):
        binary_reliability_data({("s1", "ann"): {"x"}, ("s2", "bob"): {"x"}})


def test_set_distances_hand_values() -> None:
    a, ab, b, abcd = (frozenset(x) for x in ("a", "ab", "b", "abcd"))
    assert jaccard_distance(a, a) == 0 and jaccard_distance(frozenset(), frozenset()) == 0
    assert jaccard_distance(a, ab) == 0.5 and jaccard_distance(a, b) == 1
    # MASI (Passonneau 2006): 1 - J * M with M = 1 equal, 2/3 subset, 1/3 overlap, 0 disjoint.
    assert masi_distance(ab, abcd) == pytest.approx(1 - 0.5 * 2 / 3)
    assert masi_distance(ab, frozenset("bc")) == pytest.approx(1 - (1 / 3) * (1 / 3))
    assert masi_distance(a, b) == 1 and masi_distance(ab, ab) == 0
    assert masi_distance(frozenset(), a) == 1


def test_set_alpha_hand_computed() -> None:
    # Two units, two coders: u1 {a} vs {a, b}, u2 {b} vs {b}. Jaccard: D_o = (2 * .5) / 4 =
    # .25; D_e = 2 * (.5 + 1 + 1 + .5 + .5 + 0) / (4 * 3) = 7/12; alpha = 1 - .25 / (7/12) = 4/7.
    data = {("u1", 1): {"a"}, ("u1", 2): {"a", "b"}, ("u2", 1): {"b"}, ("u2", 2): {"b"}}
    assert set_alpha(data, "jaccard") == pytest.approx(4 / 7)
    assert set_alpha(data, lambda x, y: float(x != y)) == pytest.approx(
        krippendorff_alpha(ReliabilityData.from_array([["a", "ab"], ["b", "b"]]))
    )


@pytest.mark.parametrize("distance", ["jaccard", "masi"])
def test_set_alpha_on_singletons_equals_nominal_alpha(distance: str) -> None:
    # Krippendorff (2011) data as singleton sets: set alpha = nominal alpha = .743.
    kripp = ReliabilityData.from_csv(FIXTURES / "krippendorff_2011.csv")
    singletons = {
        (kripp.units[i], kripp.coders[j]): {int(kripp.codes[i, j])}
        for i in range(kripp.n_units)
        for j in range(kripp.n_coders)
        if not math.isnan(kripp.codes[i, j])
    }
    value = set_alpha(singletons, distance)  # type: ignore[arg-type]
    assert value == pytest.approx(krippendorff_alpha(kripp, "nominal"))
    assert round(value, 3) == 0.743


def test_set_alpha_perfect_agreement_and_restriction() -> None:
    same = {(u, c): {u[-1], "x"} for u in ("u1", "u2", "u3") for c in ("ann", "bob")}
    assert set_alpha(same, "masi") == pytest.approx(1.0)
    with pytest.warns(VerhalenWarning, match="undefined"):
        assert math.isnan(set_alpha(same, codes={"x"}))


def test_diagnose_unequal_coders_and_too_few_units() -> None:
    kripp = ReliabilityData.from_csv(FIXTURES / "krippendorff_2011.csv")
    kinds = [w.kind for w in diagnose(kripp)]
    assert kinds == ["unequal_coders"]  # 11 pairable units: enough
    small = kripp.take(range(1, 5))
    found = diagnose(small, code="humor")
    assert [w.kind for w in found] == ["too_few_units"]
    assert found[0].code == "humor" and "Only 4 unit(s) of code 'humor'" in found[0].message
    assert found[0].to_dict()["kind"] == "too_few_units"


def test_diagnose_never_and_always_used() -> None:
    never = ReliabilityData.from_array(np.zeros((12, 3)), categories=[0, 1])
    kinds = {w.kind for w in diagnose(never, code="stilte")}
    assert kinds == {"code_never_used", "undefined"}
    always = ReliabilityData.from_array(np.ones((12, 3)), categories=[0, 1])
    kinds = {w.kind for w in diagnose(always, code="stilte")}
    assert kinds == {"code_always_used", "undefined"}
    texts = ReliabilityData.from_array([["x", "x"]] * 12)
    assert "single_category" in {w.kind for w in diagnose(texts)}


def test_diagnose_prevalence_paradox() -> None:
    # 100 segments; both coders say "absent" on 95; each marks a few others as present.
    rows = np.zeros((100, 2))
    rows[[0, 1, 2], 0] = 1
    rows[[3, 4], 1] = 1
    data = ReliabilityData.from_array(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = all_coefficients(data)
    assert res["percent_agreement"] == pytest.approx(0.95)
    found = {w.kind: w for w in diagnose(data, code="rouw", coefficients=res)}
    assert set(found) == {"prevalence_paradox", "rare_code"}
    message = found["prevalence_paradox"].message
    assert "95%" in message and "prevalence paradox" in message and "AC1" in message
    assert "present in only 5 of 200" in found["rare_code"].message


def test_diagnose_codes_over_binary_tables() -> None:
    per_code = binary_reliability_data(CODINGS)
    found = diagnose_codes(per_code, min_units=3)
    assert all(isinstance(w, AgreementWarning) for w in found)
    assert {w.code for w in found} <= {"humor", "verlies"}
    assert {w.kind for w in found if w.code == "humor"} >= {"unequal_coders"}


def test_presence_from_frame_equals_presence_array() -> None:
    import pandas as pd

    from verhalen.agreement import presence_from_frame

    rng = np.random.default_rng(3)
    rows = []
    for unit in range(40):
        for coder in ("b", "a", "c"):
            if rng.random() < 0.2:
                continue  # this coder did not code the unit: nan
            picks = rng.choice(["x", "y", "z", "buiten"], size=rng.integers(1, 3), replace=False)
            rows += [(f"s{unit}", coder, str(code)) for code in picks]
    frame = pd.DataFrame(rows, columns=["segment_id", "coder", "code_id"])
    assignments: dict[tuple[str, str], set[str]] = {}
    for unit, coder, code in rows:
        assignments.setdefault((unit, coder), set()).add(code)
    codes = ["x", "y", "z"]
    expected = presence_array(assignments, codes)
    got = presence_from_frame(frame, codes)
    np.testing.assert_array_equal(got[0], expected[0])  # nan in the same cells
    assert got[1:] == expected[1:]
    assert np.isnan(got[0]).any() and (got[0] == 0).any()
    with pytest.raises(VerhalenError, match="code_id"):
        presence_from_frame(frame.drop(columns="code_id"), codes)
