"""Detectors without models: patterns, lists, heuristics, merging and tidying."""

from __future__ import annotations

from pathlib import Path

import pytest

from verhalen.errors import ValidationError
from verhalen.privacy.detect import (
    DetectContext,
    Detection,
    Phrase,
    PhraseDetector,
    merge,
    phrase_needs_exact_case,
    tidy,
)
from verhalen.privacy.engine import PrivacyEngine, public_phrases, split_names
from verhalen.privacy.heuristics import HeuristicDetector
from verhalen.privacy.lists import load_local_names, name_variants, parse_local_names
from verhalen.privacy.normalise import Kind, fold, is_sentence_start, mask
from verhalen.privacy.patterns import PatternDetector, elfproef

CTX = DetectContext()


def found(text: str, kind: Kind) -> list[str]:
    dets = merge(PatternDetector().detect(text, CTX), text)
    return [t.text for t in (tidy(d, text) for d in dets) if t is not None and t.kind == kind]


@pytest.mark.parametrize(
    "number",
    [
        "06-38517264",
        "06 12 34 56 78",
        "0612345678",
        "+31 6 1234 5678",
        "+31(0)6-12345678",
        "050-3134567",
        "(0528) 123456",
        "050 367 11 00",
        "0031 50 1234567",
        "0800-1234",
    ],
)
def test_dutch_phone_formats_are_found_whole(number: str) -> None:
    assert found(f"Bel me op {number}, dan weet ik het.", Kind.telefoon) == [number]


@pytest.mark.parametrize(
    "text", ["in 2022 kwam ze", "lijn 23 naar huis", "om 12-03 uur", "prijs 1234567"]
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert found(text, Kind.telefoon) == []


def test_postcodes_with_and_without_space_but_not_years_or_words() -> None:
    text = "Postcode 9736 AB en 9736ab; niet 2022 of 1234 de of 1234 SS."
    assert found(text, Kind.postcode) == ["9736 AB", "9736ab"]


def test_bsn_needs_the_elfproef_or_a_bsn_word() -> None:
    assert elfproef("111222333") and elfproef("123456782")
    assert not elfproef("123456789") and not elfproef("000000000")
    assert found("nummer 123456782 en 123.456.782", Kind.id) == ["123456782", "123.456.782"]
    assert found("bestelling 123456789", Kind.id) == ["123456789"]  # a long number is an id
    assert found("het is 12345678", Kind.id) == ["12345678"]
    assert found("BSN: 987 654 321", Kind.id) == ["987 654 321"]


def test_email_iban_plate_and_numbered_ids() -> None:
    text = (
        "Mail m.hoekstra@kleinestappen-hoogeveen.nl of stuur naar NL91 ABNA 0417 1643 00, "
        "kenteken 12-ABC-3, klantnummer: 4455667, dossiernummer was 2023-114578."
    )
    assert found(text, Kind.email) == ["m.hoekstra@kleinestappen-hoogeveen.nl"]
    ids = found(text, Kind.id)
    assert "NL91 ABNA 0417 1643 00" in ids and "12-ABC-3" in ids and "2023-114578" in ids


def test_dates_of_birth_and_full_dates() -> None:
    text = (
        "Hij is geboren op 14 februari 2022 en zij is jarig op 3 mei. We spraken op "
        "12-03-2025 en 2025-03-12, en ik ben om 3 uur op 5 mei gekomen."
    )
    dates = [fold(d) for d in found(text, Kind.datum)]
    assert "14 februari 2022" in dates and "12-03-2025" in dates and "2025-03-12" in dates
    assert any(d.startswith("3 mei") for d in dates)
    assert not any(d.startswith("5 mei") for d in dates)  # no year, no birth context


def test_addresses_after_street_words_and_prepositions() -> None:
    text = (
        "Ik woon op de Zwaluwlaan 23, Veenlustlaan, nummer 52, aan de Van Iddekingeweg, op "
        "de Veldakkers 19 en aan het Noorderdiepje 31 in groep 3 met lijn 23."
    )
    addresses = found(text, Kind.adres)
    for expected in (
        "Zwaluwlaan 23",
        "Veenlustlaan, nummer 52",
        "Van Iddekingeweg",
        "Veldakkers 19",
        "Noorderdiepje 31",
    ):
        assert expected in addresses
    assert not any("groep" in a.lower() or "lijn" in a.lower() for a in addresses)


def test_phrases_that_are_words_match_only_capitalised_or_next_to_the_person() -> None:
    phrases = [
        Phrase(t, Kind.naam, f, "p19", phrase_needs_exact_case(t))
        for t, f in name_variants("Monique Brouwer")
    ]
    detector = PhraseDetector("deelnemers", phrases)
    text = "Brouwer zei het. De brouwer van het bier. Met een puntje tussen monique en brouwer."
    hits = [(d.start, d.text) for d in detector.detect(text, CTX)]
    assert (0, "Brouwer") in hits
    assert all(text[s - 4 : s] != "Met " for s, _ in hits)
    assert [t for s, t in hits if s > 20] == ["monique", "brouwer"]  # not "de brouwer"


def test_phrase_matching_ignores_case_diacritics_and_spacing() -> None:
    detector = PhraseDetector(
        "x",
        [Phrase("Sevgi Aydın", Kind.naam), Phrase("Beijum", Kind.wijk)],
        suffixes=r"(?i:-(?:oost|west))?",
    )
    text = "SEVGI  aydin woont in Beijum-Oost, niet in Beijumer."
    assert [d.text for d in detector.detect(text, CTX)] == ["SEVGI  aydin", "Beijum-Oost"]


def test_merge_takes_the_union_and_the_most_trusted_kind() -> None:
    text = "Kooistra Transport belde."
    dets = [
        Detection(0, 8, "Kooistra", Kind.naam, "deduce"),
        Detection(0, 18, "Kooistra Transport", Kind.instelling, "instellingspatroon"),
        Detection(9, 18, "Transport", Kind.naam, "heuristiek"),
    ]
    (merged,) = merge(dets, text)
    assert (merged.start, merged.end, merged.kind) == (0, 18, Kind.instelling)
    apart = merge([Detection(0, 3, "Kim", Kind.naam), Detection(4, 7, "Sem", Kind.naam)], "Kim Sem")
    assert len(apart) == 2


def test_tidy_strips_possessives_titles_and_function_words() -> None:
    text = "mevrouw Samira's tas, aan de "
    det = tidy(Detection(0, 16, text[:16], Kind.naam), text)
    assert det is not None and det.text == "Samira"
    assert tidy(Detection(22, 28, "aan de", Kind.naam), text) is None


def test_split_names_separates_adjacent_first_names_only() -> None:
    text = "heeft Ria Nadia gebeld en Hilde Brink"
    parts = split_names(Detection(6, 15, "Ria Nadia", Kind.naam, "deduce"), text)
    assert [p.text for p in parts] == ["Ria", "Nadia"]
    whole = split_names(Detection(26, 37, "Hilde Brink", Kind.naam, "deduce"), text)
    assert [p.text for p in whole] == ["Hilde Brink"]


def test_heuristics_find_institutions_neighbourhoods_and_unknown_names() -> None:
    detector = HeuristicDetector(harmless=["Arabisch"], places=["Beijum"])
    text = (
        "Ik ging naar De Tweesprong. De kinderen spelen. Bij... eh... De Spreekbuis was het. "
        "Via Stichting Kleine Stappen en Budgetwijzer Oost, Henk werkte bij Kooistra "
        "Transport. Ik spreek Arabisch met Trijntje."
    )
    dets = {d.text: d.kind for d in detector.detect(text, CTX)}
    assert dets["De Tweesprong"] == Kind.instelling
    assert dets["De Spreekbuis"] == Kind.instelling  # an ellipsis is no sentence end
    assert dets["Stichting Kleine Stappen"] == Kind.instelling
    assert dets["Budgetwijzer Oost"] == Kind.instelling
    assert dets["Kooistra Transport"] == Kind.instelling
    assert dets["Trijntje"] == Kind.naam
    assert "De kinderen" not in dets and "Arabisch" not in dets


def test_sentence_starts() -> None:
    text = "Ja. De kinderen... De Wieken: Het"
    assert is_sentence_start(text, 4) and not is_sentence_start(text, 17)
    assert is_sentence_start(text, 30) and is_sentence_start(text, 0)


def test_local_names_file_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "lokale_namen.txt"
    path.write_text(
        "# lijst\nwijk: Beijum\nwjik: Lewenborg\nzonder dubbelepunt\nniet: De Huiskamer\n"
        "instellingswoord: Stichting\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        load_local_names(path)
    message = str(info.value)
    assert f"{path}:3" in message and "wjik" in message and "wijk" in message
    assert f"{path}:4" in message
    names, problems = parse_local_names("wijk: Beijum\nniet: De Huiskamer\n", "x")
    assert not problems and names.never == ["De Huiskamer"] and names.phrases[0].kind == Kind.wijk
    assert load_local_names(tmp_path / "missing.txt").phrases == []


def test_never_phrases_are_cut_out_and_practice_labels_are_public() -> None:
    assert public_phrases(["De Huiskamer Groningen"]) == ["De Huiskamer Groningen", "De Huiskamer"]
    engine = PrivacyEngine([HeuristicDetector()], never=public_phrases(["De Huiskamer Groningen"]))
    dets = engine.detect("Ik ga naar De Huiskamer, niet naar De Tweesprong.")
    assert [d.text for d in dets] == ["De Tweesprong"]


def test_mask_never_shows_the_identifier() -> None:
    assert mask("Samira") == "S…a" and mask("Bo") == "B…" and "amir" not in mask("Samira")
