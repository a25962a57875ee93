"""Run the pipeline over many texts: notes blanked, batched, cached on disk, streamed.

Every entry point blanks transcription notes (:func:`verhalen.nlp.notes.strip_notes`,
offsets unchanged), runs :meth:`spacy.Language.pipe` only over texts that are not cached yet,
and caches the results (:class:`~verhalen.nlp.cache.DocCache`: sharded spaCy DocBins per
pipeline fingerprint, each doc keyed by the SHA-256 of its note-blanked text,
:func:`text_key`). Unchanged transcripts and segments are therefore never processed twice,
and a changed pipeline never reuses stale results.

* :func:`iter_docs` yields one doc per text, in order, working ``chunk_size`` texts at a
  time (look up the chunk, process its missing texts, store them as a new shard, yield), so
  memory is bounded by a chunk, not by the corpus. :func:`iter_views` yields the light
  :class:`~verhalen.nlp.analysis.TextView` of each doc instead.
* :func:`ensure` makes sure every text is cached, deciding from the cache index alone: no
  cached doc is decoded. This is what a pipeline stage "process the corpus" needs.
* :func:`process` returns a list (all docs in memory at once; one chunk, so identical texts
  share one doc).

New docs are converted for the cache as ``nlp.pipe`` yields them (so they need not be kept),
and written as one shard at the end of each chunk. Compressing in a writer thread was tried
and dropped: on the shared 2-core machines it made the stage slower (GIL hand-offs).

``n_process`` is passed to ``nlp.pipe`` (once per chunk). Keep it at 1 (the default of
``[nlp] n_process``) for the blank pipeline: tokenising and lemmatising are so cheap that
worker start-up (each worker imports spaCy and loads simplemma's dictionary) and sending docs
back cost far more than they save. Measured on 2 cores (``benchmarks/RESULTS.md``): the
31,736 segments of the 500-interview benchmark corpus take about 7.6 s with ``n_process=1``
against about 70 s with ``n_process=2``. It may pay off for a large trained pipeline on many
cores, with a large ``chunk_size`` (workers are started for every chunk).

Cost (blank pipeline, 2 shared cores, so ratios are medians of noisy pairs): a cold stage
(notes blanked, hashing, shards written) takes about 1.2× bare ``list(nlp.pipe(...))`` at
500 interviews, and 1.3× (wall; 1.5× CPU) bare streaming ``nlp.pipe`` at 5,000. The extra is
converting docs to arrays and zlib-compressing them (about 0.5 µs per token against spaCy's
1.7). At 5,000 interviews (326k segments) :func:`iter_docs` peaks at 95 MB above the memory
of the texts themselves, where the list API needed 9 GB; a warm :func:`ensure` takes 2.5 s
there and 0.3 s at 500 interviews, where a warm list :func:`process` took 3.6 s before.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from verhalen.errors import VerhalenError
from verhalen.io import sha256_text
from verhalen.nlp.analysis import TextView, view_of
from verhalen.nlp.cache import DocCache, ProcessStats
from verhalen.nlp.notes import strip_notes

logger = logging.getLogger("verhalen.nlp")

DEFAULT_CHUNK_SIZE = 5000


def text_key(text: str) -> str:
    """The cache key of a text: SHA-256 of the text with its notes blanked."""
    return sha256_text(strip_notes(text))


def _as_cache(cache: DocCache | str | Path | None) -> DocCache | None:
    if cache is None or isinstance(cache, DocCache):
        return cache
    return DocCache(cache)


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    if size < 1:
        raise VerhalenError(
            f"NLP: chunk_size must be at least 1, got {size} — use the default "
            f"({DEFAULT_CHUNK_SIZE}) or another positive number of texts"
        )
    it = iter(texts)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _chunk_docs(
    texts: list[str],
    nlp: Language,
    cache: DocCache | None,
    stats: ProcessStats,
    batch_size: int,
    n_process: int,
) -> Iterator[Doc]:
    """Docs of one chunk, in order: cached ones looked up, the others processed and stored.

    New docs are yielded as ``nlp.pipe`` makes them (and converted for the cache right
    away); only docs of texts repeated within the chunk are kept until their last use.
    """
    stripped = [strip_notes(t) for t in texts]
    keys = stripped if cache is None else [sha256_text(t) for t in stripped]
    todo = dict(zip(keys, stripped, strict=False))  # first text of each key (texts are equal)
    repeats = {k for k, n in Counter(keys).items() if n > 1}
    found: dict[str, Doc] = {}
    new: set[str] = set()
    writer = None
    if cache is not None:
        decodes = cache.decodes
        found = cache.lookup(nlp, todo, sizes={k: len(t) for k, t in todo.items()})
        stats.decoded += cache.decodes - decodes
        new = cache.missing(nlp, (k for k in todo if k not in found))
        writer = cache.writer(nlp)
    run = [t for k, t in todo.items() if k not in found]
    fresh = iter(nlp.pipe(run, batch_size=batch_size, n_process=n_process))
    for key in keys:
        doc = found.get(key)
        if doc is None:
            doc = next(fresh)
            if writer is not None and key in new:
                writer.add(key, doc)
            if key in repeats:
                found[key] = doc
        yield doc
    stored = writer.close() if writer is not None else len(run)
    stats.processed += stored
    stats.recomputed += len(run) - stored
    stats.cached += len(texts) - stored


def iter_docs(
    texts: Iterable[str],
    nlp: Language,
    cache: DocCache | str | Path | None = None,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[Doc]:
    """Yield one processed doc per text, in order, a chunk of texts at a time.

    Parameters
    ----------
    texts
        Segment or transcript texts (any iterable; read ``chunk_size`` at a time). Each doc's
        text is the input with its notes replaced by spaces, so ``doc[i].idx`` is an offset
        into the original text.
    nlp
        A pipeline from :func:`verhalen.nlp.load_pipeline` (any spaCy pipeline works).
    cache
        A :class:`DocCache`, or a folder for one, or ``None`` for no caching. Its ``last``
        stats are updated as chunks are done.
    batch_size
        Texts per batch in ``nlp.pipe``.
    n_process
        Worker processes for ``nlp.pipe``; 1 (the default) unless measured to help.
    chunk_size
        Texts per chunk: the new docs of a chunk are stored as one shard, and memory is
        bounded by one chunk of docs.

    Yields
    ------
    spacy.tokens.Doc
        One doc per text; identical texts within a chunk share one doc.

    Raises
    ------
    VerhalenError
        If ``chunk_size`` is below 1.
    """
    cache = _as_cache(cache)
    stats = ProcessStats()
    if cache is not None:
        cache.last = stats
    for chunk in _chunks(texts, chunk_size):
        yield from _chunk_docs(chunk, nlp, cache, stats, batch_size, n_process)
    logger.debug(
        "NLP: %d texts processed, %d cached (%d recomputed), %d shards decoded",
        stats.processed,
        stats.cached,
        stats.recomputed,
        stats.decoded,
    )


def iter_views(
    texts: Iterable[str],
    nlp: Language,
    cache: DocCache | str | Path | None = None,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[TextView]:
    """:func:`iter_docs`, yielding the :class:`~verhalen.nlp.analysis.TextView` of each doc.

    Parameters and errors are those of :func:`iter_docs`.
    """
    for doc in iter_docs(
        texts, nlp, cache, batch_size=batch_size, n_process=n_process, chunk_size=chunk_size
    ):
        yield view_of(doc)


def ensure(
    texts: Iterable[str],
    nlp: Language,
    cache: DocCache | str | Path,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ProcessStats:
    """Process and cache the texts that are not cached yet; decode nothing.

    Whether a text is cached is decided from the cache index (the shard headers), so a warm
    run costs little more than hashing the texts.

    Parameters
    ----------
    texts
        Segment or transcript texts (any iterable).
    nlp
        The pipeline.
    cache
        A :class:`DocCache` or a folder for one.
    batch_size, n_process, chunk_size
        As for :func:`iter_docs`.

    Returns
    -------
    ProcessStats
        Texts processed (and stored) and texts already cached; also set as ``cache.last``.

    Raises
    ------
    VerhalenError
        If ``chunk_size`` is below 1 or ``cache`` is ``None``.
    """
    store = _as_cache(cache)
    if store is None:
        raise VerhalenError(
            "ensure: no cache given — pass a DocCache or a folder (e.g. "
            "project.cache_dir / 'nlp'); without a cache there is nothing to ensure"
        )
    stats = ProcessStats()
    store.last = stats
    for chunk in _chunks(texts, chunk_size):
        stripped = [strip_notes(t) for t in chunk]
        todo = dict(zip((sha256_text(t) for t in stripped), stripped, strict=False))
        missing = store.missing(nlp, todo)
        run = {k: t for k, t in todo.items() if k in missing}
        writer = store.writer(nlp)
        docs = nlp.pipe(run.values(), batch_size=batch_size, n_process=n_process)
        for key, doc in zip(run, docs, strict=True):
            writer.add(key, doc)
        stored = writer.close()
        stats.processed += stored
        stats.cached += len(chunk) - stored
    logger.debug("NLP ensure: %d texts processed, %d cached", stats.processed, stats.cached)
    return stats


def process(
    texts: Sequence[str],
    nlp: Language,
    cache: DocCache | str | Path | None = None,
    *,
    batch_size: int = 64,
    n_process: int = 1,
) -> list[Doc]:
    """Process texts with ``nlp.pipe`` after blanking transcription notes.

    All docs are returned at once; for a large corpus prefer :func:`iter_docs` or
    :func:`iter_views` (bounded memory) or :func:`ensure` (nothing returned).

    Parameters
    ----------
    texts
        Segment or transcript texts. Each returned doc's text is the input with its notes
        replaced by spaces, so ``doc[i].idx`` is an offset into the original text.
    nlp
        A pipeline from :func:`verhalen.nlp.load_pipeline` (any spaCy pipeline works).
    cache
        A :class:`DocCache`, or a folder for one, or ``None`` for no caching.
    batch_size
        Texts per batch in ``nlp.pipe``.
    n_process
        Worker processes for ``nlp.pipe``; 1 (the default) unless measured to help.

    Returns
    -------
    list of spacy.tokens.Doc
        One doc per text, in input order; identical texts share one doc.
    """
    return list(
        iter_docs(
            texts,
            nlp,
            cache,
            batch_size=batch_size,
            n_process=n_process,
            chunk_size=max(1, len(texts)),
        )
    )
