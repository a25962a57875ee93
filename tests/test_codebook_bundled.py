"""The bundled codebooks: they validate, follow the domain brief and combine without clashes."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from verhalen.codebook import (
    BUNDLED,
    bundled_text,
    combine,
    dump_codebook,
    load_bundled,
    parse_codebook,
    read_codebook,
)
from verhalen.records import Codebook, FactorKind, OriginKind

SIX = [
    "uitwisselen_en_leren",
    "ontmoeten_en_steunen",
    "ontspannen_en_opladen",
    "professionele_vaardigheden",
    "structuur",
    "groepsdynamiek",
]


@pytest.fixture(scope="module")
def bundled() -> dict[str, Codebook]:
    return {name: load_bundled(name) for name in BUNDLED}


def test_every_bundled_codebook_validates_and_round_trips(bundled: dict[str, Codebook]) -> None:
    for name, cb in bundled.items():
        assert cb.id == name
        assert cb.codes and cb.factors and cb.changelog
        text = bundled_text(name)
        # the file is in the dumper's own layout, so the first change gives a minimal diff
        assert dump_codebook(cb) == text
        assert parse_codebook(text) == cb


def test_six_factors_plus_overig_with_four_to_ten_codes_each(
    bundled: dict[str, Codebook],
) -> None:
    cb = bundled["zes_factoren"]
    assert [f.id for f in cb.factors] == [*SIX, "overig"]
    kinds = {f.id: f.kind for f in cb.factors}
    assert {kinds[f] for f in SIX[:3]} == {FactorKind.inhoudelijk}
    assert {kinds[f] for f in SIX[3:]} == {FactorKind.procesmatig}
    for factor in cb.factors:
        codes = [c for c in cb.codes if cb.factor_of(c.id) == factor.id]
        assert 4 <= len(codes) <= 10, factor.id
        assert factor.kenmerkende_elementen and factor.description


def test_codes_are_complete_and_cues_are_lemmas(bundled: dict[str, Codebook]) -> None:
    for cb in bundled.values():
        ids = {c.id for c in cb.codes}
        for code in cb.codes:
            assert code.definition and code.inclusion and code.exclusion, code.id
            assert 1 <= len(code.examples) <= 3, code.id
            assert 5 <= len(code.keywords) <= 15, code.id
            for word in code.keywords:
                assert re.fullmatch(r"[a-zëéèïöüç]+", word), (code.id, word)
            for pattern in code.lemma_patterns:
                assert pattern == pattern.lower() and " " in pattern, (code.id, pattern)
            assert code.origin.kind == OriginKind.deductive and code.origin.source
            assert code.created and code.modified
            # exclusion criteria that point at another code name an existing one
            for rule in code.exclusion:
                for target in re.findall(r"\bcodes? ([a-z_]+(?:, [a-z_]+)*)", rule):
                    for ref in target.split(", "):
                        if "_" in ref:
                            assert ref in ids or ref == "tips_en_adviezen", (code.id, ref)


def test_project_codebook_started_as_the_bundled_six_factors(repo_root: Path) -> None:
    # The example project's codebook evolved through calibration; its first recorded
    # version is the bundled codebook, and its history follows from there.
    first = repo_root / "codebook" / ".versions" / "zes_factoren" / "1.0.yaml"
    assert first.read_text(encoding="utf-8") == bundled_text("zes_factoren")
    current = read_codebook(repo_root / "codebook" / "zes_factoren.yaml")
    assert current.changelog[0].version == "1.0"
    assert {c.id for c in current.codes} == {c.id for c in load_bundled("zes_factoren").codes}


def test_no_participant_name_in_any_codebook_text(
    bundled: dict[str, Codebook], repo_root: Path
) -> None:
    with open(repo_root / "data" / "raw" / "participants.csv", encoding="utf-8") as fh:
        names = {
            part for row in csv.DictReader(fh) for part in row["name"].split() if len(part) > 3
        }
    assert names
    for name, cb in bundled.items():
        text = dump_codebook(cb)
        leaked = {n for n in names if re.search(rf"\b{re.escape(n)}\b", text)}
        assert not leaked, (name, leaked)


def test_all_bundled_codebooks_combine_without_clashing_ids(
    bundled: dict[str, Codebook],
) -> None:
    combined = combine([(name, cb) for name, cb in bundled.items()])
    assert len(combined.codes) == sum(len(cb.codes) for cb in bundled.values())
    assert combined.factor_of("herkenning") == "uitwisselen_en_leren"
    assert combined.factor_of("partnerrelatie") == "thuisklimaat"
    assert combined.version == "1.0"
