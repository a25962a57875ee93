"""The feedback summary: the bundled fictional example, rendering and the report section."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from verhalen.errors import ValidationError
from verhalen.klankbord.session import (
    FactorAnswer,
    FeedbackSession,
    RespondentFeedback,
    SessionFactor,
    load_sessions,
    save_session,
)
from verhalen.klankbord.summary import (
    ALL,
    SECTION_TITLE,
    feedback_section,
    summarise,
    write_summary,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "feedback"


def _session(group: str, ranks: list[dict[str, int]], practice: str = "p") -> FeedbackSession:
    return FeedbackSession(
        template_version="v",
        practice=practice,
        practice_label=practice.upper(),
        group=group,  # type: ignore[arg-type]
        factors=[SessionFactor(id=f, label=f.upper()) for f in ("a", "b", "c", "d")],
        respondents=[
            RespondentFeedback(
                respondent=f"Deelnemer {i + 1}",
                factors=[FactorAnswer(factor_id="a", recognition="ja")],
                ranks=r,
            )
            for i, r in enumerate(ranks)
        ],
    )


def test_borda_count_and_mean_rank_with_four_factors() -> None:
    sessions = [
        _session("moeders", [{"a": 1, "b": 2, "c": 3, "d": 4}, {"b": 1, "a": 2, "d": 3, "c": 4}]),
        _session("vrijwilligers", [{"d": 1, "c": 2, "b": 3, "a": 4}, {}]),  # one did not rank
    ]
    pri = summarise(sessions).priorities.set_index(["group", "factor_id"])
    # n = 4: rank r gives 4 − r points
    assert [pri.loc[("moeders", f), "borda"] for f in "abcd"] == [5, 5, 1, 1]
    # a and b tie on points and on mean rank 1.5: codebook/poster order decides
    assert [pri.loc[("moeders", f), "place"] for f in "abcd"] == [1, 2, 3, 4]
    assert pri.loc[("vrijwilligers", "a"), "respondents"] == 1
    assert [pri.loc[(ALL, f), "borda"] for f in "abcd"] == [5, 6, 3, 4]
    assert pri.loc[(ALL, "b"), "place"] == 1
    assert pri.loc[(ALL, "a"), "mean_rank"] == pytest.approx((1 + 2 + 4) / 3)


def test_sessions_are_stored_with_the_next_number(tmp_path: Path) -> None:
    session = _session("moeders", [{"a": 1, "b": 2, "c": 3, "d": 4}])
    assert save_session(tmp_path, session).name == "p_moeders_1.json"
    assert save_session(tmp_path, session).name == "p_moeders_2.json"
    assert len(load_sessions(tmp_path)) == 2
    (tmp_path / "p_moeders_3.json").write_text('{"format": "iets anders"}', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"p_moeders_3\.json"):
        load_sessions(tmp_path)


def test_the_fictional_example_shows_the_expected_pattern() -> None:
    summary = summarise(load_sessions(EXAMPLE))
    assert len(summary.sessions) == 3
    assert all(s.fictional for s in summary.sessions)
    assert set(summary.respondents) == {"moeders", "vrijwilligers", "professionals", ALL}
    rec = summary.recognition.set_index(["group", "factor_id", "element_id"])
    # mothers in Veendam recognise "Ontmoeten en steunen" strongly
    assert rec.loc[("moeders", "ontmoeten_en_steunen", ""), "share_ja"] == 1.0
    # there is at least one "deels" with a reason
    reasons = summary.texts[summary.texts["kind"] == "deels"]
    assert len(reasons) >= 1 and all(reasons["text"].str.len() > 0)
    assert len(summary.additions) >= 3
    # professionals rank "Professionele vaardigheden" higher than mothers do
    pri = summary.priorities.set_index(["group", "factor_id"])
    key = "professionele_vaardigheden"
    assert pri.loc[("professionals", key), "place"] < pri.loc[("moeders", key), "place"]
    assert pri.loc[("professionals", key), "mean_rank"] < pri.loc[("moeders", key), "mean_rank"]
    assert pri.loc[(ALL, "ontmoeten_en_steunen"), "place"] == 1


def test_summary_pages_and_report_section(tmp_path: Path) -> None:
    folder = tmp_path / "feedback"
    shutil.copytree(EXAMPLE, folder)
    summary = summarise(load_sessions(folder))
    written = write_summary(summary, tmp_path / "klankbord")
    first = [p.read_bytes() for p in written]
    write_summary(summarise(load_sessions(folder)), tmp_path / "klankbord")
    assert [p.read_bytes() for p in written] == first  # deterministic
    html = written[0].read_text(encoding="utf-8")
    md = written[1].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="nl">' in html
    for text in (html, md):
        assert "Wat vinden de groepen het belangrijkst?" in text
        assert "Borda-telling" in text and "Aanvullingen" in text
        assert "Voorbeeld met verzonnen gegevens." in text
        assert "Deelnemer 1" not in text  # respondents are not shown
    assert "| Ontmoeten en steunen | 24 | 1,2 | 1 |" in md
    title, fragment, markdown = feedback_section(summary)
    assert title == SECTION_TITLE
    assert fragment.startswith('<div class="klankbord-samenvatting">') and "<h3>" in fragment
    assert "<h1>" not in fragment and "<h2>" not in fragment
    assert "\n### Wat vinden" in "\n" + markdown


def test_no_sessions_gives_an_empty_summary(tmp_path: Path) -> None:
    summary = summarise(load_sessions(tmp_path / "nergens"))
    assert summary.sessions == [] and summary.priorities.empty
    assert "0 sessies met 0 deelnemers" in feedback_section(summary)[2]
