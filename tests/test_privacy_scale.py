"""Pseudonymising at scale: parallel detection gives exactly the sequential result."""

from __future__ import annotations

import json
import pickle
import random
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from verhalen.config import load_config
from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.privacy import (
    PrivacyEngine,
    PseudonymKey,
    pseudonymise_corpus,
    pseudonymise_files,
)
from verhalen.privacy import transcripts as transcripts_module
from verhalen.privacy.deduce_backend import DeduceDetector, load_deduce
from verhalen.privacy.detect import (
    DetectContext,
    Detection,
    Phrase,
    PhraseDetector,
    _overlaps,
    drop_protected,
    trie_pattern,
)
from verhalen.privacy.normalise import Kind, _fold_char, fold, fold_key, fold_marks
from verhalen.privacy.replace import OffsetMap
from verhalen.project import Project

REPO = Path(__file__).resolve().parents[1]
FORK_ONLY = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux only"
)


@pytest.fixture(scope="module")
def example() -> tuple[Project, Corpus]:
    project = Project.open(REPO)
    corpus, _ = project.ingest(write=False)
    return project, corpus


@pytest.fixture(scope="module")
def engine(example: tuple[Project, Corpus]) -> PrivacyEngine:
    project, corpus = example
    return PrivacyEngine.from_project(project, corpus.participants, deduce_instance=load_deduce())


def run(
    corpus: Corpus, engine: PrivacyEngine, key: PseudonymKey, **options: Any
) -> tuple[Corpus, dict[str, OffsetMap]]:
    return pseudonymise_corpus(corpus, engine, key, **options)


def snapshot(key: PseudonymKey, pseudo: Corpus, maps: dict[str, OffsetMap]) -> dict[str, Any]:
    """Everything that leaves the stage, as text: the key, the corpus and the offset maps."""
    return {
        "key": key.to_json(),
        "transcripts": [t.model_dump_json() for t in pseudo.transcripts],
        "participants": {p: v.model_dump_json() for p, v in pseudo.participants.items()},
        "maps": {tid: json.dumps(m.to_json(), sort_keys=True) for tid, m in maps.items()},
    }


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of workers of every process pool started (to be sure one was)."""
    started: list[int] = []
    real = transcripts_module.ProcessPoolExecutor

    def counting(workers: int, *args: Any, **kwargs: Any) -> Any:
        started.append(workers)
        return real(workers, *args, **kwargs)

    monkeypatch.setattr(transcripts_module, "ProcessPoolExecutor", counting)
    return started


@FORK_ONLY
def test_parallel_detection_gives_byte_identical_results(
    example: tuple[Project, Corpus], engine: PrivacyEngine, pools: list[int]
) -> None:
    _, corpus = example
    assert len(corpus.transcripts) >= 10
    sequential_key = PseudonymKey("tags")
    sequential = snapshot(sequential_key, *run(corpus, engine, sequential_key))
    parallel_key = PseudonymKey("tags")
    parallel = snapshot(
        parallel_key, *run(corpus, engine, parallel_key, n_process=2, min_parallel=2)
    )
    assert pools == [2]
    assert len(sequential_key.entries) > 20  # a real key, not an empty one
    assert parallel["key"] == sequential["key"]
    assert parallel["maps"] == sequential["maps"]
    assert parallel["transcripts"] == sequential["transcripts"]
    assert parallel == sequential


@FORK_ONLY
def test_parallel_run_extends_an_existing_key_like_a_sequential_one(
    example: tuple[Project, Corpus], engine: PrivacyEngine, tmp_path: Path, pools: list[int]
) -> None:
    _, corpus = example
    first = Corpus(corpus.participants, corpus.transcripts[:3], corpus.unit)
    key = PseudonymKey("names")
    run(first, engine, key)
    key.save(tmp_path / "key.json")
    results = []
    for n_process in (1, 3):
        extended = PseudonymKey.load(tmp_path / "key.json")
        results.append(
            snapshot(extended, *run(corpus, engine, extended, n_process=n_process, min_parallel=2))
        )
    assert pools == [3]
    assert results[0] == results[1]


@FORK_ONLY
def test_pseudonymised_files_are_the_same_with_workers(
    example: tuple[Project, Corpus], engine: PrivacyEngine, tmp_path: Path, pools: list[int]
) -> None:
    project, corpus = example
    assert len(corpus.transcripts) >= transcripts_module.PARALLEL_MIN_TRANSCRIPTS
    outputs = []
    for n_process in (1, 2):
        key = PseudonymKey("tags")
        out = tmp_path / f"out{n_process}"
        written = pseudonymise_files(
            [project.raw_dir], out, engine, key, project.config, project.raw_dir, None, n_process
        )
        files = {p.name: p.read_bytes() for p in written}
        outputs.append((key.to_json(), files))
    assert pools == [2]
    assert len(outputs[0][1]) == len(corpus.transcripts) + 1  # and the manifest
    assert outputs[0] == outputs[1]


@FORK_ONLY
def test_progress_sees_every_transcript_once_in_id_order(
    example: tuple[Project, Corpus], engine: PrivacyEngine
) -> None:
    _, corpus = example
    part = Corpus(corpus.participants, corpus.transcripts[:6], corpus.unit)
    seen: list[tuple[str, str]] = []

    def progress(items: Iterable[Any], label: str) -> Iterable[Any]:
        for item in items:
            seen.append((label, item.id))
            yield item

    run(part, engine, PseudonymKey(), progress=progress, n_process=2, min_parallel=2)
    assert seen == [("Detecting", t.id) for t in sorted(part.transcripts, key=lambda t: t.id)]


def test_small_corpora_are_detected_without_a_pool(
    example: tuple[Project, Corpus], engine: PrivacyEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, corpus = example
    part = Corpus(corpus.participants, corpus.transcripts[:3], corpus.unit)

    def no_pool(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(transcripts_module, "ProcessPoolExecutor", no_pool)
    run(part, engine, PseudonymKey(), n_process=2)  # below PARALLEL_MIN_TRANSCRIPTS
    run(corpus, engine, PseudonymKey(), n_process=1, min_parallel=2)
    with pytest.raises(AssertionError, match="pool"):
        run(part, engine, PseudonymKey(), n_process=2, min_parallel=2)


class _Failing:
    """A detector that fails with the text in its message (as a careless library might)."""

    name = "kapot"

    def detect(self, text: str, context: DetectContext) -> list[Detection]:
        if "Bakkerstraat" in text:
            raise ValueError(f"cannot handle {text[:200]!r}")
        return []


@FORK_ONLY
def test_a_failing_worker_names_the_transcript_but_never_its_text() -> None:
    from verhalen.records import Transcript

    texts = [f"Dit is gesprek {i} over het weer." for i in range(4)]
    texts[2] = "Mevrouw Jansen woont aan de Bakkerstraat 12 in Veendam."
    transcripts = [
        Transcript(id=f"t{i}", participants=[f"p{i}"], text=text) for i, text in enumerate(texts)
    ]
    corpus = Corpus({}, transcripts)
    engine = PrivacyEngine([_Failing()])
    with pytest.raises(VerhalenError) as info:
        run(corpus, engine, PseudonymKey(), n_process=2, min_parallel=2)
    message = str(info.value)
    assert message.startswith("t2: ")
    assert "ValueError" in message
    assert "Jansen" not in message and "Bakkerstraat" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_deduce_detector_pickles_without_its_lookup_tables() -> None:
    detector = DeduceDetector(instance=object())
    copy = pickle.loads(pickle.dumps(detector))
    assert copy._deduce is None
    assert detector._deduce is not None


def test_n_process_setting(tmp_path: Path) -> None:
    toml = (REPO / "verhalen.toml").read_text(encoding="utf-8")
    assert load_config(REPO / "verhalen.toml").privacy.n_process == 1
    path = tmp_path / "verhalen.toml"
    path.write_text(toml.replace("[privacy]\n", "[privacy]\nn_process = 2\n"), encoding="utf-8")
    assert load_config(path).privacy.n_process == 2
    path.write_text(toml.replace("[privacy]\n", "[privacy]\nn_process = 0\n"), encoding="utf-8")
    with pytest.raises(VerhalenError):
        load_config(path)


def test_drop_protected_matches_the_pairwise_test() -> None:
    rnd = random.Random(7)
    for _ in range(300):
        spans = [
            (a, a + rnd.randint(0, 6))
            for a in (rnd.randint(0, 60) for _ in range(rnd.randint(0, 8)))
        ]
        dets = [
            Detection(s, s + rnd.randint(0, 8), "x", Kind.naam)
            for s in (rnd.randint(0, 70) for _ in range(12))
        ]
        expected = [d for d in dets if not any(_overlaps((d.start, d.end), p) for p in spans)]
        assert drop_protected(dets, spans) == expected


def test_folding_long_texts_equals_folding_every_character() -> None:
    rnd = random.Random(11)
    alphabet = "abcXYZ 019.,-'’\néèëÉçıİßØøŁæœÆ" + "".join(chr(c) for c in range(0x370, 0x3A0))
    for length in (0, 1, 5, 255, 256, 257, 3000):
        text = "".join(rnd.choice(alphabet) for _ in range(length))
        by_char = "".join(_fold_char(c) for c in text)
        marks = "".join(_fold_char(c).upper() if c.isupper() else _fold_char(c) for c in text)
        assert fold(text) == by_char
        assert fold_marks(text) == marks
        assert len(fold(text)) == len(text)
        assert fold_key(text) == " ".join(by_char.replace("’", "'").split())


def test_phrase_trie_matches_exactly_what_the_plain_alternation_matches() -> None:
    from verhalen.privacy.engine import PLACE_SUFFIX
    from verhalen.privacy.normalise import bounded, phrase_pattern

    rnd = random.Random(5)

    def word() -> str:
        return "".join(rnd.choice("abe-.'é") for _ in range(rnd.randint(1, 4)))

    compared = 0
    for _ in range(400):
        phrases = sorted({" ".join(word() for _ in range(rnd.randint(1, 3))) for _ in range(10)})
        suffix = rnd.choice(["", PLACE_SUFFIX])
        plain = "|".join(phrase_pattern(t) for t in sorted(phrases, key=len, reverse=True))
        trie = trie_pattern(phrases)
        assert trie is not None
        old = re.compile(bounded(f"(?:{plain}){suffix}"))
        new = re.compile(bounded(f"(?:{trie}){suffix}"))
        for _ in range(4):
            pieces = []
            for _ in range(8):
                pieces.append(rnd.choice(phrases) if rnd.random() < 0.6 else word())
                pieces.append(rnd.choice([" ", "  ", "\t", "-", ".", "park ", "-oost ", "@", "x"]))
            text = "".join(pieces)
            expected = [m.span() for m in old.finditer(text)]
            assert [m.span() for m in new.finditer(text)] == expected
            compared += len(expected)
    assert compared > 1000


def test_phrase_trie_falls_back_when_it_would_nest_too_deeply() -> None:
    nested = [" ".join(["ab"] * n) for n in range(1, 100)]
    assert trie_pattern(nested) is None
    assert trie_pattern(["  "]) is None
    assert trie_pattern(["ab", "x" * 2000]) is None
    detector = PhraseDetector("test", [Phrase(t, Kind.naam) for t in nested])
    assert [d.text for d in detector.detect("dit is ab ab ab.", DetectContext())] == ["ab ab ab"]


def test_a_large_key_is_searched_quickly() -> None:
    rnd = random.Random(3)
    letters = "abcdefghijklmnopqrstuvwxyz"
    names = {
        "".join(rnd.choice(letters) for _ in range(rnd.randint(4, 9))).capitalize()
        for _ in range(20000)
    }
    detector = PhraseDetector("sleutel", [Phrase(n, Kind.naam) for n in names])
    some = sorted(names)[::2000]
    text = " en ".join(["Het was een gewone dag"] * 3000 + some) + "."
    started = time.perf_counter()
    found = detector.detect(text, DetectContext())
    elapsed = time.perf_counter() - started
    assert [d.text for d in found] == some
    assert elapsed < 0.5  # about 0.01 s; a plain alternation of these names takes 2.4 s
