"""The sharded doc cache: index from headers, bounded decoding, compaction, damage, size."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from spacy.tokens import Doc

from tests.test_nlp_shared import blank
from verhalen.errors import VerhalenError
from verhalen.nlp import DocCache, iter_docs, process, strip_notes, text_key
from verhalen.nlp import cache as cache_module
from verhalen.nlp.cache import MAGIC, _pack

WORDS = ["koffie", "kinderen", "moeders", "slapen", "groep", "buurt", "school", "werk"]


def many(n: int, start: int = 0) -> list[str]:
    """``n`` distinct short Dutch texts (two sentences each)."""
    return [
        f"De {WORDS[i % len(WORDS)]} kwamen {i} keer langs. Ik (lacht) vond het fijn."
        for i in range(start, start + n)
    ]


def summary(doc: Doc) -> tuple[str, list[str], list[bool]]:
    return doc.text, [t.lemma_ for t in doc], [bool(t.is_sent_start) for t in doc]


def fill(cache: DocCache, texts: list[str], per_shard: int) -> dict[str, Doc]:
    """Process ``texts`` and store them ``per_shard`` docs per store call."""
    nlp, _ = blank()
    docs = {text_key(t): nlp(strip_notes(t)) for t in texts}
    items = list(docs.items())
    for i in range(0, len(items), per_shard):
        cache.store(nlp, dict(items[i : i + per_shard]))
    return docs


def stat(path: Path) -> tuple[int, int, bytes]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, path.read_bytes()


def test_docs_from_several_shards_equal_freshly_processed_ones(tmp_path: Path) -> None:
    nlp, _ = blank()
    texts = many(10)
    fresh = fill(DocCache(tmp_path, shard_size=4), texts, per_shard=10)
    cache = DocCache(tmp_path)
    assert len(cache.shards(nlp)) == 3 and cache.count(nlp) == 10  # 4 + 4 + 2
    found = cache.lookup(nlp, reversed(list(fresh)))
    assert {k: summary(d) for k, d in found.items()} == {k: summary(d) for k, d in fresh.items()}
    assert any(len(list(d.sents)) == 2 for d in found.values())
    assert found[text_key(texts[0])][1].lemma_ == "koffie"


def test_store_never_rewrites_an_existing_shard(tmp_path: Path) -> None:
    nlp, _ = blank()
    cache = DocCache(tmp_path)
    fill(cache, many(3), per_shard=3)
    (first,) = cache.shards(nlp)
    before = stat(first)
    assert cache.store(nlp, {text_key(t): nlp(strip_notes(t)) for t in many(3)}) == 0
    fill(cache, many(2, start=3), per_shard=1)
    again = DocCache(tmp_path)
    fill(again, many(2, start=5), per_shard=2)
    assert stat(first) == before
    assert [p.name for p in again.shards(nlp)] == [f"shard-{n:06d}.spacy" for n in (1, 2, 3, 4)]
    assert again.count(nlp) == 7


def test_lookup_decodes_only_the_shard_holding_the_keys(tmp_path: Path, monkeypatch) -> None:
    nlp, _ = blank()
    texts = many(9)
    fill(DocCache(tmp_path), texts, per_shard=3)
    cache = DocCache(tmp_path)
    read: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or original(self))
    found = cache.lookup(nlp, [text_key(texts[4]), text_key(texts[5]), "onbekend"])
    assert [summary(d)[0] for d in found.values()] == [strip_notes(t) for t in texts[4:6]]
    assert [p.name for p in read] == ["shard-000002.spacy"] and cache.decodes == 1
    cache.lookup(nlp, [text_key(texts[3])])  # same shard: still decoded, no new read
    assert cache.decodes == 1 and len(read) == 1


def test_at_most_max_loaded_shards_stay_decoded(tmp_path: Path) -> None:
    nlp, _ = blank()
    texts = many(9)
    fill(DocCache(tmp_path), texts, per_shard=3)
    cache = DocCache(tmp_path, max_loaded=1)
    assert len(cache.lookup(nlp, [text_key(t) for t in texts])) == 9
    assert cache.decodes == 3 and len(cache._loaded) == 1
    cache.lookup(nlp, [text_key(texts[0])])  # shard 1 was dropped: decoded again
    assert cache.decodes == 4


def test_small_shards_are_compacted_and_every_doc_kept(tmp_path: Path) -> None:
    nlp, _ = blank()
    texts = many(7)
    cache = DocCache(tmp_path, shard_size=40, compact_at=4)  # small: fewer than 10 docs
    fresh = fill(cache, texts[:3], per_shard=1)
    assert len(cache.shards(nlp)) == 3
    fresh |= fill(cache, texts[3:4], per_shard=1)  # the 4th small shard: merged
    assert [p.name for p in cache.shards(nlp)] == ["shard-000005.spacy"]
    fresh |= fill(cache, texts[4:6], per_shard=1)
    assert [p.name for p in cache.shards(nlp)] == [f"shard-{n:06d}.spacy" for n in (5, 6, 7)]
    fresh |= fill(cache, texts[6:], per_shard=1)  # 5 (still small) + 6 + 7 + 8: merged
    assert [p.name for p in cache.shards(nlp)] == ["shard-000009.spacy"]
    fresh |= fill(cache, many(2, start=7), per_shard=1)
    assert DocCache(tmp_path).compact(nlp) == 3
    reread = DocCache(tmp_path)
    assert [p.name for p in reread.shards(nlp)] == ["shard-000012.spacy"]
    assert reread.count(nlp) == 9
    found = reread.lookup(nlp, fresh)
    assert {k: summary(d) for k, d in found.items()} == {k: summary(d) for k, d in fresh.items()}
    assert not list(tmp_path.glob("docs-*/.*"))  # no temporary files left


def test_a_shard_with_a_damaged_body_is_dropped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nlp, info = blank()
    texts = many(6)
    fill(DocCache(tmp_path), texts, per_shard=3)
    second = tmp_path / f"docs-{info.fingerprint}" / "shard-000002.spacy"
    keys = [text_key(t) for t in texts[3:]]
    second.write_bytes(_pack(keys, b"\x78\x01 not zlib"))  # a good header, a bad DocBin
    cache = DocCache(tmp_path)
    with caplog.at_level(logging.WARNING, logger="verhalen.nlp"):
        docs = process(texts, nlp, cache)
    assert "shard-000002.spacy: unreadable NLP cache shard" in caplog.text
    assert cache.last.processed == 3 and cache.last.cached == 3
    assert [d.text for d in docs] == [strip_notes(t) for t in texts]
    assert not second.exists()
    again = DocCache(tmp_path)
    process(texts, nlp, again)
    assert again.last.processed == 0


def test_a_truncated_header_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    nlp, info = blank()
    folder = tmp_path / f"docs-{info.fingerprint}"
    folder.mkdir()
    (folder / "shard-000007.spacy").write_bytes(MAGIC + (10**6).to_bytes(8, "big") + b"[")
    cache = DocCache(tmp_path)
    with caplog.at_level(logging.WARNING, logger="verhalen.nlp"):
        assert cache.count(nlp) == 0
    assert "truncated" in caplog.text
    fill(cache, many(1), per_shard=1)
    assert [p.name for p in cache.shards(nlp)] == ["shard-000008.spacy"]  # numbers not reused


def test_prune_drops_unwanted_docs_and_keeps_wanted_ones(tmp_path: Path) -> None:
    nlp, _ = blank()
    texts = many(12)
    fill(DocCache(tmp_path), texts, per_shard=4)
    cache = DocCache(tmp_path)
    keep = [text_key(t) for t in texts[4:8]] + [text_key(texts[8])]
    assert cache.prune(nlp, keep) == 7  # shard 1 deleted, shard 3 rewritten with 1 doc
    assert cache.count(nlp) == 5
    assert [p.name for p in cache.shards(nlp)] == ["shard-000002.spacy", "shard-000004.spacy"]
    assert set(DocCache(tmp_path).lookup(nlp, [text_key(t) for t in texts])) == set(keep)


def test_max_bytes_deletes_the_oldest_shards(tmp_path: Path) -> None:
    nlp, _ = blank()
    cache = DocCache(tmp_path, max_bytes=1)
    fill(cache, many(6), per_shard=2)
    assert [p.name for p in cache.shards(nlp)] == ["shard-000003.spacy"]
    assert cache.count(nlp) == 2


def test_old_single_file_caches_are_removed(tmp_path: Path) -> None:
    nlp, info = blank()
    legacy = tmp_path / f"docs-{info.fingerprint}.spacy"
    other = tmp_path / "docs-0123456789abcdef.spacy"
    for path in (legacy, other):
        path.write_bytes(b"old layout")
    cache = DocCache(tmp_path)
    fill(cache, many(2), per_shard=2)
    assert not legacy.exists() and other.exists()
    cache.clear()
    assert os.listdir(tmp_path) == [] and cache.count(nlp) == 0


def test_sizes_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(VerhalenError, match="shard_size"):
        DocCache(tmp_path, shard_size=0)


def test_a_failing_write_is_raised_and_leaves_nothing_indexed(tmp_path: Path, monkeypatch) -> None:
    nlp, _ = blank()

    def full(*args):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(cache_module, "atomic_write_bytes", full)
    cache = DocCache(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        list(iter_docs(many(5), nlp, cache, chunk_size=2))
    assert cache.count(nlp) == 0 and DocCache(tmp_path).count(nlp) == 0
