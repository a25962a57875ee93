"""Quote selection: cleaning, trimming, determinism and its constraints."""

from __future__ import annotations

import pandas as pd
import pytest

from verhalen.errors import VerhalenError
from verhalen.report import select_quotes
from verhalen.report.pooling import pool_codings
from verhalen.report.text import (
    ELLIPSIS,
    clean_text,
    decimal_nl,
    md_escape,
    percent_nl,
    stable_hash,
    trim_to_window,
    words,
)

LONG = (
    "Nou, eh, ik kwam voor het eerst toen mijn dochter twee was. (lacht) Ik kende niemand in de "
    "wijk. De eerste keer zat ik alleen maar te kijken. [onverstaanbaar] Maar [NAAM-3] kwam "
    "naast me zitten en vroeg hoe het ging. Ehm... daarna ging ik elke week. We krijgen tips "
    "over slapen en eten, en je hoort dat andere moeders hetzelfde meemaken. Dat je niet de "
    "enige bent, dat is fijn. Thuis probeer ik die tips ook. Soms lukt het, soms niet. Maar ik "
    "weet nu dat het normaal is. Mijn man vindt het ook goed dat ik ga, hij past dan op de "
    "baby. En in de zomer gaan we soms met de hele groep naar het strand, dat is mooi."
)


def test_clean_text_removes_notes_and_hesitations_but_keeps_pseudonym_tags() -> None:
    cleaned = clean_text(LONG)
    for gone in ("(lacht)", "[onverstaanbaar]", " eh,", "Ehm"):
        assert gone not in cleaned
    assert "[NAAM-3]" in cleaned
    assert "  " not in cleaned
    assert clean_text("Ja. Eh... er zijn veel. (lacht) Zal ik beginnen?") == (
        "Ja. Er zijn veel. Zal ik beginnen?"
    )
    assert clean_text("Hm-hm. (stilte) Nee, eh, dat weet ik niet.") == "Nee, dat weet ik niet."


def test_trim_cuts_whole_sentences_marks_the_cut_and_keeps_limits() -> None:
    cleaned = clean_text(LONG)
    assert words(cleaned) > 70
    trimmed = trim_to_window(cleaned, min_words=12, max_words=40, ideal_words=30, keywords=["tip"])
    assert trimmed is not None
    assert 12 <= trimmed.words <= 40
    body = trimmed.text.replace(ELLIPSIS, "").strip()
    assert body in cleaned  # whole sentences, in order, unchanged
    assert body[0].isupper() and body[-1] in ".!?"
    assert trimmed.text.startswith(ELLIPSIS) or trimmed.text.endswith(ELLIPSIS)
    assert "tips" in body  # the keyword steers which window is chosen
    assert trim_to_window("Te kort om te citeren.", min_words=12) is None


def test_one_overlong_sentence_is_cut_at_a_word_boundary() -> None:
    sentence = " ".join(f"woord{i}," if i % 10 == 9 else f"woord{i}" for i in range(100)) + "."
    trimmed = trim_to_window(sentence, min_words=12, max_words=30)
    assert trimmed is not None and trimmed.words <= 30 and trimmed.text.endswith(ELLIPSIS)


def test_dutch_numbers_and_markdown_escaping() -> None:
    assert decimal_nl(41.25) == "41,3" and decimal_nl(None) == "–"
    assert percent_nl(2 / 3) == "67%" and percent_nl(0.125) == "13%"
    assert md_escape("*ster* [NAAM-3] <b> snake_case") == "\\*ster\\* [NAAM-3] \\<b> snake_case"
    assert stable_hash("a") == stable_hash("a") != stable_hash("b")


def _segments() -> pd.DataFrame:
    rows = []
    texts = {
        "s1": LONG,
        "s2": "We krijgen tips over slapen en eten en dat helpt mij echt heel erg veel thuis.",
        "s3": "Tips. Ja.",  # too short
        "s4": "De tips over eten hielp mij, want mijn zoon at bijna niks en nu eet hij beter.",
        "s5": "Ik hoorde van een andere moeder een tip over slapen, die probeer ik nu elke avond.",
        "s6": "Nog een tip die ik kreeg: niet te lang in bad, dan slaapt hij sneller in, zei ze.",
    }
    owners = {"s1": "p1", "s2": "p1", "s3": "p2", "s4": "p2", "s5": "p3", "s6": "p4"}
    roles = {"p1": "moeder", "p2": "verzorger", "p3": "moeder", "p4": "vrijwilliger"}
    for sid, text in texts.items():
        pid = owners[sid]
        rows.append(
            {
                "segment_id": sid,
                "participant_id": pid,
                "role": roles[pid],
                "practice": "huiskamer_groningen",
                "text": text,
            }
        )
    return pd.DataFrame(rows)


def _codings() -> pd.DataFrame:
    rows = [
        ("s1", "tips_en_adviezen", "a"),
        ("s1", "tips_en_adviezen", "b"),
        ("s1", "herkenning", "a"),
        ("s1", "herkenning", "b"),
        ("s2", "tips_en_adviezen", "a"),
        ("s2", "tips_en_adviezen", "b"),
        ("s3", "tips_en_adviezen", "a"),
        ("s3", "tips_en_adviezen", "b"),
        ("s4", "tips_en_adviezen", "a"),
        ("s4", "tips_en_adviezen", "b"),
        ("s5", "tips_en_adviezen", "a"),
        ("s5", "herkenning", "b"),
        ("s6", "tips_en_adviezen", "a"),
        ("s6", "tips_en_adviezen", "b"),
    ]
    return pd.DataFrame(rows, columns=["segment_id", "code_id", "coder"])


THEME = ["tips_en_adviezen", "herkenning"]
LABELS = {"huiskamer_groningen": "De Huiskamer Groningen"}


def test_quotes_are_ranked_by_the_documented_score() -> None:
    quotes = select_quotes(
        _segments(),
        _codings(),
        THEME,
        n=4,
        practice_labels=LABELS,
        role_mapping={"verzorger": "moeder"},
    )
    ids = [q.segment_id for q in quotes]
    # s1 carries two theme codes; s5 two codes too but each from one coder (agreement ½)
    assert ids[0] == "s1" and ids[1] == "s5"
    assert {q.participant_id for q in quotes} == {"p1", "p2", "p3", "p4"}
    assert quotes[0].score.codes == 2 and quotes[0].score.agreement == 1.0
    assert quotes[1].score.agreement == 0.5
    # s4 and s6 tie on codes and agreement: length, then hash decide
    rest = quotes[2:]
    assert [q.score.key() for q in rest] == sorted(q.score.key() for q in rest)


def test_quotes_from_different_participants_readable_and_attributed() -> None:
    quotes = select_quotes(
        _segments(),
        _codings(),
        THEME,
        n=10,
        practice_labels=LABELS,
        role_mapping={"verzorger": "moeder"},
    )
    pids = [q.participant_id for q in quotes]
    assert len(pids) == len(set(pids))
    assert "s2" not in {q.segment_id for q in quotes}  # p1 is already quoted with s1
    assert "s3" not in {q.segment_id for q in quotes}  # too short
    for q in quotes:
        assert 12 <= q.score.words <= 70
        assert "(lacht)" not in q.text and "[onverstaanbaar]" not in q.text
        assert q.participant_id not in q.attribution and q.segment_id not in q.attribution
    p2 = next(q for q in quotes if q.participant_id == "p2")
    assert p2.attribution == "moeder, De Huiskamer Groningen"  # carers reported as moeder
    assert "verzorger" not in " ".join(q.attribution for q in quotes)


def test_quote_selection_is_deterministic_whatever_the_row_order() -> None:
    first = select_quotes(_segments(), _codings(), THEME, n=3)
    for seed in range(5):
        segs = _segments().sample(frac=1, random_state=seed)
        cods = _codings().sample(frac=1, random_state=seed)
        again = select_quotes(segs, cods, list(reversed(THEME)), n=3)
        assert again == first


def test_exclusions_forbidden_names_and_pooling() -> None:
    segs = _segments()
    segs.loc[segs["segment_id"] == "s1", "text"] = LONG.replace("[NAAM-3]", "Annelies")
    quotes = select_quotes(
        segs, _codings(), THEME, n=4, forbidden=["Annelies Vermeulen", "Annelies"]
    )
    assert all("Annelies" not in q.text for q in quotes)
    assert "s1" not in {q.segment_id for q in quotes}
    quotes = select_quotes(
        _segments(), _codings(), THEME, n=4, exclude_segments={"s1"}, exclude_participants={"p4"}
    )
    assert {q.segment_id for q in quotes}.isdisjoint({"s1", "s6"})
    # consensus: s5's codes were each applied by one of two coders, so s5 drops out
    consensus = select_quotes(_segments(), _codings(), THEME, n=4, pooling="consensus")
    assert "s5" not in {q.segment_id for q in consensus}
    pooled = pool_codings(_codings(), rule="consensus")
    assert select_quotes(_segments(), pooled, THEME, n=4) == consensus


def test_bad_limits_and_columns_are_clear_errors() -> None:
    with pytest.raises(VerhalenError, match="min_words"):
        select_quotes(_segments(), _codings(), THEME, min_words=80, max_words=70)
    with pytest.raises(VerhalenError, match="participant_id"):
        select_quotes(_segments().drop(columns="participant_id"), _codings(), THEME)
    with pytest.raises(VerhalenError, match="pooling rule"):
        select_quotes(_segments(), _codings(), THEME, pooling="sometimes")
    assert select_quotes(_segments(), _codings(), []) == []
