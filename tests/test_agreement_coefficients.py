"""Agreement coefficients against published worked examples, plus properties and errors."""

from __future__ import annotations

import json
import math
import random
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verhalen.agreement import (
    ReliabilityData,
    all_coefficients,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    general_alpha,
    gwet_ac1,
    krippendorff_alpha,
    n_pairable_values,
    percent_agreement,
    to_json_dict,
)
from verhalen.errors import ValidationError, VerhalenError, VerhalenWarning

FIXTURES = Path(__file__).parent / "fixtures" / "agreement"
NAN = float("nan")


def from_table(name: str) -> ReliabilityData:
    """Two-coder data expanded from a contingency table (rows coder A, columns coder B)."""
    table = pd.read_csv(FIXTURES / name, index_col=0)
    pairs = [
        (str(a), str(b).split("_")[-1])
        for a in table.index
        for b in table.columns
        for _ in range(int(table.loc[a, b]))
    ]
    return ReliabilityData.from_array(pairs, coders=["A", "B"])


def from_distribution(name: str) -> ReliabilityData:
    """Complete ratings expanded from a subjects × categories table of rater counts."""
    counts = pd.read_csv(FIXTURES / name, index_col=0).to_numpy()
    rows = [np.repeat(np.arange(counts.shape[1]), row) for row in counts]
    return ReliabilityData.from_array(np.array(rows))


@pytest.fixture
def kripp() -> ReliabilityData:
    return ReliabilityData.from_csv(FIXTURES / "krippendorff_2011.csv")


# ---------------------------------------------------------------- published worked examples


def test_krippendorff_2011_alpha_at_four_levels(kripp: ReliabilityData) -> None:
    # Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability", Annenberg School
    # for Communication Departmental Papers 43: the 4 observers × 12 units example with
    # missing values (section C and the ordinal, interval and ratio variants that follow it):
    # nominal .743, ordinal .815, interval .849, ratio .797, from n = 40 pairable values.
    # (The same numbers are doctests of the `krippendorff` package, citing p. 8 of the PDF.)
    assert round(krippendorff_alpha(kripp, "nominal"), 3) == 0.743
    assert round(krippendorff_alpha(kripp, "ordinal"), 3) == 0.815
    assert round(krippendorff_alpha(kripp, "interval"), 3) == 0.849
    assert round(krippendorff_alpha(kripp, "ratio"), 3) == 0.797
    assert n_pairable_values(kripp) == 40


def test_ordinal_text_labels_need_and_use_the_given_order(kripp: ReliabilityData) -> None:
    # Same Krippendorff (2011) data with labels instead of ranks: ordinal alpha is still .815.
    labels = ["very low", "low", "mid", "high", "very high"]
    text = [[labels[int(c)] if c == c else "" for c in row] for row in kripp.codes]
    data = ReliabilityData.from_array(text, level="ordinal", categories=labels)
    assert round(krippendorff_alpha(data), 3) == 0.815
    with pytest.raises(ValidationError, match="categories"):
        ReliabilityData.from_array(text, level="ordinal")


def test_irrcac_raw4raters_gwet_fleiss_bp(kripp: ReliabilityData) -> None:
    # irrCAC (Gwet) README / vignette "overview", dataset cac.raw4raters (= Krippendorff's
    # 2011 data): pa.coeff.raw 0.8181818, gwet.ac1.raw 0.77544 (pe 0.1903212),
    # fleiss.kappa.raw 0.76117 (pe 0.2387153), bp.coeff.raw 0.77273, krippen.alpha.raw 0.74342.
    # These use Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., ch. 2 formulas for
    # multiple raters with missing ratings.
    assert percent_agreement(kripp) == pytest.approx(0.8181818, abs=1e-7)
    assert gwet_ac1(kripp) == pytest.approx(0.77544, abs=1e-5)
    assert fleiss_kappa(kripp) == pytest.approx(0.76117, abs=1e-5)
    assert brennan_prediger(kripp) == pytest.approx(0.77273, abs=1e-5)
    assert krippendorff_alpha(kripp) == pytest.approx(0.74342, abs=1e-5)


def test_fleiss_1971_thirty_patients() -> None:
    # Fleiss, J. L. (1971). "Measuring nominal scale agreement among many raters",
    # Psychological Bulletin 76(5):378-382, Table 1 (30 patients × 6 psychiatrists × 5
    # diagnoses): overall kappa = .430. Raw ratings as in R package irr, data(diagnoses),
    # whose kappam.fleiss(diagnoses) prints 0.430 (0.4302445 in statsmodels' tests).
    data = ReliabilityData.from_csv(FIXTURES / "fleiss_1971.csv")
    assert round(fleiss_kappa(data), 3) == 0.430
    assert fleiss_kappa(data) == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_wikipedia_example() -> None:
    # Wikipedia, "Fleiss' kappa", worked example: 10 subjects × 14 raters × 5 categories,
    # P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210 (table also in statsmodels' tests).
    data = from_distribution("fleiss_wikipedia_counts.csv")
    assert round(fleiss_kappa(data), 3) == 0.210


def test_irrcac_distrib_6raters() -> None:
    # irrCAC README, dataset distrib.6raters (15 patients × 6 psychiatrists; it is the first
    # 15 subjects of Fleiss 1971): gwet.ac1.dist 0.4448007, fleiss.kappa.dist 0.4139265,
    # krippen.alpha.dist 0.4204384, bp.coeff.dist 0.4388889, pa 0.5511111.
    data = from_distribution("irrcac_distrib_6raters.csv")
    fleiss = ReliabilityData.from_csv(FIXTURES / "fleiss_1971.csv")
    assert np.array_equal(np.sort(fleiss.codes[:15], axis=1), data.codes)
    assert gwet_ac1(data) == pytest.approx(0.4448007, abs=1e-7)
    assert fleiss_kappa(data) == pytest.approx(0.4139265, abs=1e-7)
    assert krippendorff_alpha(data) == pytest.approx(0.4204384, abs=1e-7)
    assert brennan_prediger(data) == pytest.approx(0.4388889, abs=1e-7)
    assert percent_agreement(data) == pytest.approx(0.5511111, abs=1e-7)


def test_cohen_1960_example() -> None:
    # Cohen, J. (1960). "A coefficient of agreement for nominal scales", Educational and
    # Psychological Measurement 20(1):37-46, p. 45 example (200 cases, 3 categories):
    # p_o = .70, p_c = .41, kappa = .492. Counts as in DKPro Statistics' Cohen1960Test.
    data = from_table("cohen_1960_p45_table.csv")
    assert data.n_units == 200
    assert percent_agreement(data) == pytest.approx(0.70)
    assert round(cohen_kappa(data), 3) == 0.492  # type: ignore[arg-type]


def test_textbook_grant_proposals_kappa() -> None:
    # Textbook example (e.g. Wikipedia "Cohen's kappa", simple example; tutorialspoint
    # "Statistics - Cohen's kappa coefficient"): 50 grant proposals, 2 readers, yes/yes 20,
    # yes/no 5, no/yes 10, no/no 15: p_o = 0.70, p_e = 0.50, kappa = 0.40.
    data = from_table("grant_proposals_table.csv")
    assert cohen_kappa(data) == pytest.approx(0.40)


def test_irrcac_cont3x3abstractors() -> None:
    # irrCAC README, contingency table cont3x3abstractors (100 pregnant women, 2 abstractors):
    # kappa2.table 0.7964094, scott2.table 0.7962397 (= Fleiss for 2 raters),
    # gwet.ac1.table 0.8493305, bp2.table 0.835, krippen2.table 0.7972585, pa2.table 0.89.
    res = all_coefficients(from_table("irrcac_cont3x3abstractors.csv"))
    assert res["cohen_kappa"] == pytest.approx(0.7964094, abs=1e-7)
    assert res["fleiss_kappa"] == pytest.approx(0.7962397, abs=1e-7)
    assert res["gwet_ac1"] == pytest.approx(0.8493305, abs=1e-7)
    assert res["brennan_prediger"] == pytest.approx(0.835)
    assert res["krippendorff_alpha"] == pytest.approx(0.7972585, abs=1e-7)
    assert res["percent_agreement"] == pytest.approx(0.89)


# ---------------------------------------------------------------- API shape


def test_all_coefficients_keys_and_json(kripp: ReliabilityData) -> None:
    res = all_coefficients(kripp)
    assert set(res) == {
        "percent_agreement", "krippendorff_alpha", "fleiss_kappa", "cohen_kappa",
        "gwet_ac1", "brennan_prediger", "n_units", "n_coders", "n_pairable_values",
    }  # fmt: skip
    assert list(res["cohen_kappa"]) == ["A|B", "A|C", "A|D", "B|C", "B|D", "C|D"]
    assert (res["n_units"], res["n_coders"], res["n_pairable_values"]) == (12, 4, 40)
    assert all_coefficients(kripp, level="interval")["krippendorff_alpha"] == pytest.approx(
        0.849, abs=5e-4
    )
    assert isinstance(
        all_coefficients(from_table("grant_proposals_table.csv"))["cohen_kappa"], float
    )
    assert to_json_dict({"a": NAN, "b": [np.float64(1.5), {"c": NAN}], "d": np.int64(3)}) == {
        "a": None, "b": [1.5, {"c": None}], "d": 3,
    }  # fmt: skip
    json.dumps(to_json_dict(res), allow_nan=False)


def test_general_alpha_equals_package_for_nominal_and_interval(kripp: ReliabilityData) -> None:
    counts = kripp.value_counts()
    values = np.arange(1.0, 6.0)
    nominal = (values[:, None] != values[None, :]).astype(float)
    interval = (values[:, None] - values[None, :]) ** 2
    assert general_alpha(counts, nominal) == pytest.approx(krippendorff_alpha(kripp, "nominal"))
    assert general_alpha(counts, interval) == pytest.approx(krippendorff_alpha(kripp, "interval"))


def test_text_labels_give_same_result_as_codes(kripp: ReliabilityData) -> None:
    names = ["appel", "peer", "kers", "pruim", "vijg"]
    text = [[names[int(c)] if c == c else "  " for c in row] for row in kripp.codes]
    data = ReliabilityData.from_dataframe(pd.DataFrame(text, columns=list("ABCD")))
    assert krippendorff_alpha(data) == pytest.approx(krippendorff_alpha(kripp))
    assert set(data.categories) == set(names)


def test_fleiss_complete_only_warns_and_uses_complete_units(kripp: ReliabilityData) -> None:
    with pytest.warns(VerhalenWarning, match="4 unit"):
        value = fleiss_kappa(kripp, complete_only=True)
    complete = kripp.take(np.flatnonzero((~np.isnan(kripp.codes)).all(axis=1)))
    assert value == pytest.approx(fleiss_kappa(complete))


def test_brennan_prediger_q(kripp: ReliabilityData) -> None:
    pa = percent_agreement(kripp)
    assert brennan_prediger(kripp, q=10) == pytest.approx((pa - 0.1) / 0.9)
    with pytest.raises(VerhalenError, match="smaller"):
        brennan_prediger(kripp, q=3)


# ---------------------------------------------------------------- undefined values


def test_undefined_values_are_nan_with_a_warning() -> None:
    same = ReliabilityData.from_array([["a", "a"], ["a", "a"], ["a", "a"]])
    for func in (krippendorff_alpha, fleiss_kappa, gwet_ac1, cohen_kappa, brennan_prediger):
        with pytest.warns(VerhalenWarning, match="undefined"):
            value = func(same)
        assert isinstance(value, float) and math.isnan(value)
    assert percent_agreement(same) == 1.0


def test_cohen_pair_without_shared_units_is_nan() -> None:
    data = ReliabilityData.from_array([[1, 2, None], [1, None, 2], [2, 1, None]])
    with pytest.warns(VerhalenWarning, match="share no unit"):
        pairs = cohen_kappa(data)
    assert isinstance(pairs, dict) and math.isnan(pairs["coder2|coder3"])


# ---------------------------------------------------------------- input errors


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_non_numeric_value_at_interval_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,ann,bob\nu1,1,2\nu2,3,hoog\nu3,,2\n")
    with pytest.raises(ValidationError) as info:
        ReliabilityData.from_csv(path, level="interval")
    message = str(info.value)
    assert f"{path}:3 (bob)" in message and "'hoog' is not a number" in message


def test_other_input_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least 2"):
        ReliabilityData.from_csv(write(tmp_path, "unit,ann\nu1,1\n"))
    with pytest.raises(ValidationError, match="no unit has values from two or more coders"):
        ReliabilityData.from_csv(write(tmp_path, "unit,ann,bob\nu1,1,\nu2,,2\n"))
    with pytest.raises(ValidationError, match="negative"):
        ReliabilityData.from_csv(write(tmp_path, "unit,ann,bob\nu1,1,-2\n"), level="ratio")
    with pytest.raises(ValidationError, match="not one of the categories"):
        ReliabilityData.from_csv(write(tmp_path, "unit,a,b\nu1,x,y\n"), categories=["x"])
    with pytest.raises(ValidationError, match="duplicate unit"):
        ReliabilityData.from_csv(write(tmp_path, "unit,a,b\nu1,x,y\nu1,x,x\n"))
    with pytest.raises(VerhalenError, match="cannot read"):
        ReliabilityData.from_csv(tmp_path / "missing.csv")
    with pytest.raises(ValidationError, match="sep=';'"):
        ReliabilityData.from_csv(write(tmp_path, "unit;a;b\nu1;1;2\n"))
    assert ReliabilityData.from_csv(write(tmp_path, "unit;a;b\nu1;1;2\n"), sep=";").n_coders == 2


def test_blank_cells_are_missing_and_numbers_are_unified(tmp_path: Path) -> None:
    data = ReliabilityData.from_csv(write(tmp_path, "\ufeffunit,a,b\nu1,1, \nu2,1.0,1\nu3,2,2\n"))
    assert data.categories == (1, 2)
    assert np.isnan(data.codes[0, 1]) and data.codes[1, 0] == data.codes[1, 1]
    assert data.units == ("u1", "u2", "u3") and data.coders == ("a", "b")


# ---------------------------------------------------------------- properties

matrices = st.integers(min_value=2, max_value=12).flatmap(
    lambda n: st.integers(min_value=2, max_value=5).flatmap(
        lambda m: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=m, max_size=m),
            min_size=n,
            max_size=n,
        )
    )
)


def _coefficients(rows: list[list[int | None]]) -> dict[str, float] | None:
    arr = np.array([[NAN if v is None else v for v in row] for row in rows], dtype=float)
    if not ((~np.isnan(arr)).sum(axis=1) >= 2).any():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerhalenWarning)
        res = all_coefficients(ReliabilityData.from_array(arr))
    return {k: v for k, v in res.items() if k != "cohen_kappa"}


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == pytest.approx(b[k], abs=1e-9) for k in a
    )


@settings(max_examples=60, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_invariant_to_permuting_units_and_coders(
    rows: list[list[int | None]], rnd: random.Random
) -> None:
    base = _coefficients(rows)
    if base is None:
        return
    shuffled = [list(r) for r in rows]
    rnd.shuffle(shuffled)
    order = list(range(len(rows[0])))
    rnd.shuffle(order)
    permuted = [[r[j] for j in order] for r in shuffled]
    other = _coefficients(permuted)
    assert other is not None and _same(base, other)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=2, max_size=15).filter(lambda xs: len(set(xs)) >= 2),
    st.integers(min_value=2, max_value=5),
)
def test_perfect_agreement_gives_one(values: list[int], n_coders: int) -> None:
    data = ReliabilityData.from_array([[v] * n_coders for v in values])
    res = all_coefficients(data)
    for key in ("percent_agreement", "krippendorff_alpha", "fleiss_kappa", "gwet_ac1",
                "brennan_prediger"):  # fmt: skip
        assert res[key] == pytest.approx(1.0)
    kappas = res["cohen_kappa"]
    for value in kappas.values() if isinstance(kappas, dict) else [kappas]:
        assert value == pytest.approx(1.0)
    for level in ("ordinal", "interval", "ratio"):
        assert krippendorff_alpha(data, level) == pytest.approx(1.0)
