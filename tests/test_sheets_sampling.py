"""Seeded, stratified sampling shared by coding sheets and calibration rounds."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from verhalen.coding.sampling import MISSING_STRATUM, allocate, draw_sample, sample_summary
from verhalen.errors import VerhalenError


def frame(sizes: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = []
    for (practice, role), n in sizes.items():
        for i in range(n):
            rows.append(
                {
                    "segment_id": f"{practice}-{role}-{i:03d}",
                    "practice": practice,
                    "role": role,
                    "text": "...",
                }
            )
    return pd.DataFrame(rows)


SIZES = {
    ("vve", "moeder"): 60,
    ("vve", "jeugdprofessional"): 20,
    ("huiskamer", "moeder"): 15,
    ("huiskamer", "vrijwilliger"): 4,
    ("veendam", "moeder"): 1,
}


def test_same_seed_same_sample_and_other_seed_other_sample() -> None:
    df = frame(SIZES)
    a = draw_sample(df, 20, seed=7, stratify=["practice", "role"])
    b = draw_sample(df, 20, seed=7, stratify=["practice", "role"])
    c = draw_sample(df, 20, seed=8, stratify=["practice", "role"])
    assert a == b
    assert a != c
    assert len(a) == len(set(a)) == 20


def test_sample_does_not_depend_on_row_order_and_keeps_corpus_order() -> None:
    df = frame(SIZES)
    shuffled = df.sample(frac=1.0, random_state=3).reset_index(drop=True)
    a = draw_sample(df, 15, seed=1, stratify=["practice"])
    b = draw_sample(shuffled, 15, seed=1, stratify=["practice"])
    assert set(a) == set(b)
    order = list(shuffled["segment_id"])
    assert b == sorted(b, key=order.index)


def test_every_non_empty_stratum_gets_one_and_allocation_is_proportional() -> None:
    df = frame(SIZES)
    sample = draw_sample(df, 20, seed=2, stratify=["practice", "role"])
    summary = sample_summary(df, sample, ["practice", "role"]).set_index(["practice", "role"])
    assert (summary["getrokken"] >= 1).all()  # the single veendam segment is in
    assert summary.loc[("vve", "moeder"), "getrokken"] == 12  # 20 * 60/100
    assert summary["getrokken"].sum() == 20


def test_too_small_a_sample_goes_to_the_largest_strata() -> None:
    df = frame(SIZES)
    sample = draw_sample(df, 2, seed=2, stratify=["practice", "role"])
    assert {s.rsplit("-", 1)[0] for s in sample} == {"vve-moeder", "vve-jeugdprofessional"}


def test_n_larger_than_corpus_returns_everything_and_exclude_is_respected() -> None:
    df = frame({("a", "moeder"): 3, ("b", "moeder"): 2})
    assert draw_sample(df, 50, seed=1) == list(df["segment_id"])
    rest = draw_sample(df, 50, seed=1, exclude={"a-moeder-000"})
    assert "a-moeder-000" not in rest and len(rest) == 4


def test_missing_stratum_values_form_their_own_stratum() -> None:
    df = frame({("a", "moeder"): 5})
    df.loc[len(df)] = {"segment_id": "x-1", "practice": None, "role": None, "text": ""}
    sample = draw_sample(df, 2, seed=1, stratify=["practice"])
    assert "x-1" in sample
    summary = sample_summary(df, sample, ["practice"])
    assert MISSING_STRATUM in set(summary["practice"])


@pytest.mark.parametrize(
    ("n", "stratify", "exclude", "message"),
    [
        (0, [], (), "at least 1"),
        (5, ["practise"], (), "unknown column"),
        (5, [], ("a-moeder-000", "a-moeder-001"), "no segments left"),
    ],
)
def test_errors_say_what_is_wrong(
    n: int, stratify: list[str], exclude: tuple[str, ...], message: str
) -> None:
    df = frame({("a", "moeder"): 2})
    with pytest.raises(VerhalenError, match=message):
        draw_sample(df, n, seed=1, stratify=stratify, exclude=exclude)


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8),
    fraction=st.floats(min_value=0.0, max_value=1.0),
)
def test_allocation_properties(sizes: list[int], fraction: float) -> None:
    total = sum(sizes)
    n = round(fraction * total)
    alloc = allocate(sizes, n)
    assert sum(alloc) == n
    assert all(0 <= a <= s for a, s in zip(alloc, sizes, strict=True))
    non_empty = [h for h, s in enumerate(sizes) if s > 0]
    if n >= len(non_empty):
        assert all(alloc[h] >= 1 for h in non_empty)
    # proportional within one segment of the exact quota, apart from the minimum of one
    for a, s in zip(alloc, sizes, strict=True):
        if total and a > 1:
            assert abs(a - n * s / total) < len(sizes) + 1
