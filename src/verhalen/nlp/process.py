"""Run the pipeline over many texts: notes blanked, batched, and cached on disk.

:func:`process` blanks transcription notes (:func:`verhalen.nlp.notes.strip_notes`, offsets
unchanged), runs :meth:`spacy.Language.pipe` once over the texts that are not cached yet, and
returns one :class:`spacy.tokens.Doc` per input text, in order.

The cache (:class:`~verhalen.nlp.cache.DocCache`) keeps processed docs in a spaCy
:class:`~spacy.tokens.DocBin`, one file per pipeline (``docs-<fingerprint>.spacy``, the
fingerprint covering the pipeline's name, version and config, see
:func:`verhalen.nlp.pipeline.pipeline_fingerprint`), each doc keyed by the SHA-256 of its
text. Unchanged transcripts and segments are therefore never processed twice, and a changed
pipeline never reuses stale results. Files are written atomically.

``n_process`` is passed to ``nlp.pipe``. Keep it at 1 (the default of ``[nlp] n_process``)
for the blank pipeline: tokenising and lemmatising are so cheap that worker start-up (each
worker imports spaCy and loads simplemma's dictionary) and sending docs back cost far more
than they save. Measured on 1,730 example segments on 2 cores: about 0.3 s with
``n_process=1`` against about 3 s with ``n_process=2``. It may pay off for a large trained
pipeline on many cores.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from verhalen.io import sha256_text
from verhalen.nlp.cache import DocCache, ProcessStats
from verhalen.nlp.notes import strip_notes

logger = logging.getLogger("verhalen.nlp")


def process(
    texts: Sequence[str],
    nlp: Language,
    cache: DocCache | str | Path | None = None,
    *,
    batch_size: int = 64,
    n_process: int = 1,
) -> list[Doc]:
    """Process texts with ``nlp.pipe`` after blanking transcription notes.

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
    stripped = [strip_notes(t) for t in texts]
    if cache is not None and not isinstance(cache, DocCache):
        cache = DocCache(cache)
    keys = [sha256_text(t) for t in stripped] if cache is not None else []
    found: dict[str, Doc] = cache.lookup(nlp, keys) if cache is not None else {}
    todo: dict[str, str] = {}
    if cache is not None:
        for key, text in zip(keys, stripped, strict=True):
            if key not in found:
                todo.setdefault(key, text)
        todo_texts = list(todo.values())
    else:
        todo_texts = list(dict.fromkeys(stripped))
    fresh = list(nlp.pipe(todo_texts, batch_size=batch_size, n_process=n_process))
    stats = ProcessStats(processed=len(fresh), cached=len(texts) - len(fresh))
    if cache is not None:
        new = dict(zip(todo, fresh, strict=True))
        cache.store(nlp, new)
        found.update(new)
        cache.last = stats
        out = [found[k] for k in keys]
    else:
        by_text = dict(zip(todo_texts, fresh, strict=True))
        out = [by_text[t] for t in stripped]
    logger.debug("NLP: %d texts processed, %d from cache", stats.processed, stats.cached)
    return out
