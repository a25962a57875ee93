"""The on-disk cache of processed docs: one spaCy DocBin per pipeline, keyed by text hash.

File layout (``<directory>/docs-<fingerprint>.spacy``): a magic line, the keys (SHA-256 of
each processed text) as JSON with an 8-byte length prefix, then the bytes of a spaCy
:class:`~spacy.tokens.DocBin` (standard format, readable with ``DocBin().from_bytes``).
Keys are not stored as per-doc ``user_data``, which makes reading about 5× slower.

spaCy's :meth:`DocBin.add` collects the strings of a doc token by token in Python, which for
a cheap pipeline costs as much as processing the text. :class:`_FastDocBin` collects them
once per distinct hash with numpy instead, and new docs are merged into the stored bin
(:meth:`DocBin.merge`) rather than re-serialising every cached doc.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from spacy.attrs import DEP, ENT_ID, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, ORTH, SPACY, TAG
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.tokens._serialize import ALL_ATTRS
from spacy.vocab import Vocab

from verhalen.io import atomic_write_bytes
from verhalen.nlp.lemmatizer import FACTORY
from verhalen.nlp.pipeline import pipeline_fingerprint

logger = logging.getLogger("verhalen.nlp")
_srsly = importlib.import_module("srsly")  # spaCy's msgpack (a spaCy dependency, untyped)

MAGIC = b"verhalen-doccache-1\n"
DEFAULT_MAX_DOCS = 200_000
CHEAP_FACTORIES = frozenset({"sentencizer", FACTORY})
STRING_ATTRS = frozenset({ORTH, NORM, TAG, LEMMA, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID, MORPH})


@dataclass
class ProcessStats:
    """What one :func:`verhalen.nlp.process` call did: texts processed vs found cached."""

    processed: int = 0
    cached: int = 0


def doc_attrs(nlp: Language) -> tuple[str, ...]:
    """Token attributes worth storing for a pipeline's docs.

    A pipeline of only a tokenizer, sentencizer and simplemma sets nothing but sentence starts
    and lemmas, so only those are stored (less to convert and compress); any other pipeline
    stores every attribute a DocBin can hold.
    """
    factories = {nlp.get_pipe_meta(name).factory for name in nlp.pipe_names}
    if factories <= CHEAP_FACTORIES:
        return ("ORTH", "LEMMA", "SENT_START")
    return tuple(ALL_ATTRS)


class _FastDocBin(DocBin):
    """A DocBin whose strings are gathered per distinct hash (pandas), not per token."""

    def __init__(self, vocab: Vocab, attrs: Iterable[str], docs: Iterable[Doc] = ()) -> None:
        super().__init__(attrs=attrs)
        self._vocab = vocab
        self._columns = [i for i, attr in enumerate(self.attrs) if attr in STRING_ATTRS]
        for doc in docs:
            self.add(doc)
        self._collect_strings()

    def add(self, doc: Doc) -> None:
        array = doc.to_array(list[int | str](self.attrs))
        self.tokens.append(array.reshape(len(doc), len(self.attrs)))
        self.spaces.append(np.asarray(doc.to_array(SPACY), dtype=bool).reshape(len(doc), 1))
        self.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
        self.cats.append(doc.cats)
        self.span_groups.append(doc.spans.to_bytes())
        for group in doc.spans.values():
            for span in group:
                self.strings.add(span.label_)
                if span.kb_id in doc.vocab.strings:
                    self.strings.add(span.kb_id_)
                if span.id in doc.vocab.strings:
                    self.strings.add(span.id_)

    def _collect_strings(self) -> None:
        if not self.tokens:
            return
        tokens = np.vstack(self.tokens)
        columns = [tokens[:, c] for c in self._columns if tokens[:, c].any()]
        if not columns:
            return
        strings = self._vocab.strings
        for value in pd.unique(np.concatenate(columns)).tolist():
            if value:
                self.strings.add(strings[value])


def _docbin_bytes(docbin: DocBin) -> bytes:
    """:meth:`DocBin.to_bytes` with fast zlib compression (level 1; same format)."""
    lengths = [len(tokens) for tokens in docbin.tokens]
    msg = {
        "version": docbin.version,
        "attrs": docbin.attrs,
        "tokens": (np.vstack(docbin.tokens) if docbin.tokens else np.asarray([])).tobytes("C"),
        "spaces": (np.vstack(docbin.spaces) if docbin.spaces else np.asarray([])).tobytes("C"),
        "lengths": np.asarray(lengths, dtype="int32").tobytes("C"),
        "strings": sorted(docbin.strings),
        "cats": docbin.cats,
        "flags": docbin.flags,
        "span_groups": docbin.span_groups,
    }
    return zlib.compress(_srsly.msgpack_dumps(msg), 1)


def _pack(keys: list[str], docbin: bytes) -> bytes:
    head = json.dumps(keys).encode("utf-8")
    return MAGIC + len(head).to_bytes(8, "big") + head + docbin


def _unpack(data: bytes) -> tuple[list[str], bytes]:
    if not data.startswith(MAGIC):
        raise ValueError("not a verhalen doc cache file")
    start = len(MAGIC) + 8
    size = int.from_bytes(data[len(MAGIC) : start], "big")
    keys = json.loads(data[start : start + size].decode("utf-8"))
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError("corrupt key list")
    return keys, data[start + size :]


class DocCache:
    """Processed docs on disk, one DocBin file per pipeline fingerprint.

    Parameters
    ----------
    directory
        Folder for the cache files, e.g. ``project.cache_dir / "nlp"``.
    max_docs
        Keep at most this many docs per pipeline; the oldest are dropped first.

    Attributes
    ----------
    last : ProcessStats
        Counts of the last :func:`verhalen.nlp.process` call that used this cache.
    """

    def __init__(self, directory: str | Path, max_docs: int = DEFAULT_MAX_DOCS) -> None:
        self.directory = Path(directory)
        self.max_docs = max_docs
        self.last = ProcessStats()
        self._state: tuple[str, int] | None = None
        self._keys: list[str] = []
        self._bin: DocBin = DocBin()
        self._docs: dict[str, Doc] = {}

    def path(self, fingerprint: str) -> Path:
        """The cache file of a pipeline."""
        return self.directory / f"docs-{fingerprint}.spacy"

    def _load(self, nlp: Language, fingerprint: str) -> dict[str, Doc]:
        if self._state == (fingerprint, id(nlp.vocab)):
            return self._docs
        keys: list[str] = []
        stored = DocBin()
        docs: dict[str, Doc] = {}
        path = self.path(fingerprint)
        if path.is_file():
            try:
                keys, data = _unpack(path.read_bytes())
                stored = DocBin().from_bytes(data)
                docs = dict(zip(keys, stored.get_docs(nlp.vocab), strict=True))
            except Exception as exc:  # a corrupt cache is rebuilt, never fatal
                logger.warning("%s: unreadable NLP cache (%s); it will be rebuilt", path, exc)
                keys, stored, docs = [], DocBin(), {}
        self._state, self._keys, self._bin, self._docs = (
            (fingerprint, id(nlp.vocab)),
            keys,
            stored,
            docs,
        )
        return docs

    def lookup(self, nlp: Language, keys: Iterable[str]) -> dict[str, Doc]:
        """Cached docs for those ``keys`` that are present."""
        docs = self._load(nlp, pipeline_fingerprint(nlp))
        return {k: docs[k] for k in keys if k in docs}

    def store(self, nlp: Language, new: dict[str, Doc]) -> None:
        """Add docs (keyed by text hash) and rewrite the pipeline's cache file atomically."""
        fingerprint = pipeline_fingerprint(nlp)
        docs = self._load(nlp, fingerprint)
        new = {k: d for k, d in new.items() if k not in docs}
        if not new:
            return
        if not self._keys:  # a new file: store what this pipeline sets
            self._bin = DocBin(attrs=doc_attrs(nlp))
        self._bin.merge(_FastDocBin(nlp.vocab, doc_attrs(nlp), new.values()))
        self._keys.extend(new)
        docs.update(new)
        excess = len(self._keys) - self.max_docs
        if excess > 0:
            for key in self._keys[:excess]:
                docs.pop(key, None)
            del self._keys[:excess]
            for name in ("tokens", "spaces", "cats", "span_groups", "flags", "user_data"):
                del getattr(self._bin, name)[:excess]
        atomic_write_bytes(self.path(fingerprint), _pack(self._keys, _docbin_bytes(self._bin)))

    def clear(self) -> None:
        """Delete every cache file in the folder (and forget what was loaded)."""
        self._state, self._keys, self._bin, self._docs = None, [], DocBin(), {}
        if self.directory.is_dir():
            for path in self.directory.glob("docs-*.spacy"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
