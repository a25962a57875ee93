"""Offset maps: coding made before pseudonymisation stays on the right words."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verhalen.errors import VerhalenError
from verhalen.ingest.turns import RawTurn, assemble
from verhalen.privacy.detect import Detection, Phrase, PhraseDetector
from verhalen.privacy.engine import PrivacyEngine
from verhalen.privacy.key import PseudonymKey
from verhalen.privacy.normalise import Kind
from verhalen.privacy.replace import OffsetMap, apply
from verhalen.privacy.transcripts import pseudonymise_transcript
from verhalen.records import Coding, Participant, SegmentUnit, Transcript
from verhalen.segmentation import segment_transcript


def small_engine() -> PrivacyEngine:
    detector = PhraseDetector(
        "lijst",
        [
            Phrase("Samira", Kind.naam),
            Phrase("Krakeel", Kind.wijk),
            Phrase("Marloes Hoekstra", Kind.naam),
        ],
    )
    participants = {
        "p01": Participant(id="p01", role="moeder", practice="x", name="Samira El Amrani")
    }
    return PrivacyEngine([detector], participants, own_name="pseudonym")


def transcript() -> Transcript:
    raw = [
        RawTurn("I", "interviewer", [["Hoe kwam je bij de groep?"]], 1),
        RawTurn(
            "R",
            "respondent",
            [["Via Marloes Hoekstra. Ik woon in Krakeel, weet je."], ["Samira zegt: kom maar."]],
            2,
        ),
        RawTurn("R", "respondent", [["Dat is alles."]], 5),
    ]
    text, turns = assemble(raw)
    return Transcript(id="int01", participants=["p01"], text=text, turns=turns)


def test_map_span_moves_and_widens_spans() -> None:
    text = "Ik ben Samira uit Krakeel."
    dets = [Detection(7, 13, "Samira", Kind.naam), Detection(18, 25, "Krakeel", Kind.wijk)]
    new, omap = apply(text, dets, lambda d: (f"[{d.kind.value.upper()}-1]", d.kind.value))
    assert new == "Ik ben [NAAM-1] uit [WIJK-1]."
    assert omap.map_span(0, 6) == (0, 6)  # before any replacement
    start, end = omap.map_span(7, 13)
    assert new[start:end] == "[NAAM-1]"
    start, end = omap.map_span(9, 21)  # starts and ends inside identifiers: widened
    assert new[start:end] == "[NAAM-1] uit [WIJK-1]"
    start, end = omap.map_span(14, 17)
    assert new[start:end] == "uit"
    assert omap.map_span(25, 26) == (len(new) - 1, len(new))
    assert omap.to_original(new.index("uit")) == text.index("uit")
    with pytest.raises(VerhalenError, match="outside the original"):
        omap.to_new(len(text) + 1)


def test_segments_and_codings_follow_the_pseudonymised_text() -> None:
    original = transcript()
    key = PseudonymKey()
    new, omap = pseudonymise_transcript(original, small_engine(), key)
    assert "Samira" not in new.text and "Krakeel" not in new.text
    assert [t.speaker for t in new.turns] == [t.speaker for t in original.turns]
    old_segments = segment_transcript(original, SegmentUnit.sentence, respondent_only=True)
    new_segments = segment_transcript(new, SegmentUnit.sentence, respondent_only=True)
    assert [s.id for s in old_segments] == [s.id for s in new_segments]
    for old, fresh in zip(old_segments, new_segments, strict=True):
        moved = omap.map_segment(old, new.text)
        assert (moved.start, moved.end, moved.text) == (fresh.start, fresh.end, fresh.text)
    # a coder selected "woon in Krakeel" before pseudonymisation
    start = original.text.index("woon in Krakeel")
    coding = Coding(
        segment_id=old_segments[0].id,
        code_id="ontmoeten",
        coder="a",
        timestamp=dt.datetime(2025, 1, 1),
        transcript_id="int01",
        start=start,
        end=start + len("woon in Krakeel"),
    )
    moved = omap.map_coding(coding)
    assert moved.start is not None and moved.end is not None
    assert new.text[moved.start : moved.end] == "woon in [WIJK-1]"
    whole = coding.model_copy(update={"start": None, "end": None})
    assert omap.map_coding(whole) == whole


def test_offset_map_json_has_no_original_text() -> None:
    original = transcript()
    _, omap = pseudonymise_transcript(original, small_engine(), PseudonymKey())
    dumped = str(omap.to_json())
    assert "Samira" not in dumped and "Krakeel" not in dumped
    assert OffsetMap.identity(10).map_span(2, 5) == (2, 5)


@st.composite
def texts_with_replacements(draw: st.DrawFn) -> tuple[str, list[Detection]]:
    words = draw(
        st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=6), min_size=1, max_size=12)
    )
    text = " ".join(words)
    dets: list[Detection] = []
    pos = 0
    for word in words:
        if draw(st.booleans()):
            dets.append(Detection(pos, pos + len(word), word, Kind.naam))
        pos += len(word) + 1
    return text, dets


@given(texts_with_replacements(), st.text(alphabet="XYZ", min_size=1, max_size=9))
def test_text_between_replacements_is_kept_and_positions_round_trip(
    case: tuple[str, list[Detection]], replacement: str
) -> None:
    text, dets = case
    new, omap = apply(text, dets, lambda d: (replacement, "e"))
    inside = {i for d in dets for i in range(d.start + 1, d.end)}
    for pos in range(len(text) + 1):
        if pos not in inside:
            assert omap.to_original(omap.to_new(pos)) == pos
    bounds = [0] + [x for d in dets for x in (d.start, d.end)] + [len(text)]
    for a, b in zip(bounds[::2], bounds[1::2], strict=True):
        start, end = omap.map_span(a, b)
        assert new[start:end] == text[a:b]
