"""Bootstrap confidence intervals: slow path, fast per-code binary path, and their equality."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from verhalen.agreement import (
    FAST_STATISTICS,
    ReliabilityData,
    binary_reliability_data,
    bootstrap_binary,
    bootstrap_ci,
    krippendorff_alpha,
    percent_agreement,
)
from verhalen.errors import VerhalenError, VerhalenWarning

FIXTURES = Path(__file__).parent / "fixtures" / "agreement"


def random_presence(n_units: int, n_coders: int, n_codes: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    prevalence = np.linspace(0.03, 0.5, n_codes)
    truth = rng.random((n_units, 1, n_codes)) < prevalence
    arr = (truth ^ (rng.random((n_units, n_coders, n_codes)) < 0.1)).astype(float)
    arr[rng.random((n_units, n_coders)) < 0.25] = np.nan
    return arr


def as_data(arr: np.ndarray, k: int) -> ReliabilityData:
    n, m, _ = arr.shape
    units = tuple(str(i) for i in range(n))
    return ReliabilityData(arr[:, :, k].copy(), (0, 1), units, tuple(f"c{j}" for j in range(m)))


@pytest.mark.parametrize("shared_missing", [True, False])
def test_fast_path_equals_slow_path(shared_missing: bool) -> None:
    arr = random_presence(30, 3, 4, seed=3)
    if not shared_missing:
        arr[0, 0, 1] = np.nan  # code 1 now has its own missing cell
    fast = bootstrap_binary(arr, codes=list("abcd"), n_boot=120, seed=42)
    for k, code in enumerate("abcd"):
        data = as_data(arr, k)
        for stat in FAST_STATISTICS:
            slow = bootstrap_ci(data, stat, n_boot=120, seed=42)
            got = fast[code][stat]
            np.testing.assert_allclose(got.replicates, slow.replicates, rtol=1e-10, atol=1e-12)
            assert got.n_valid == slow.n_valid
            assert got.estimate == pytest.approx(slow.estimate, abs=1e-12)
            if slow.n_valid:
                assert (got.low, got.high) == pytest.approx((slow.low, slow.high), abs=1e-12)


def test_fast_path_accepts_binary_reliability_data() -> None:
    codings = {
        (f"s{u}", coder): {
            c for c in ("humor", "verlies") if (u * 7 + len(coder) * 3 + ord(c[0])) % 3
        }
        for u in range(25)
        for coder in ("ann", "bob", "cas")
    }
    per_code = binary_reliability_data(codings)
    from_mapping = bootstrap_binary(per_code, n_boot=50, seed=1)
    arr = np.stack([d.codes for d in per_code.values()], axis=2)
    from_array = bootstrap_binary(arr, codes=list(per_code), n_boot=50, seed=1)
    for code in per_code:
        assert np.array_equal(
            from_mapping[code]["percent_agreement"].replicates,
            from_array[code]["percent_agreement"].replicates,
        )
        assert from_array[code]["percent_agreement"].estimate == pytest.approx(
            percent_agreement(per_code[code])
        )


def test_bootstrap_ci_is_seeded_and_brackets_the_estimate() -> None:
    kripp = ReliabilityData.from_csv(FIXTURES / "krippendorff_2011.csv")
    first = bootstrap_ci(kripp, "krippendorff_alpha", n_boot=300, seed=7)
    again = bootstrap_ci(kripp, "krippendorff_alpha", n_boot=300, seed=7)
    other = bootstrap_ci(kripp, "krippendorff_alpha", n_boot=300, seed=8)
    assert np.array_equal(first.replicates, again.replicates, equal_nan=True)
    assert not np.array_equal(first.replicates, other.replicates, equal_nan=True)
    assert first.estimate == pytest.approx(krippendorff_alpha(kripp))
    assert first.low <= first.estimate <= first.high <= 1.0
    assert first.n_boot == 300 and first.n_valid <= 300
    assert first.to_dict()["confidence"] == 0.95
    interval = bootstrap_ci(kripp, lambda d: krippendorff_alpha(d, "interval"), n_boot=50, seed=1)
    assert interval.estimate == pytest.approx(0.849, abs=5e-4)
    generator = bootstrap_ci(kripp, n_boot=20, seed=np.random.default_rng(7))
    assert np.array_equal(generator.replicates, first.replicates[:20], equal_nan=True)


def test_undefined_everywhere_gives_nan_interval() -> None:
    same = ReliabilityData.from_array([[1, 1]] * 5)
    with pytest.warns(VerhalenWarning) as record:
        result = bootstrap_ci(same, "krippendorff_alpha", n_boot=10, seed=1)
    assert math.isnan(result.low) and math.isnan(result.high) and result.n_valid == 0
    assert any("every replicate" in str(w.message) for w in record)
    assert result.to_dict()["low"] is None


def test_errors() -> None:
    kripp = ReliabilityData.from_csv(FIXTURES / "krippendorff_2011.csv")
    with pytest.raises(VerhalenError, match="n_boot"):
        bootstrap_ci(kripp, n_boot=0)
    with pytest.raises(VerhalenError, match="confidence"):
        bootstrap_ci(kripp, confidence=1.5)
    with pytest.raises(VerhalenError, match="one number"):
        bootstrap_ci(kripp, "cohen_kappa")
    with pytest.raises(VerhalenError, match="0, 1 and nan"):
        bootstrap_binary(np.full((4, 2, 1), 2.0))
    with pytest.raises(VerhalenError, match="supports"):
        bootstrap_binary(np.zeros((4, 2, 1)), statistics=["cohen_kappa"])
    with pytest.warns(VerhalenWarning, match="undefined"):
        bootstrap_binary(np.zeros((4, 2, 1)), n_boot=5, seed=1)


@pytest.mark.slow
def test_fast_path_scales_to_100k_units() -> None:
    # 100,000 units × 4 coders × 50 codes, 1,000 replicates: about 5 s on the 2-core dev
    # machine (see bootstrap_binary's docstring); fail only if it is clearly minutes.
    arr = random_presence(100_000, 4, 50, seed=0)
    start = time.perf_counter()
    result = bootstrap_binary(arr, n_boot=1000, seed=1)
    assert time.perf_counter() - start < 60
    alpha = result["0"]["krippendorff_alpha"]
    assert alpha.n_valid == 1000 and alpha.low < alpha.estimate < alpha.high
