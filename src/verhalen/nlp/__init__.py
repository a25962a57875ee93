"""NLP layer: a Dutch spaCy pipeline, note stripping, a project stop list and a doc cache.

Usage::

    from verhalen.nlp import ensure, iter_views, load_pipeline, process
    nlp, info = load_pipeline("auto")      # nl_core_news_sm if installed, else blank nl
    cache = project.cache_dir / "nlp"
    docs = process(texts, nlp, cache=cache)          # a list: small inputs
    stats = ensure(texts, nlp, cache)                # a stage: everything cached, nothing kept
    for view in iter_views(texts, nlp, cache): ...   # streaming: bounded memory

Importing this package registers the spaCy factory ``verhalen_simplemma_lemmatizer``.
Log messages go to logger ``verhalen.nlp`` (a :class:`logging.NullHandler` is attached, so
nothing is printed unless the application configures logging).
"""

import logging

from verhalen.nlp.analysis import TextView, view_of, views_of
from verhalen.nlp.cache import DocCache, ProcessStats
from verhalen.nlp.lemmatizer import FACTORY, SimplemmaLemmatizer, lemma_of
from verhalen.nlp.notes import NOTE_RE, note_spans, strip_notes
from verhalen.nlp.pipeline import PipelineInfo, load_pipeline, pipeline_fingerprint, warmup
from verhalen.nlp.process import ensure, iter_docs, iter_views, process, text_key
from verhalen.nlp.stopwords import is_stop, stop_words

logging.getLogger("verhalen.nlp").addHandler(logging.NullHandler())

__all__ = [
    "FACTORY",
    "NOTE_RE",
    "DocCache",
    "PipelineInfo",
    "ProcessStats",
    "SimplemmaLemmatizer",
    "TextView",
    "ensure",
    "is_stop",
    "iter_docs",
    "iter_views",
    "lemma_of",
    "load_pipeline",
    "note_spans",
    "pipeline_fingerprint",
    "process",
    "stop_words",
    "strip_notes",
    "text_key",
    "view_of",
    "views_of",
    "warmup",
]
