"""The round report: Dutch figures with intervals, escaping, uα column, trend table."""

from __future__ import annotations

from tests.test_calibrate_analysis import make_round
from tests.test_sheets_helpers import WHEN, tiny_codebook, tiny_corpus
from verhalen.calibrate.analysis import compute_agreement
from verhalen.calibrate.disagreements import find_disagreements
from verhalen.calibrate.report import fmt, render_report
from verhalen.calibrate.rounds import add_decision
from verhalen.calibrate.trend import overall_intervals, trend_frame, trend_markdown
from verhalen.records import Coding


def rendered() -> tuple[str, str]:
    corpus = tiny_corpus()
    segments = corpus.segment_index()
    ids = [s.id for s in corpus.segments][:5]
    seg = segments[ids[0]]
    items = [
        Coding(
            segment_id=ids[0],
            code_id="tips_en_advies",
            coder="anna",
            timestamp=WHEN,
            start=seg.start,
            end=seg.start + 20,
            memo="<script>alert(1)</script>",
        ),
        Coding(segment_id=ids[0], code_id="tips_en_advies", coder="bert", timestamp=WHEN),
        Coding(segment_id=ids[0], code_id="gezelligheid", coder="anna", timestamp=WHEN),
        Coding(segment_id=ids[1], code_id="gezelligheid", coder="anna", timestamp=WHEN),
    ]
    units = {"anna": ids, "bert": ids}
    result = compute_agreement(
        items, units, codebook=tiny_codebook(), segments=segments, n_boot=30, seed=2, min_units=2
    )
    memos = {(ids[0], "anna"): "<script>alert(1)</script>"}
    groups = find_disagreements(
        result.assignments, result.coders, segments=segments, memos=memos, codebook=tiny_codebook()
    )
    round_ = make_round(sample=ids, stratify=["practice"])
    round_ = add_decision(
        round_,
        "Gezelligheid scherper omschrijven",
        when=WHEN,
        codebook_version="1.1",
        codes=["gezelligheid"],
    )
    return render_report(round_, result, groups, generated="01-03-2026")


def test_html_escapes_transcript_text_and_memos() -> None:
    html, _md = rendered()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.startswith("<!DOCTYPE html>") and html.count("<table>") >= 3
    assert "gestratificeerd naar praktijk" in html


def test_markdown_tables_are_well_formed_and_show_alpha_u() -> None:
    _, md = rendered()
    assert "| uα |" in md and "over alle codes samen" in md
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|---"):
            header = lines[i - 1]
            width = header.count("|")
            assert line.count("|") == width, header
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert lines[j].count("|") == width, lines[j]
                j += 1
    assert "1. Gezelligheid scherper omschrijven (codes: gezelligheid) → codeboek versie 1.1" in md
    assert "rapport gemaakt 01-03-2026" in md


def test_numbers_use_a_decimal_comma_and_dashes_for_undefined() -> None:
    from verhalen.calibrate.analysis import Estimate

    assert fmt(Estimate(0.7234, 0.5, 0.861)) == "0,72 [0,50; 0,86]"
    assert fmt(Estimate(None)) == "–"
    assert fmt(None) == "–"


def test_trend_frame_and_markdown_from_stored_results() -> None:
    r1 = make_round(
        results={
            "overall": {
                "krippendorff_alpha": {"estimate": 0.5, "low": 0.3, "high": 0.7},
                "masi_alpha": {"estimate": 0.4},
            },
            "per_code": {"x": {"krippendorff_alpha": {"estimate": 0.2}}},
        }
    )
    r2 = make_round(
        id="r2",
        results={
            "overall": {"krippendorff_alpha": {"estimate": 0.8}},
            "per_code": {
                "y": {"krippendorff_alpha": {"estimate": 0.9}},
                "x": {"krippendorff_alpha": {"estimate": None}},
            },
        },
    )
    r3 = make_round(id="r3")  # no results yet: left out
    frame = trend_frame([r1, r2, r3])
    assert list(frame.columns) == ["r1", "r2"]
    assert list(frame.index) == ["(alle codes)", "(hele codeset, MASI)", "x", "y"]
    assert frame.loc["(alle codes)", "r2"] == 0.8
    assert frame.isna().loc["x", "r2"] and frame.isna().loc["y", "r1"]
    md = trend_markdown(frame, "krippendorff_alpha", [r1, r2])
    assert "| x | 0,20 | – |" in md
    bands = overall_intervals([r1, r2], "krippendorff_alpha")
    assert bands.loc["r1", "low"] == 0.3 and bands.isna().loc["r2", "high"]
    pa = trend_frame([r1, r2], "percent_agreement")
    assert "(hele codeset, MASI)" not in pa.index
