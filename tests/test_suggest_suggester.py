"""CodeSuggester: ranking, reasons, learning from coded segments, the JSON contract."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.test_nlp_shared import blank, codebook, coding, segment, synthetic_corpus
from verhalen.errors import VerhalenError, VerhalenWarning
from verhalen.records import Code, Codebook, CodeStatus, CodingSource
from verhalen.suggest import CodeSuggester, SegmentSuggestions

NEW = [
    segment("x-1", "We gaan nu vaak naar de bieb voor een prentenboek.", "x"),
    segment("x-2", "Zij gaf me een tip: eerst een verhaaltje, dan slapen.", "x"),
    segment("x-3", "Gewoon een kopje thee, heel gezellig. (lacht)", "x"),
]


def _suggester() -> CodeSuggester:
    return CodeSuggester(blank()[0])


def test_codebook_knowledge_alone_ranks_codes_with_reasons() -> None:
    segments, _ = synthetic_corpus()
    suggester = _suggester().fit(segments, [], codebook())  # nothing coded yet
    result = suggester.suggest(NEW, top_k=2)
    assert [r.segment_id for r in result] == ["x-1", "x-2", "x-3"]
    tips, cosy = result[1].suggestions[0], result[2].suggestions[0]
    assert (tips.code, tips.factor) == ("tips", "uitwisselen")
    assert tips.reasons[0] == "trefwoord: tip"
    assert any(r.startswith("lijkt op voorbeeld uit het codeboek (") for r in tips.reasons)
    assert cosy.code == "gezelligheid"
    assert cosy.reasons[:2] == ("trefwoorden: gezellig, thee", "patroon: 'kopje thee'")
    assert cosy.score > result[2].suggestions[1].score
    assert all(0.0 <= s.score <= 1.0 and s.reasons for r in result for s in r.suggestions)
    assert all(len(r.suggestions) <= 2 for r in result)
    assert suggester.n_examples_ == {"tips": 0, "herkenning": 0, "gezelligheid": 0, "voorlezen": 0}


def test_the_learned_model_takes_over_as_coding_progresses() -> None:
    segments, codings = synthetic_corpus()
    suggester = _suggester()
    before = suggester.fit(segments, [], codebook()).score(NEW[:1])
    few = [c for c in codings if c.segment_id.startswith(("int00", "int01"))]
    middle = suggester.fit(segments, few, codebook()).score(NEW[:1])
    after = suggester.fit(segments, codings, codebook()).score(NEW[:1])
    j = after.codes.index("voorlezen")  # a code without keywords: only coding teaches it
    assert before.weight[j] == 0.0 < middle.weight[j] < after.weight[j] < 1.0
    assert after.score[0, j] > before.score[0, j]
    (item,) = suggester.suggest(NEW[:1], top_k=1)
    top = item.suggestions[0]
    assert top.code == "voorlezen"
    assert top.reasons[0].startswith("lijkt op int0")  # the most similar coded segment
    assert any(r.startswith("geleerd uit 12 gecodeerde fragmenten") for r in top.reasons)
    assert item.factors[0].factor == "ontmoeten" and item.factors[0].codes[0] == "voorlezen"


def test_a_coded_segment_is_never_explained_by_itself() -> None:
    segments, codings = synthetic_corpus()
    suggester = _suggester().fit(segments, codings, codebook())
    for item in suggester.suggest(segments[:6], top_k=1):
        assert all(f"lijkt op {item.segment_id} " not in r for r in item.suggestions[0].reasons)


def test_auto_codings_are_not_learned_and_unknown_codes_warn() -> None:
    segments, codings = synthetic_corpus()
    auto = [
        coding(c.segment_id, c.code_id, coder="auto", source=CodingSource.suggested)
        for c in codings
    ]
    suggester = _suggester().fit(segments, auto, codebook())
    assert sum(suggester.n_examples_.values()) == 0
    accepted = [c.model_copy(update={"source": CodingSource.suggested}) for c in codings]
    assert sum(_suggester().fit(segments, accepted, codebook()).n_examples_.values()) == 48
    with pytest.warns(VerhalenWarning, match="inductieve_code"):
        _suggester().fit(segments, [coding(segments[0].id, "inductieve_code")], codebook())


def test_merged_codes_are_learned_under_the_code_they_merged_into() -> None:
    book = codebook()
    book.codes.append(
        Code(id="oude_tips", label="Oud", status=CodeStatus.merged, merged_into="tips")
    )
    segments, codings = synthetic_corpus()
    renamed = [
        c.model_copy(update={"code_id": "oude_tips"}) if c.code_id == "tips" else c for c in codings
    ]
    suggester = _suggester().fit(segments, renamed, book)
    assert suggester.n_examples_["tips"] == 12 and "oude_tips" not in suggester.codes_


def test_json_contract() -> None:
    segments, codings = synthetic_corpus()
    result = _suggester().fit(segments, codings, codebook()).suggest(NEW, top_k=3)
    data = json.loads(json.dumps([r.to_dict() for r in result]))
    assert [set(d) for d in data] == [{"segment_id", "text", "suggestions"}] * 3
    assert data[2]["text"] == NEW[2].text  # the original text, notes included
    for d in data:
        assert 1 <= len(d["suggestions"]) <= 3
        scores = [s["score"] for s in d["suggestions"]]
        assert scores == sorted(scores, reverse=True)
        for s in d["suggestions"]:
            assert set(s) == {"code", "factor", "score", "reasons"}
            assert isinstance(s["reasons"], list) and all(isinstance(r, str) for r in s["reasons"])
            assert s["score"] == round(s["score"], 3)


def test_results_are_deterministic() -> None:
    segments, codings = synthetic_corpus()
    a = _suggester().fit(segments, codings, codebook()).score(NEW)
    b = _suggester().fit(segments, codings, codebook()).score(NEW)
    assert np.array_equal(a.score, b.score)


def test_input_is_validated_at_the_boundary() -> None:
    segments, _ = synthetic_corpus()
    with pytest.raises(VerhalenError, match="not fitted"):
        _suggester().suggest(NEW)
    with pytest.raises(VerhalenError, match="no active codes"):
        _suggester().fit(segments, [], Codebook(id="leeg", name="Leeg"))
    with pytest.raises(VerhalenError, match="repeat"):
        _suggester().fit([segments[0], segments[0]], [], codebook())
    fitted = _suggester().fit(segments, [], codebook())
    with pytest.raises(VerhalenError, match="top_k"):
        fitted.suggest(NEW, top_k=0)
    assert fitted.suggest([]) == []
    empty = _suggester().fit([], [], codebook()).suggest(NEW[:1])  # no corpus at all
    assert isinstance(empty[0], SegmentSuggestions) and empty[0].suggestions
