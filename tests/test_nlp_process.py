"""Batch processing with an on-disk DocBin cache keyed by text and pipeline."""

from __future__ import annotations

from pathlib import Path

import spacy

from tests.test_nlp_shared import blank, trained_pipeline
from verhalen.nlp import DocCache, load_pipeline, pipeline_fingerprint, process
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
    assert (tmp_path / "cache" / f"docs-{info.fingerprint}.spacy").is_file()
    assert not list((tmp_path / "cache").glob(".*.tmp"))  # atomic write left nothing behind

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
    assert len(list(tmp_path.glob("docs-*.spacy"))) == 2
    cache.clear()
    assert not list(tmp_path.glob("docs-*.spacy"))


def test_a_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    nlp, info = blank()
    (tmp_path / f"docs-{info.fingerprint}.spacy").write_bytes(b"not a docbin")
    cache = DocCache(tmp_path)
    docs = process(TEXTS, nlp, cache=cache)
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
    assert (tmp_path / f"docs-{info.fingerprint}.spacy").is_file()
