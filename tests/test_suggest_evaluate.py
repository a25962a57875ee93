"""Cross-validated evaluation of the suggestions, with baselines and a learning curve."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_nlp_shared import blank, codebook, coding, synthetic_corpus
from verhalen.errors import VerhalenError
from verhalen.suggest import CodeSuggester, EvaluationResult, evaluate


@pytest.fixture(scope="module")
def result() -> EvaluationResult:
    segments, codings = synthetic_corpus()
    noise = [coding(segments[0].id, "tips", coder="auto")]  # ignored: not a person
    return evaluate(
        segments,
        [*codings, *noise],
        codebook(),
        suggester=CodeSuggester(blank()[0]),
        n_splits=3,
        seed=1,
        fractions=(0.0, 0.5),
    )


def test_summary_has_the_suggester_and_both_baselines(result: EvaluationResult) -> None:
    summary = result.summary.set_index(["method", "level"])
    assert set(summary.index) == {
        (m, lvl) for m in ("suggester", "most_frequent", "keywords") for lvl in ("code", "factor")
    }
    for column in ("precision_at_1", "recall_at_3", "macro_f1"):
        assert summary[column].between(0, 1).all()
    code = result.summary[result.summary["level"] == "code"].set_index("method")
    assert code.loc["suggester", "precision_at_1"] > code.loc["most_frequent", "precision_at_1"]
    # 'voorlezen' has no keywords: keyword matching alone cannot find it, learning can
    assert code.loc["suggester", "macro_f1"] > code.loc["keywords", "macro_f1"]
    assert code.loc["suggester", "n_segments"] == 48
    assert result.summary.loc[0, "label"] == "codesuggesties"
    assert result.settings["n_splits"] == 3 and result.settings["n_groups"] == 6


def test_per_code_and_per_factor_tables(result: EvaluationResult) -> None:
    per_code = result.per_code[result.per_code["method"] == "suggester"].set_index("code")
    assert set(per_code.index) == {"tips", "herkenning", "gezelligheid", "voorlezen"}
    assert (per_code["support"] == 12).all()
    assert per_code.loc["voorlezen", "factor"] == "ontmoeten"
    keywords = result.per_code[result.per_code["method"] == "keywords"].set_index("code")
    assert keywords.loc["voorlezen", "recall"] == 0.0
    per_factor = result.per_factor[result.per_factor["method"] == "suggester"]
    assert set(per_factor["factor"]) == {"uitwisselen", "ontmoeten"}
    assert (per_factor["support"] == 24).all()


def test_learning_curve_grows_with_coded_segments(result: EvaluationResult, tmp_path: Path) -> None:
    curve = result.learning_curve
    assert list(curve["fraction"]) == [0.0, 0.5, 1.0]
    assert curve["n_coded"].iloc[0] == 0 and curve["n_coded"].is_monotonic_increasing
    assert curve["macro_f1"].iloc[-1] > curve["macro_f1"].iloc[0]
    plot = result.plot(tmp_path / "leercurve.png")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = result.to_dict()
    assert set(data) == {"summary", "per_code", "per_factor", "learning_curve", "settings"}


def test_evaluation_is_deterministic(result: EvaluationResult) -> None:
    segments, codings = synthetic_corpus()
    again = evaluate(
        segments,
        codings,
        codebook(),
        suggester=CodeSuggester(blank()[0]),
        n_splits=3,
        seed=1,
        fractions=(0.0, 0.5),
    )
    assert again.summary.equals(result.summary)


def test_grouping_by_participant_and_errors() -> None:
    segments, codings = synthetic_corpus(n_transcripts=3, per_transcript=4)
    suggester = CodeSuggester(blank()[0])
    by_person = evaluate(
        segments, codings, codebook(), suggester=suggester, group_by="participant", fractions=()
    )
    assert by_person.settings["n_splits"] == 3  # at most one fold per participant
    assert list(by_person.learning_curve["fraction"]) == [1.0]
    one_interview = [c for c in codings if c.segment_id.startswith("int00")]
    with pytest.raises(VerhalenError, match="at least 2"):
        evaluate(segments, one_interview, codebook(), suggester=suggester)
    with pytest.raises(VerhalenError, match="group_by"):
        evaluate(segments, codings, codebook(), group_by="praktijk")  # type: ignore[arg-type]
    with pytest.raises(VerhalenError, match="fractions"):
        evaluate(segments, codings, codebook(), fractions=(2.0,))


def test_unknown_codes_are_reported_once_not_per_fold() -> None:
    import warnings

    from verhalen.errors import VerhalenWarning

    segments, codings = synthetic_corpus()
    stray = [coding(s.id, "bestaat_niet") for s in segments[:12]]  # spread over transcripts
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate(
            segments,
            [*codings, *stray],
            codebook(),
            suggester=CodeSuggester(blank()[0]),
            n_splits=3,
            fractions=(0.0, 0.5),
        )
    said = [w for w in caught if issubclass(w.category, VerhalenWarning)]
    assert len(said) == 1 and "bestaat_niet" in str(said[0].message)
