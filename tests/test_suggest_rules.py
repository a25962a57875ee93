"""Rule-based auto-coding from keywords, lemma patterns and regular expressions."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_nlp_shared import WHEN, blank, codebook, segment
from verhalen.errors import VerhalenError
from verhalen.nlp import process, views_of
from verhalen.records import Code, Codebook, CodingSource
from verhalen.suggest import AUTO_CODER, RuleSet, autocode


def _views(texts: list[str]):  # type: ignore[no-untyped-def]
    nlp, _ = blank()
    return views_of(process(texts, nlp))


def test_keywords_match_lemmas_and_inflected_forms() -> None:
    book = Codebook(
        id="kb",
        name="kb",
        codes=[Code(id="kind", label="Kind", keywords=["kinderen", "advies", "huis uit"])],
    )
    rules = RuleSet(book)
    (hits,) = rules.match(_views(["De kinderen kregen adviezen; ik moest het huis uit."])[0])
    assert hits.keywords == ("kinderen", "advies")  # keyword lemmatised too: kinderen → kind
    assert hits.lemma_patterns == ("huis uit",)  # a multi-word keyword is a lemma pattern
    assert hits.reasons()[0] == "trefwoorden: kinderen, advies"


def test_lemma_patterns_need_consecutive_words_and_allow_wildcards() -> None:
    book = Codebook(
        id="lp",
        name="lp",
        codes=[
            Code(id="a", label="A", lemma_patterns=["niet de enige"]),
            Code(id="b", label="B", lemma_patterns=["muur komen op"]),
            Code(id="c", label="C", lemma_patterns=["tip * geven"]),
        ],
    )
    views = _views(
        [
            "Ik ben niet de enige.",
            "De muren komen op je af.",
            "Zij wilde een tip geven, de enige niet.",
            "Enige tips, niet de moeite.",
        ]
    )
    found = [[bool(h.lemma_patterns) for h in RuleSet(book).match(v)] for v in views]
    assert found == [
        [True, False, False],
        [False, True, False],
        [False, False, False],  # "tip geven" has no word in between
        [False, False, False],
    ]
    assert RuleSet(book).match(_views(["Een tip aan jou geven."])[0])[2].lemma_patterns == ()
    assert RuleSet(book).match(_views(["Een tip snel geven."])[0])[2].lemma_patterns == (
        "tip * geven",
    )


def test_autocode_returns_suggested_codings_by_auto() -> None:
    segments = [
        segment("s1", "Zij gaf mij een goede tip en advies over slapen.", "t1"),
        segment("s2", "Gewoon een kopje   thee. (lacht)", "t1"),
        segment("s3", "Ik ben niet de enige met die zorgen.", "t2"),
        segment("s4", "Er was een tip.", "t2"),
        segment("s5", "Niets bijzonders vandaag.", "t2"),
    ]
    nlp, _ = blank()
    codings = autocode(segments, codebook(), nlp=nlp, timestamp=WHEN)
    assert [(c.segment_id, c.code_id) for c in codings] == [
        ("s1", "tips"),  # two keywords
        ("s2", "gezelligheid"),  # a regular expression, whitespace-tolerant
        ("s3", "herkenning"),  # a lemma pattern
    ]
    for c in codings:
        assert c.coder == AUTO_CODER
        assert c.source == CodingSource.suggested
        assert c.timestamp == WHEN and c.codebook_version == "1.0"
        assert c.memo.startswith("automatisch: ")
    assert "trefwoorden: tip, advies" in codings[0].memo
    assert "patroon: 'kopje thee'" in codings[1].memo
    assert codings[2].transcript_id == "t2"

    one = autocode(segments, codebook(), nlp=nlp, min_keywords=1)
    assert ("s4", "tips") in [(c.segment_id, c.code_id) for c in one]
    assert all(c.timestamp.tzinfo is not None for c in one)
    assert one[0].timestamp <= dt.datetime.now(dt.UTC)


def test_autocode_validates_its_input() -> None:
    with pytest.raises(VerhalenError, match="min_keywords"):
        autocode([], codebook(), min_keywords=0)
    with pytest.raises(VerhalenError, match="one view per segment"):
        autocode([segment("s1", "tekst")], codebook(), views=[])
