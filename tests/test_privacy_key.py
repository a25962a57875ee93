"""The pseudonym key: variants, storage (mode 600), stability, lookup, names style."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from verhalen.errors import ConfigError, VerhalenError
from verhalen.privacy.detect import Detection
from verhalen.privacy.key import PseudonymKey
from verhalen.privacy.normalise import Kind


def det(text: str, kind: Kind = Kind.naam) -> Detection:
    return Detection(0, len(text), text, kind)


def test_every_variant_of_a_participant_gets_the_same_pseudonym() -> None:
    key = PseudonymKey()
    entry = key.add_participant("p01", "Samira El Amrani")
    for variant in ("Samira El Amrani", "Samira", "samira", "El Amrani", "Amrani", "SAMIRA"):
        assert key.find(variant) is entry
    assert key.register(det("Samira")) is entry
    assert entry.pseudonym == "[NAAM-1]" and entry.participant == "p01"


def test_a_full_name_joins_an_earlier_first_name_and_numbers_run_per_kind() -> None:
    key = PseudonymKey()
    hilde = key.register(det("Hilde"))
    assert key.register(det("Hilde Brink")) is hilde
    assert key.find("Brink") is hilde
    place = key.register(det("Beijum", Kind.wijk))
    other = key.register(det("Peter Zwiers"))
    assert (hilde.pseudonym, place.pseudonym, other.pseudonym) == (
        "[NAAM-1]",
        "[WIJK-1]",
        "[NAAM-2]",
    )
    assert key.find("Zwiers") is other and key.find("Peter") is other


def test_key_is_saved_private_and_reloads_identically(tmp_path: Path) -> None:
    path = tmp_path / "private" / "pseudoniemen.json"
    key = PseudonymKey()
    key.add_participant("p01", "Samira El Amrani")
    key.register(det("Krakeel", Kind.wijk))
    key.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = PseudonymKey.load(path, "tags")
    assert again.to_json() == key.to_json()
    assert json.loads(path.read_text())["format"] == "verhalen-pseudonym-key"


def test_extending_the_key_never_changes_earlier_pseudonyms(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    first = PseudonymKey()
    for text in ("Yasmina", "Karim", "Adam"):
        first.register(det(text))
    first.save(path)
    before = {e.variants[0].text: e.pseudonym for e in first.entries}
    second = PseudonymKey.load(path)
    for text in ("Emre", "Karim", "Elif", "Yasmina"):
        second.register(det(text))
    after = {e.variants[0].text: e.pseudonym for e in second.entries}
    assert all(after[name] == pseudonym for name, pseudonym in before.items())
    assert after["Emre"] == "[NAAM-4]" and after["Elif"] == "[NAAM-5]"


def test_lookup_and_reverse_work_both_ways() -> None:
    key = PseudonymKey()
    key.add_participant("p01", "Samira El Amrani")
    wijk = key.register(det("De Wieken", Kind.wijk))
    assert [e.id for e in key.lookup("samira")] == ["naam-1"]
    assert [e.id for e in key.lookup("[WIJK-1]")] == ["wijk-1"]
    assert [e.id for e in key.lookup("wijk-1")] == ["wijk-1"]
    assert [e.id for e in key.lookup("Wiek")] == ["wijk-1"]  # a part, when nothing is exact
    assert key.reverse("[WIJK-1]") is wijk and key.reverse("WIJK-1") is wijk
    assert key.lookup("Onbekend") == []


def test_bad_key_files_and_style_changes_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(VerhalenError, match="not a valid pseudonym key"):
        PseudonymKey.load(path)
    PseudonymKey("tags").save(path)
    with pytest.raises(ConfigError, match=r"style 'tags'.*'names'"):
        PseudonymKey.load(path, "names")


def test_names_style_is_deterministic_and_never_reuses_an_original() -> None:
    def build() -> PseudonymKey:
        key = PseudonymKey("names")
        key.add_participant("p01", "Anke Akkerman")  # a real name that is also on the list
        for text in ("Yasmina", "Hilde Brink", "Karim"):
            key.register(det(text))
        key.register(det("Krakeel", Kind.wijk))
        key.register(det("06-12345678", Kind.telefoon))
        return key

    one, two = build(), build()
    assert one.to_json() == two.to_json()
    pseudonyms = [e.pseudonym for e in one.entries]
    assert len(set(pseudonyms)) == len(pseudonyms)
    originals = {v.text.casefold() for e in one.entries for v in e.variants}
    for entry in one.entries:
        assert not {p.casefold() for p in entry.pseudonym.split()} & originals
    hilde = one.find("Hilde Brink")
    assert hilde is not None
    first, last = hilde.pseudonym.split(" ", 1)
    assert one.render(hilde, "Hilde") == first and one.render(hilde, "Brink") == last
    phone = one.find("06-12345678")
    assert phone is not None and phone.pseudonym == "[TELEFOON-1]"


def test_full_name_first_name_and_possessive_share_one_pseudonym_in_text() -> None:
    from verhalen.privacy.engine import PrivacyEngine
    from verhalen.records import Participant

    participants = {
        "p01": Participant(id="p01", role="moeder", practice="x", name="Samira El Amrani")
    }
    engine = PrivacyEngine([], participants, own_name="pseudonym")
    key = PseudonymKey()
    engine.prepare_key(key)
    text = "Samira El Amrani kwam. Later zei samira: Samira's dochter en mevrouw El Amrani."
    new, _ = engine.pseudonymise_text(text, key)
    assert new == "[NAAM-1] kwam. Later zei [NAAM-1]: [NAAM-1]'s dochter en mevrouw [NAAM-1]."
    own = PrivacyEngine([], participants, roles={"moeder": "moeder"})
    assert own.pseudonymise_text("Samira's kind", key, "p01")[0] == "[moeder]'s kind"
