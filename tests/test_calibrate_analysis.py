"""Agreement of a round from a list of codings, Dutch notes, disagreements, round records."""

from __future__ import annotations

import math

import pytest

from tests.test_sheets_helpers import WHEN, tiny_codebook, tiny_corpus
from verhalen.agreement import set_alpha
from verhalen.calibrate.analysis import compute_agreement
from verhalen.calibrate.disagreements import find_disagreements
from verhalen.calibrate.reliability import build_assignments
from verhalen.calibrate.rounds import (
    CalibrationRound,
    RoundStatus,
    add_decision,
    next_round_id,
    record_import,
    round_codings,
)
from verhalen.errors import VerhalenError
from verhalen.records import Coding


def codings(table: dict[str, dict[str, set[str]]], memo: str = "") -> list[Coding]:
    return [
        Coding(segment_id=seg, code_id=code, coder=coder, timestamp=WHEN, memo=memo)
        for coder, per_seg in table.items()
        for seg, codes in per_seg.items()
        for code in sorted(codes)
    ]


UNITS = ["u1", "u2", "u3", "u4"]
A = {"u1": {"x"}, "u2": {"x", "y"}, "u3": set(), "u4": {"y"}}
B = {"u1": {"x"}, "u2": {"x"}, "u3": {"y"}, "u4": {"y"}}


def test_pooled_and_per_code_figures_match_a_hand_count() -> None:
    result = compute_agreement(
        codings({"A": A, "B": B}), {"A": UNITS, "B": UNITS}, n_boot=50, seed=1, min_units=2
    )
    # 8 decisions (4 segments x 2 codes), 6 agree
    assert result.overall["percent_agreement"].estimate == pytest.approx(0.75)
    by_code = {r.code: r for r in result.per_code}
    assert by_code["x"].stats["percent_agreement"].estimate == 1.0
    assert by_code["x"].stats["krippendorff_alpha"].estimate == pytest.approx(1.0)
    assert by_code["y"].stats["percent_agreement"].estimate == pytest.approx(0.5)
    assert by_code["x"].uses == {"A": 2, "B": 2}
    assert by_code["y"].uses == {"A": 2, "B": 2}
    assert set(by_code["x"].cohen) == {"A|B"}
    assert result.n_units == 4


def test_masi_alpha_is_the_agreement_package_set_alpha() -> None:
    result = compute_agreement(codings({"A": A, "B": B}), {"A": UNITS, "B": UNITS}, n_boot=20)
    assignments = build_assignments(codings({"A": A, "B": B}), {"A": UNITS, "B": UNITS})
    assert result.overall["masi_alpha"].estimate == pytest.approx(set_alpha(assignments, "masi"))


def test_intervals_are_seeded_and_bracket_the_estimate() -> None:
    rows = {f"s{i}": {"x"} if i % 3 else {"y"} for i in range(30)}
    other = {s: ({"x", "y"} if i % 7 == 0 else c) for i, (s, c) in enumerate(rows.items())}
    units = list(rows)
    make = lambda seed: compute_agreement(  # noqa: E731
        codings({"A": rows, "B": other}), {"A": units, "B": units}, n_boot=200, seed=seed
    )
    first, again, other_seed = make(5), make(5), make(6)
    for key, est in first.overall.items():
        assert est == again.overall[key]
        assert est.low is not None and est.high is not None
        assert est.low - 1e-9 <= est.estimate <= est.high + 1e-9  # type: ignore[operator]
    assert first.overall["krippendorff_alpha"] != other_seed.overall["krippendorff_alpha"]
    assert first.overall_cohen["A|B"].low is not None
    summary = first.summary()
    assert set(summary["overall"]) >= {
        "percent_agreement",
        "krippendorff_alpha",
        "masi_alpha",
        "fleiss_kappa",
        "gwet_ac1",
        "brennan_prediger",
    }
    assert summary["per_code"]["x"]["krippendorff_alpha"]["low"] is not None


def test_dutch_notes_prevalence_paradox_too_few_units_unused_codes() -> None:
    units = [f"s{i}" for i in range(40)]
    a = {u: set() for u in units}
    b = {u: set() for u in units}
    a["s0"] = {"tips_en_advies"}
    b["s1"] = {"tips_en_advies"}
    for u in units[2:]:
        a[u] = b[u] = {"gezelligheid"} if int(u[1:]) % 2 else set()
    result = compute_agreement(
        codings({"anna": a, "bert": b}),
        {"anna": units, "bert": units},
        codebook=tiny_codebook(),
        n_boot=20,
        min_units=50,
    )
    kinds = {(n.code, n.kind) for n in result.notes}
    assert ("tips_en_advies", "prevalence_paradox") in kinds
    assert (None, "too_few_units") in kinds
    assert (None, "unused_codes") in kinds
    paradox = next(n for n in result.notes if n.kind == "prevalence_paradox")
    assert "Prevalentieparadox" in paradox.message and "95%" in paradox.message
    assert "Gwets AC1" in paradox.message
    unused = next(n for n in result.notes if n.kind == "unused_codes")
    assert "luisteren" in unused.message and "gezelligheid" not in unused.message
    # per code: labels and factors from the codebook, codebook order
    assert [r.code for r in result.per_code] == ["tips_en_advies", "gezelligheid"]
    assert result.per_code[0].factor == "Uitwisselen en leren"


def test_code_always_used_and_unequal_coders() -> None:
    units = ["s1", "s2", "s3"]
    every = {u: {"x"} for u in units}
    result = compute_agreement(
        codings({"A": every, "B": every, "C": {"s1": {"x"}}}),
        {"A": units, "B": units, "C": ["s1"]},
        n_boot=10,
        min_units=1,
    )
    kinds = {n.kind for n in result.notes}
    assert "code_always_used" in kinds and "unequal_coders" in kinds
    assert result.per_code[0].stats["krippendorff_alpha"].estimate is None
    assert set(result.per_code[0].cohen) == {"A|B", "A|C", "B|C"}


def test_errors_for_one_coder_or_no_common_segment() -> None:
    with pytest.raises(VerhalenError, match="at least two coders"):
        compute_agreement([], {"A": ["s1"]})
    with pytest.raises(VerhalenError, match="no segment was coded by two or more"):
        compute_agreement([], {"A": ["s1"], "B": ["s2"]})


def test_unitizing_alpha_per_code_when_codings_carry_spans() -> None:
    corpus = tiny_corpus()
    segments = corpus.segment_index()
    seg = segments["int01-t001"]
    other = segments["int01-t003"]
    items = [
        Coding(
            segment_id=seg.id,
            code_id="tips_en_advies",
            coder="A",
            timestamp=WHEN,
            start=seg.start,
            end=seg.start + 30,
        ),
        Coding(
            segment_id=seg.id,
            code_id="tips_en_advies",
            coder="B",
            timestamp=WHEN,
            start=seg.start + 2,
            end=seg.start + 30,
        ),
        Coding(segment_id=other.id, code_id="gezelligheid", coder="A", timestamp=WHEN),
        Coding(
            segment_id=other.id,
            code_id="gezelligheid",
            coder="B",
            timestamp=WHEN,
            start=other.start,
            end=other.start + 20,
        ),
    ]
    units = {"A": [seg.id, other.id], "B": [seg.id, other.id]}
    result = compute_agreement(items, units, segments=segments, n_boot=10)
    by_code = {r.code: r.alpha_u for r in result.per_code}
    assert by_code["tips_en_advies"] is not None and by_code["tips_en_advies"] > 0.9
    assert (
        by_code["gezelligheid"] is not None and by_code["gezelligheid"] < by_code["tips_en_advies"]
    )
    assert result.alpha_u_pooled is not None and not math.isnan(result.alpha_u_pooled)
    without = compute_agreement(items, units, n_boot=10)  # no segments: no unitizing
    assert all(r.alpha_u is None for r in without.per_code)


def test_disagreements_grouped_by_code_most_frequent_first_with_memos() -> None:
    corpus = tiny_corpus()
    segments = corpus.segment_index()
    ids = [s.id for s in corpus.segments][:4]
    a = {
        ids[0]: {"tips_en_advies"},
        ids[1]: {"tips_en_advies", "gezelligheid"},
        ids[2]: {"luisteren"},
        ids[3]: set(),
    }
    b = {ids[0]: set(), ids[1]: {"gezelligheid"}, ids[2]: {"tips_en_advies"}, ids[3]: set()}
    assignments = build_assignments(codings({"anna": a, "bert": b}), {"anna": ids, "bert": ids})
    memos = {(ids[0], "bert"): "geen tip, eerder een verhaal"}
    groups = find_disagreements(
        assignments,
        ["anna", "bert"],
        segments=segments,
        memos=memos,
        codebook=tiny_codebook(),
        role_of=lambda s: ("moeder", "VVE&O Hoogeveen"),
    )
    assert [(g.code, g.n) for g in groups] == [("tips_en_advies", 3), ("luisteren", 1)]
    first = groups[0]
    assert first.label == "Tips en advies" and first.factor == "Uitwisselen en leren"
    # within a code: segments with the most disputed codes first
    assert first.items[0].segment_id == ids[2]
    item = next(i for i in first.items if i.segment_id == ids[0])
    assert item.with_code == ("anna",) and item.without_code == ("bert",)
    assert item.text == segments[ids[0]].text and item.role == "moeder"
    views = {v.coder: v for v in item.coders}
    assert views["bert"].memo == "geen tip, eerder een verhaal" and views["bert"].codes == ()
    assert views["anna"].has_code and not views["bert"].has_code


def make_round(**update: object) -> CalibrationRound:
    base = CalibrationRound(
        id="r1",
        coders=["anna", "bert"],
        sample=["s1", "s2", "s3"],
        seed=1,
        n_requested=3,
        codebook_id="test_boek",
        codebook_version="1.0",
        created=WHEN,
    )
    return base.model_copy(update=update)


def test_round_codings_prefer_the_imported_snapshot_over_the_store() -> None:
    round_ = make_round()
    snapshot = codings({"anna": {"s1": {"x"}}})
    round_ = record_import(
        round_,
        "anna",
        files=["r1_anna.xlsx"],
        segments=["s1", "s2"],
        codings=snapshot,
        memos={"s2": "twijfel"},
        when=WHEN,
    )
    assert round_.status == RoundStatus.open
    store = codings(
        {"anna": {"s1": {"y"}}, "bert": {"s1": {"x"}, "s3": {"z"}, "s9": {"x"}}}, memo="van bert"
    )
    chosen, units, memos = round_codings(round_, store)
    assert {(c.coder, c.segment_id, c.code_id) for c in chosen} == {
        ("anna", "s1", "x"),
        ("bert", "s1", "x"),
        ("bert", "s3", "z"),
    }
    assert units == {"anna": ["s1", "s2"], "bert": ["s1", "s2", "s3"]}
    assert memos[("s2", "anna")] == "twijfel" and memos[("s1", "bert")] == "van bert"
    done = record_import(round_, "bert", files=[], segments=["s1"], codings=[], memos={}, when=WHEN)
    assert done.status == RoundStatus.coded


def test_round_records_check_coders_segments_and_decisions() -> None:
    round_ = make_round()
    with pytest.raises(VerhalenError, match="'carla' is not one of its coders"):
        record_import(round_, "carla", files=[], segments=[], codings=[], memos={}, when=WHEN)
    with pytest.raises(VerhalenError, match="not in the round's sample"):
        record_import(round_, "anna", files=[], segments=["s7"], codings=[], memos={}, when=WHEN)
    decided = add_decision(
        round_,
        "  Tips alleen bij concreet advies. ",
        when=WHEN,
        codebook_version="1.1",
        codes=["tips_en_advies"],
    )
    assert decided.decisions[0].number == 1 and decided.decisions[0].text.startswith("Tips")
    with pytest.raises(VerhalenError, match="not a version"):
        add_decision(round_, "x", when=WHEN, codebook_version="v2")
    with pytest.raises(VerhalenError, match="needs a text"):
        add_decision(round_, "  ", when=WHEN)
    assert next_round_id([]) == "r1" and next_round_id([round_, make_round(id="r4")]) == "r5"


def test_store_codings_count_a_segment_as_coded_when_its_interview_was_coded() -> None:
    round_ = make_round(sample=["a-t1", "a-t3", "b-t1"])
    store = codings({"anna": {"a-t1": {"x"}, "b-t9": {"y"}}, "bert": {"a-t5": {"x"}}})
    transcript_of = {"a-t1": "a", "a-t3": "a", "a-t5": "a", "b-t1": "b", "b-t9": "b"}
    _, units, _ = round_codings(round_, store, transcript_of)
    assert units == {"anna": ["a-t1", "a-t3", "b-t1"], "bert": ["a-t1", "a-t3"]}
