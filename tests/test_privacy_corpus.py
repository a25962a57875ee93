"""The example corpus pseudonymised with deduce: nothing planted survives, consistently."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from verhalen.corpus import Corpus
from verhalen.privacy import PrivacyEngine, PseudonymKey, pseudonymise_corpus
from verhalen.privacy.deduce_backend import load_deduce
from verhalen.privacy.normalise import fold
from verhalen.privacy.replace import OffsetMap
from verhalen.project import Project

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def deduce_instance() -> Any:
    """deduce, loaded once per test session (the library caches it per process)."""
    return load_deduce()


@pytest.fixture(scope="module")
def example() -> tuple[Project, Corpus]:
    project = Project.open(REPO)
    corpus, _ = project.ingest(write=False)
    return project, corpus


@pytest.fixture(scope="module")
def pseudonymised(
    example: tuple[Project, Corpus], deduce_instance: Any
) -> tuple[Corpus, dict[str, OffsetMap], PseudonymKey]:
    project, corpus = example
    engine = PrivacyEngine.from_project(
        project, corpus.participants, deduce_instance=deduce_instance
    )
    key = PseudonymKey("tags")
    pseudo, maps = pseudonymise_corpus(corpus, engine, key)
    return pseudo, maps, key


def planted() -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for path in sorted((REPO / "tests" / "fixtures").glob("planted_*.yaml")):
        found.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return found


def occurs(needle: str, haystack: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(fold(needle))}(?!\w)", fold(haystack)) is not None


def test_no_planted_identifier_survives(
    example: tuple[Project, Corpus], pseudonymised: tuple[Corpus, Any, Any]
) -> None:
    _, corpus = example
    pseudo, _, _ = pseudonymised
    items = planted()
    assert sum(len(v) for v in items.values()) >= 300
    originals = {t.id: t.text for t in corpus.transcripts}
    leaks = []
    for transcript in pseudo.transcripts:
        for item in items.get(transcript.id, []):
            assert occurs(item["text"], originals[transcript.id])  # the fixture is right
            if occurs(item["text"], transcript.text):
                leaks.append((transcript.id, item["kind"]))
    assert leaks == []
    assert all(p.name is None for p in pseudo.participants.values())
    assert [p.role for p in pseudo.participants.values()] == [
        p.role for p in corpus.participants.values()
    ]


def test_the_same_person_gets_the_same_tag_in_every_transcript(
    example: tuple[Project, Corpus], pseudonymised: tuple[Corpus, dict[str, OffsetMap], Any]
) -> None:
    _, corpus = example
    _, maps, key = pseudonymised
    marloes = key.find("Marloes")
    assert marloes is not None and marloes.participant == "p05"
    seen: dict[str, set[str]] = {}
    for transcript in corpus.transcripts:
        for rep in maps[transcript.id].replacements:
            if fold(transcript.text[rep.start : rep.end]) == "marloes":
                seen.setdefault(transcript.id, set()).add(rep.replacement)
    assert len(seen) >= 5  # she is mentioned in many interviews
    elsewhere = {t for tid, reps in seen.items() if tid != "int05" for t in reps}
    assert elsewhere == {marloes.pseudonym}
    assert seen.get("int05", {"[jeugdprofessional]"}) == {"[jeugdprofessional]"}


def test_own_name_becomes_the_role_and_carers_are_reported_as_mothers(
    example: tuple[Project, Corpus], pseudonymised: tuple[Corpus, dict[str, OffsetMap], Any]
) -> None:
    _, corpus = example
    pseudo, maps, _ = pseudonymised
    own = {
        "int01": ("samira", "[moeder]"),
        "int04": ("gerda", "[moeder]"),
        "int06": ("anouk", "[jeugdprofessional]"),
    }
    for tid, (name, role) in own.items():
        original = corpus.transcript(tid).text
        reps = [
            r.replacement for r in maps[tid].replacements if fold(original[r.start : r.end]) == name
        ]
        assert reps and set(reps) == {role}, tid
    assert "[verzorger]" not in pseudo.transcript("int04").text


def test_turns_labels_and_segments_are_kept(
    example: tuple[Project, Corpus], pseudonymised: tuple[Corpus, Any, Any]
) -> None:
    _, corpus = example
    pseudo, _, _ = pseudonymised
    for old, new in zip(corpus.transcripts, pseudo.transcripts, strict=True):
        assert [(t.index, t.speaker, t.role) for t in old.turns] == [
            (t.index, t.speaker, t.role) for t in new.turns
        ]
        assert all(new.text[t.start : t.end] == t.text for t in new.turns)
    assert [s.id for s in corpus.segments] == [s.id for s in pseudo.segments]


def test_key_is_stable_when_new_transcripts_come_in(
    example: tuple[Project, Corpus], deduce_instance: Any, tmp_path: Path
) -> None:
    project, corpus = example
    engine = PrivacyEngine.from_project(
        project, corpus.participants, deduce_instance=deduce_instance
    )
    first = Corpus(corpus.participants, corpus.transcripts[:2], corpus.unit)
    later = Corpus(corpus.participants, corpus.transcripts[:5], corpus.unit)
    key = PseudonymKey()
    _, first_maps = pseudonymise_corpus(first, engine, key)
    key.save(tmp_path / "key.json")
    before = {e.id: (e.pseudonym, [v.text for v in e.variants]) for e in key.entries}
    extended = PseudonymKey.load(tmp_path / "key.json")
    _, all_maps = pseudonymise_corpus(later, engine, extended)
    after = {e.id: (e.pseudonym, [v.text for v in e.variants]) for e in extended.entries}
    assert len(after) > len(before)
    for entry_id, (pseudonym, variants) in before.items():
        assert after[entry_id][0] == pseudonym
        assert after[entry_id][1][: len(variants)] == variants
    # every earlier replacement is made again, identically (later ones may be added)
    for tid, omap in first_maps.items():
        now = {(r.start, r.end): r.replacement for r in all_maps[tid].replacements}
        for rep in omap.replacements:
            assert now.get((rep.start, rep.end)) == rep.replacement


def test_same_input_gives_the_same_output(
    example: tuple[Project, Corpus], deduce_instance: Any
) -> None:
    project, corpus = example
    engine = PrivacyEngine.from_project(
        project, corpus.participants, deduce_instance=deduce_instance
    )
    part = Corpus(corpus.participants, corpus.transcripts[5:8], corpus.unit)
    runs = []
    for _ in range(2):
        key = PseudonymKey()
        pseudo, _ = pseudonymise_corpus(part, engine, key)
        runs.append((key.to_json(), [t.text for t in pseudo.transcripts]))
    assert runs[0] == runs[1]
