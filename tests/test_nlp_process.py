"""Batch processing with an on-disk DocBin cache keyed by text and pipeline."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import spacy

from tests.test_nlp_shared import blank, trained_pipeline
from verhalen.errors import VerhalenError
from verhalen.nlp import (
    DocCache,
    ensure,
    iter_docs,
    iter_views,
    load_pipeline,
    pipeline_fingerprint,
    process,
    strip_notes,
    views_of,
)
from verhalen.nlp.cache import doc_attrs

TEXTS = [
    "De kinderen spelen samen. (lacht) Ik drink koffie.",
    "Ze gaf mij een goede tip over slapen.",
    "Ik ben niet de enige, dat hoorde ik van de moeders.",
]


class CountingPipe:
    """Wraps ``nlp.pipe`` to count the texts that really go through the pipeline."""

    def __init__(self, nlp: spacy.language.Language) -> None:
        self.nlp = nlp
        self.seen: list[str] = []
        self._pipe = nlp.pipe

    def __call__(self, texts, **kwargs):  # type: ignore[no-untyped-def]
        texts = list(texts)
        self.seen.extend(texts)
        return self._pipe(texts, **kwargs)


def _summary(doc: spacy.tokens.Doc) -> list[tuple[str, str, int, bool]]:
    return [(t.text, t.lemma_, t.idx, bool(t.is_sent_start)) for t in doc]


def test_second_run_processes_nothing(tmp_path: Path, monkeypatch) -> None:
    nlp, info = blank()
    counter = CountingPipe(nlp)
    monkeypatch.setattr(nlp, "pipe", counter)
    first = DocCache(tmp_path / "cache")
    docs = process(TEXTS, nlp, cache=first)
    assert first.last.processed == 3 and first.last.cached == 0
    folder = tmp_path / "cache" / f"docs-{info.fingerprint}"
    assert [p.name for p in folder.iterdir()] == ["shard-000001.spacy"]  # no temp file left

    counter.seen.clear()
    again = DocCache(tmp_path / "cache")  # a new run: read from disk
    cached = process(TEXTS, nlp, cache=again)
    assert counter.seen == []
    assert again.last.processed == 0 and again.last.cached == 3
    assert [_summary(d) for d in cached] == [_summary(d) for d in docs]
    assert cached[0].text == docs[0].text and "(lacht)" not in cached[0].text


def test_only_new_or_changed_texts_are_processed(tmp_path: Path, monkeypatch) -> None:
    nlp, _ = blank()
    process(TEXTS, nlp, cache=tmp_path)
    counter = CountingPipe(nlp)
    monkeypatch.setattr(nlp, "pipe", counter)
    changed = [TEXTS[0], TEXTS[1] + " Echt waar.", "Nieuw fragment.", "Nieuw fragment."]
    cache = DocCache(tmp_path)
    docs = process(changed, nlp, cache=cache)
    assert counter.seen == [changed[1], "Nieuw fragment."]  # duplicates processed once
    assert cache.last.processed == 2
    assert [d.text for d in docs] == [changed[0].replace("(lacht)", "       "), *changed[1:]]


def test_notes_only_differences_share_a_cached_doc(tmp_path: Path) -> None:
    nlp, _ = blank()
    cache = DocCache(tmp_path)
    process(["Ja (lacht) goed."], nlp, cache=cache)
    process(["Ja (zucht) goed."], nlp, cache=cache)
    assert cache.last.processed == 0


def test_another_pipeline_gets_its_own_cache_file(tmp_path: Path) -> None:
    nlp, info = blank()
    other = spacy.blank("nl")  # no lemmatizer: another config, another fingerprint
    assert pipeline_fingerprint(other) != info.fingerprint
    process(TEXTS[:1], nlp, cache=tmp_path)
    cache = DocCache(tmp_path)
    process(TEXTS[:1], other, cache=cache)
    assert cache.last.processed == 1
    assert len(list(tmp_path.glob("docs-*/shard-*.spacy"))) == 2
    cache.clear()
    assert not list(tmp_path.iterdir())


def test_a_corrupt_cache_is_rebuilt(tmp_path: Path, caplog) -> None:
    nlp, info = blank()
    folder = tmp_path / f"docs-{info.fingerprint}"
    folder.mkdir()
    (folder / "shard-000001.spacy").write_bytes(b"not a docbin")
    cache = DocCache(tmp_path)
    with caplog.at_level(logging.WARNING, logger="verhalen.nlp"):
        docs = process(TEXTS, nlp, cache=cache)
    assert "unreadable NLP cache shard" in caplog.text
    assert cache.last.processed == 3 and len(docs) == 3
    fresh = DocCache(tmp_path)
    process(TEXTS, nlp, cache=fresh)
    assert fresh.last.processed == 0


def test_without_cache_order_is_kept_and_batches_work() -> None:
    nlp, _ = blank()
    docs = process([*TEXTS, TEXTS[0]], nlp, batch_size=1)
    assert [d.text.split()[0] for d in docs] == ["De", "Ze", "Ik", "De"]
    assert docs[1][-2].lemma_ == "slapen"
    assert process([], nlp) == []


def test_a_trained_pipeline_keeps_all_its_annotations_through_the_cache(
    tmp_path: Path, tmp_path_factory
) -> None:
    nlp, info = load_pipeline(str(trained_pipeline(tmp_path_factory)))
    assert "TAG" in doc_attrs(nlp) and doc_attrs(blank()[0]) == ("ORTH", "LEMMA", "SENT_START")
    fresh = process(TEXTS, nlp, cache=tmp_path)
    cache = DocCache(tmp_path)
    cached = process(TEXTS, nlp, cache=cache)
    assert cache.last.processed == 0
    for a, b in zip(fresh, cached, strict=True):
        assert [(t.text, t.tag_, t.lemma_, t.whitespace_) for t in a] == [
            (t.text, t.tag_, t.lemma_, t.whitespace_) for t in b
        ]
    assert any(t.tag_ for t in cached[0])
    assert (tmp_path / f"docs-{info.fingerprint}" / "shard-000001.spacy").is_file()


# ---------------------------------------------------------------- streaming and ensure

WORDS = ["koffie", "kinderen", "moeders", "slapen", "groep", "buurt", "school", "werk"]


def many(n: int) -> list[str]:
    """``n`` distinct short Dutch texts (two sentences each)."""
    return [
        f"Ik sprak {i} keer over de {WORDS[i % len(WORDS)]}. Dat was (lacht) goed voor mij."
        for i in range(n)
    ]


def _shards(root: Path) -> list[Path]:
    return sorted(root.glob("docs-*/shard-*.spacy"))


def test_iter_docs_over_several_chunks_equals_process_and_writes_several_shards(
    tmp_path: Path,
) -> None:
    nlp, _ = blank()
    texts = many(7)
    plain = process(texts, nlp)
    cache = DocCache(tmp_path)
    streamed = list(iter_docs(texts, nlp, cache, chunk_size=3))
    assert [_summary(d) for d in streamed] == [_summary(d) for d in plain]
    assert len(_shards(tmp_path)) == 3  # 3 + 3 + 1 new docs
    assert cache.last.processed == 7 and cache.last.cached == 0

    warm = DocCache(tmp_path)
    again = list(iter_docs(texts, nlp, warm, chunk_size=2))
    assert warm.last.processed == 0 and warm.last.cached == 7
    assert [_summary(d) for d in again] == [_summary(d) for d in plain]


def test_order_and_duplicates_are_kept_across_chunks(tmp_path: Path, monkeypatch) -> None:
    nlp, _ = blank()
    a, b, c = many(3)
    texts = [a, b, a, c, b, a, "Ja (lacht).", "Ja (zucht)."]
    counter = CountingPipe(nlp)
    monkeypatch.setattr(nlp, "pipe", counter)
    cache = DocCache(tmp_path)
    docs = list(iter_docs(texts, nlp, cache, chunk_size=2))
    assert [d.text for d in docs] == [strip_notes(t) for t in texts]
    assert sorted(counter.seen) == sorted({strip_notes(t) for t in texts})  # each text once
    assert cache.last.processed == 4 and cache.last.cached == 4
    assert [_summary(d) for d in list(iter_docs(texts, nlp, None, chunk_size=3))] == [
        _summary(d) for d in docs
    ]


def test_iter_docs_reads_its_input_a_chunk_at_a_time(tmp_path: Path) -> None:
    nlp, _ = blank()
    pulled: list[int] = []

    def texts():  # type: ignore[no-untyped-def]
        for i, text in enumerate(many(10)):
            pulled.append(i)
            yield text

    stream = iter_docs(texts(), nlp, tmp_path, chunk_size=4)
    first = next(stream)
    assert first.text.startswith("Ik sprak 0 keer") and len(pulled) == 4
    assert len(list(stream)) == 9 and len(pulled) == 10


def test_iter_views_matches_views_of_process(tmp_path: Path) -> None:
    nlp, _ = blank()
    texts = many(5)
    views = list(iter_views(texts, nlp, tmp_path, chunk_size=2))
    assert views == views_of(process(texts, nlp))
    assert list(iter_views(texts, nlp, tmp_path)) == views  # warm


def test_ensure_on_a_warm_cache_processes_and_decodes_nothing(tmp_path: Path, monkeypatch) -> None:
    nlp, _ = blank()
    texts = many(9)
    stats = ensure(texts, nlp, tmp_path, chunk_size=4)
    assert stats.processed == 9 and stats.cached == 0
    assert len(_shards(tmp_path)) == 3

    counter = CountingPipe(nlp)
    monkeypatch.setattr(nlp, "pipe", counter)
    warm = DocCache(tmp_path)
    reads: list[Path] = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or b"")
    stats = ensure(texts, nlp, warm)
    assert stats.processed == 0 and stats.cached == 9 and warm.last is stats
    assert warm.decodes == 0 and reads == [] and counter.seen == []


def test_ensure_after_one_changed_text_processes_exactly_that_one(
    tmp_path: Path, monkeypatch
) -> None:
    nlp, _ = blank()
    texts = many(9)
    ensure(texts, nlp, tmp_path, chunk_size=4)
    before = {p: p.stat().st_mtime_ns for p in _shards(tmp_path)}
    texts[5] = texts[5].replace("goed", "fijn")
    counter = CountingPipe(nlp)
    monkeypatch.setattr(nlp, "pipe", counter)
    cache = DocCache(tmp_path)
    stats = ensure(texts, nlp, cache)
    assert stats.processed == 1 and stats.cached == 8 and cache.decodes == 0
    assert counter.seen == [strip_notes(texts[5])]
    assert {p: p.stat().st_mtime_ns for p in before} == before  # old shards untouched
    assert len(_shards(tmp_path)) == 4
    docs = list(iter_docs(texts, nlp, DocCache(tmp_path)))
    assert [_summary(d) for d in docs] == [_summary(d) for d in process(texts, nlp)]


def test_ensure_needs_a_cache_and_chunks_must_be_positive(tmp_path: Path) -> None:
    nlp, _ = blank()
    with pytest.raises(VerhalenError, match="no cache"):
        ensure(TEXTS, nlp, None)  # type: ignore[arg-type]
    with pytest.raises(VerhalenError, match="chunk_size"):
        list(iter_docs(TEXTS, nlp, tmp_path, chunk_size=0))


def test_a_few_short_texts_from_a_big_shard_are_recomputed_not_decoded(tmp_path: Path) -> None:
    nlp, _ = blank()
    texts = [*many(60), "Ja."]
    ensure(texts, nlp, tmp_path)
    cache = DocCache(tmp_path)
    docs = process(["Ja.", "Nieuw fragment."], nlp, cache)
    assert cache.last.decoded == 0 and cache.decodes == 0
    assert cache.last.recomputed == 1 and cache.last.processed == 1 and cache.last.cached == 1
    assert _summary(docs[0]) == _summary(nlp("Ja."))
    whole = DocCache(tmp_path)  # most of the shard wanted: it is decoded, nothing recomputed
    process(texts, nlp, whole)
    assert whole.last.decoded == 1 and whole.last.recomputed == 0 and whole.last.processed == 0
