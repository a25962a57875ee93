"""The on-disk cache of processed docs: sharded spaCy DocBins per pipeline, keyed by text hash.

Layout: one folder per pipeline fingerprint, ``<directory>/docs-<fingerprint>/``, holding
shard files ``shard-<NNNNNN>.spacy`` of at most ``shard_size`` docs each. A shard is a magic
line, the keys (SHA-256 of each processed text) as JSON with an 8-byte length prefix, then
the bytes of a spaCy :class:`~spacy.tokens.DocBin` (standard format, readable with
``DocBin().from_bytes``). Keys are kept in that header, not as per-doc ``user_data`` (which
makes reading about 5× slower), so a shard's keys are read without decompressing its docs.

How the cache is used:

* **Index.** The key → shard index is built from the shard headers only (a few MB of JSON
  for hundreds of thousands of docs) and kept in memory. "Is this text processed?" never
  decodes a doc (:meth:`DocCache.missing`).
* **Reading.** :meth:`DocCache.lookup` decodes only the shards that hold requested keys and
  keeps at most ``max_loaded`` decoded shards (least recently used dropped first). Docs are
  built only for the requested keys, so memory is bounded by a few shards, not the corpus.
* **Writing.** :meth:`DocCache.store` writes new docs as new shard files (atomically) and
  never rewrites an existing shard.
* **Compaction.** Incremental runs leave small shards (often one doc each). Once
  ``compact_at`` shards hold fewer than ``shard_size // 4`` docs, they are merged into new
  shards; the old files are removed only after the new ones are written.
* **Size.** There is no cap on the number of docs. :meth:`DocCache.prune` drops docs no
  longer wanted (shards with none of the wanted keys are deleted, mostly-unwanted shards
  rewritten), and ``max_bytes`` (default 2 GiB per pipeline, about four million segments of
  the blank pipeline) bounds the disk: past it, the oldest shards are deleted after a store.
* **Damage.** An unreadable shard is logged as a warning, deleted and left out; its docs are
  processed again. It is never fatal. Shard files of the old single-file layout
  (``docs-<fingerprint>.spacy``) are not read; they are removed on the next store for that
  pipeline and by :meth:`DocCache.clear`.

spaCy's :meth:`DocBin.add` collects the strings of a doc token by token in Python, which for
a cheap pipeline costs as much as processing the text. :class:`_FastDocBin` collects them
once per distinct hash with numpy instead.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import re
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from spacy.attrs import DEP, ENT_ID, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, ORTH, SPACY, TAG
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.tokens._dict_proxies import SpanGroups
from spacy.tokens._serialize import ALL_ATTRS
from spacy.vocab import Vocab

from verhalen.errors import VerhalenError
from verhalen.io import atomic_write_bytes
from verhalen.nlp.lemmatizer import FACTORY
from verhalen.nlp.pipeline import pipeline_fingerprint

logger = logging.getLogger("verhalen.nlp")
_srsly = importlib.import_module("srsly")  # spaCy's msgpack (a spaCy dependency, untyped)

MAGIC = b"verhalen-doccache-1\n"
DEFAULT_SHARD_SIZE = 10_000
DEFAULT_MAX_LOADED = 2
DEFAULT_COMPACT_AT = 8
DEFAULT_MAX_BYTES = 2 * 1024**3
SMALL_FRACTION = 4  # a shard of fewer than shard_size // 4 docs is small (compacted)
RECOMPUTE_FACTOR = 20  # see DocCache.lookup(sizes=...)
CHEAP_FACTORIES = frozenset({"sentencizer", FACTORY})
CHEAP_ATTRS = ("ORTH", "LEMMA", "SENT_START")
STRING_ATTRS = frozenset({ORTH, NORM, TAG, LEMMA, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID, MORPH})
SHARD_RE = re.compile(r"shard-(\d{6,})\.spacy")


@dataclass
class ProcessStats:
    """What one processing call did (:func:`verhalen.nlp.process`, ``iter_docs``, ``ensure``).

    Attributes
    ----------
    processed
        Distinct texts that were not cached yet: run through the pipeline and stored.
    cached
        The other input texts: found in the cache, or repeats of a text earlier in the call.
    recomputed
        Cached texts run through the pipeline again because that was cheaper than decoding
        the shard holding them (a few short texts from a large shard; cheap pipelines only).
    decoded
        Cache shards decoded.
    """

    processed: int = 0
    cached: int = 0
    recomputed: int = 0
    decoded: int = 0


def doc_attrs(nlp: Language) -> tuple[str, ...]:
    """Token attributes worth storing for a pipeline's docs.

    A pipeline of only a tokenizer, sentencizer and simplemma sets nothing but sentence starts
    and lemmas, so only those are stored (less to convert and compress); any other pipeline
    stores every attribute a DocBin can hold.
    """
    if is_cheap(nlp):
        return CHEAP_ATTRS
    return tuple(ALL_ATTRS)


def is_cheap(nlp: Language) -> bool:
    """Whether a pipeline is only a tokenizer, sentencizer and simplemma (no trained model)."""
    factories = {nlp.get_pipe_meta(name).factory for name in nlp.pipe_names}
    return factories <= CHEAP_FACTORIES


class _FastDocBin(DocBin):
    """A DocBin whose strings are gathered per distinct hash (pandas), not per token."""

    def __init__(self, vocab: Vocab, attrs: Iterable[str], docs: Iterable[Doc] = ()) -> None:
        super().__init__(attrs=attrs)
        self._vocab = vocab
        self._columns = [i for i, attr in enumerate(self.attrs) if attr in STRING_ATTRS]
        self._with_spaces = list[int | str]([*self.attrs, SPACY])
        for doc in docs:
            self.add(doc)
        self._collect_strings()

    def add(self, doc: Doc) -> None:
        n = len(doc)
        array = doc.to_array(self._with_spaces).reshape(n, len(self._with_spaces))
        self.tokens.append(array[:, :-1])  # one to_array call for the attrs and spaces
        self.spaces.append(array[:, -1:].astype(bool))
        self.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
        self.cats.append(doc.cats)
        if not doc.spans:
            self.span_groups.append(SpanGroups._EMPTY_BYTES)  # what to_bytes() gives
            return
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


def _check_keys(keys: object) -> list[str]:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError("corrupt key list")
    return keys


def _unpack(data: bytes) -> tuple[list[str], bytes]:
    if not data.startswith(MAGIC):
        raise ValueError("not a verhalen doc cache file")
    start = len(MAGIC) + 8
    size = int.from_bytes(data[len(MAGIC) : start], "big")
    if start + size > len(data):
        raise ValueError("truncated key list")
    keys = _check_keys(json.loads(data[start : start + size].decode("utf-8")))
    return keys, data[start + size :]


def _read_keys(path: Path) -> list[str]:
    """The keys of a shard, read from its header only (the docs stay compressed)."""
    with path.open("rb") as fh:
        head = fh.read(len(MAGIC) + 8)
        if len(head) < len(MAGIC) + 8 or not head.startswith(MAGIC):
            raise ValueError("not a verhalen doc cache file")
        size = int.from_bytes(head[len(MAGIC) :], "big")
        raw = fh.read(size)
    if len(raw) != size:
        raise ValueError("truncated key list")
    return _check_keys(json.loads(raw.decode("utf-8")))


def _save(path: Path, keys: list[str], payload: bytes) -> tuple[int, int, int]:
    """Write a shard atomically; returns its identity (inode, size, mtime)."""
    atomic_write_bytes(path, _pack(keys, payload))
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _doc_at(docbin: DocBin, i: int, vocab: Vocab) -> Doc:
    """Doc ``i`` of a decoded bin (:meth:`DocBin.get_docs` for one doc; strings added)."""
    tokens: Any = docbin.tokens[i]  # numpy arrays where spaCy's stubs say lists
    spaces: Any = None if docbin.flags[i].get("has_unknown_spaces") else docbin.spaces[i]
    attrs: Any = docbin.attrs
    doc = Doc(vocab, words=tokens[:, attrs.index(ORTH)], spaces=spaces)
    doc = doc.from_array(attrs, tokens)
    doc.cats = docbin.cats[i]
    if docbin.span_groups[i] and docbin.span_groups[i] != SpanGroups._EMPTY_BYTES:
        doc.spans.from_bytes(docbin.span_groups[i])
    return doc


@dataclass
class _Shard:
    """A shard file as indexed: its keys and identity (inode, size, mtime)."""

    path: Path
    keys: list[str]
    signature: tuple[int, int, int]

    @property
    def size(self) -> int:
        return self.signature[1]


@dataclass
class _Loaded:
    """A decoded shard: its DocBin, where each key sits, and the vocab holding its strings."""

    docbin: DocBin
    positions: dict[str, int]
    vocab: Vocab | None = None


@dataclass
class _State:
    """What is known of one pipeline's shards."""

    folder: Path
    shards: dict[int, _Shard] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)
    bad: set[tuple[int, tuple[int, int, int]]] = field(default_factory=set)
    top: int = 0

    def reindex(self) -> None:
        self.index = {k: n for n in sorted(self.shards) for k in self.shards[n].keys}


class DocCache:
    """Processed docs on disk, in shards per pipeline fingerprint (see the module docs).

    Parameters
    ----------
    directory
        Folder for the cache, e.g. ``project.cache_dir / "nlp"``.
    shard_size
        At most this many docs per shard file.
    max_loaded
        Decoded shards kept in memory (least recently used dropped first).
    compact_at
        Merge the small shards (fewer than ``shard_size // 4`` docs) once there are this
        many; 0 never merges.
    max_bytes
        Disk cap per pipeline: after a store, the oldest shards are deleted until the
        pipeline's shards take at most this many bytes (the newest shard is always kept).
        ``None`` for no cap.

    Attributes
    ----------
    last : ProcessStats
        Counts of the last processing call (``process``, ``iter_docs``, ``ensure``) that used
        this cache; an ``iter_docs`` generator updates it while it runs.
    decodes : int
        Shards decoded so far by this object (lookups and compaction).

    Raises
    ------
    VerhalenError
        If ``shard_size`` or ``max_loaded`` is below 1.
    """

    def __init__(
        self,
        directory: str | Path,
        shard_size: int = DEFAULT_SHARD_SIZE,
        *,
        max_loaded: int = DEFAULT_MAX_LOADED,
        compact_at: int = DEFAULT_COMPACT_AT,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
    ) -> None:
        if shard_size < 1 or max_loaded < 1:
            raise VerhalenError(
                f"DocCache: shard_size and max_loaded must be at least 1, got {shard_size} "
                f"and {max_loaded} — use the defaults ({DEFAULT_SHARD_SIZE} and "
                f"{DEFAULT_MAX_LOADED}) unless measured otherwise"
            )
        self.directory = Path(directory)
        self.shard_size = shard_size
        self.max_loaded = max_loaded
        self.compact_at = compact_at
        self.max_bytes = max_bytes
        self.last = ProcessStats()
        self.decodes = 0
        self._states: dict[str, _State] = {}
        self._loaded: OrderedDict[tuple[str, int], _Loaded] = OrderedDict()

    # ------------------------------------------------------------------ layout

    def folder(self, fingerprint: str) -> Path:
        """The folder of a pipeline's shards."""
        return self.directory / f"docs-{fingerprint}"

    def shard_path(self, fingerprint: str, number: int) -> Path:
        """The file of one shard."""
        return self.folder(fingerprint) / f"shard-{number:06d}.spacy"

    def shards(self, nlp: Language) -> list[Path]:
        """A pipeline's readable shard files, oldest first."""
        state = self._sync(pipeline_fingerprint(nlp))
        return [state.shards[n].path for n in sorted(state.shards)]

    def count(self, nlp: Language) -> int:
        """Distinct docs cached for a pipeline (from the index; nothing is decoded)."""
        return len(self._sync(pipeline_fingerprint(nlp)).index)

    # ------------------------------------------------------------------ index

    def _sync(self, fingerprint: str) -> _State:
        """Bring the index up to date with the shard files on disk (headers of new files)."""
        state = self._states.setdefault(fingerprint, _State(self.folder(fingerprint)))
        found: dict[int, tuple[Path, tuple[int, int, int]]] = {}
        with contextlib.suppress(FileNotFoundError), os.scandir(state.folder) as entries:
            for entry in entries:
                match = SHARD_RE.fullmatch(entry.name)
                if match is None:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    st = entry.stat()
                    found[int(match[1])] = (
                        Path(entry.path),
                        (st.st_ino, st.st_size, st.st_mtime_ns),
                    )
        gone = [n for n, s in state.shards.items() if n not in found or found[n][1] != s.signature]
        for number in gone:
            del state.shards[number]
            self._loaded.pop((fingerprint, number), None)
        added: list[int] = []
        for number in sorted(found):
            path, signature = found[number]
            if number in state.shards or (number, signature) in state.bad:
                continue
            try:
                keys = _read_keys(path)
            except FileNotFoundError:
                continue
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                self._damaged(fingerprint, state, number, signature, exc)
                continue
            state.shards[number] = _Shard(path, keys, signature)
            added.append(number)
        state.top = max(state.top, *found, 0)
        if gone:
            state.reindex()
        else:
            for number in added:
                state.index.update(dict.fromkeys(state.shards[number].keys, number))
        return state

    def _damaged(
        self,
        fingerprint: str,
        state: _State,
        number: int,
        signature: tuple[int, int, int],
        exc: BaseException,
    ) -> None:
        """Log an unreadable shard, delete it, and leave it out of the index."""
        path = self.shard_path(fingerprint, number)
        logger.warning(
            "%s: unreadable NLP cache shard (%s); its docs will be processed again", path, exc
        )
        state.bad.add((number, signature))
        with contextlib.suppress(OSError):
            path.unlink()
        self._loaded.pop((fingerprint, number), None)
        if state.shards.pop(number, None) is not None:
            state.reindex()

    def missing(self, nlp: Language, keys: Iterable[str]) -> set[str]:
        """The ``keys`` that are not cached (from the index only; nothing is decoded)."""
        index = self._sync(pipeline_fingerprint(nlp)).index
        return {k for k in keys if k not in index}

    # ------------------------------------------------------------------ reading

    def _read(self, fingerprint: str, state: _State, number: int) -> _Loaded | None:
        """Decode one shard (not via the LRU); ``None`` if it is gone or unreadable."""
        shard = state.shards[number]
        try:
            data = shard.path.read_bytes()
        except FileNotFoundError:  # removed by another process: forget it
            del state.shards[number]
            state.reindex()
            return None
        try:
            keys, payload = _unpack(data)
            docbin = DocBin().from_bytes(payload)
            if len(docbin) != len(keys) or not docbin.attrs or docbin.attrs[0] != ORTH:
                raise ValueError(f"{len(keys)} keys for {len(docbin)} docs")
        except Exception as exc:  # any damage: the docs are processed again
            self._damaged(fingerprint, state, number, shard.signature, exc)
            return None
        self.decodes += 1
        return _Loaded(docbin, {k: i for i, k in enumerate(keys)})

    def _get(self, fingerprint: str, state: _State, number: int) -> _Loaded | None:
        """A decoded shard through the LRU of at most ``max_loaded`` shards."""
        slot = (fingerprint, number)
        loaded = self._loaded.get(slot)
        if loaded is not None:
            self._loaded.move_to_end(slot)
            return loaded
        loaded = self._read(fingerprint, state, number)
        if loaded is not None:
            self._loaded[slot] = loaded
            while len(self._loaded) > self.max_loaded:
                self._loaded.popitem(last=False)
        return loaded

    def lookup(
        self, nlp: Language, keys: Iterable[str], *, sizes: Mapping[str, int] | None = None
    ) -> dict[str, Doc]:
        """Cached docs for those ``keys`` that are present.

        Only the shards holding requested keys are decoded, and only the requested docs are
        built from them.

        Parameters
        ----------
        nlp
            The pipeline (its fingerprint selects the shards, its vocab receives the docs).
        keys
            Text hashes (SHA-256 of the note-blanked text).
        sizes
            Optional text length per key. When given and the pipeline is cheap (tokenizer,
            sentencizer, simplemma only), keys wanted from a shard that is not decoded yet
            are left out when they are few and short compared with the shard (under 1/20 of
            its docs and of its bytes): processing them again costs less than decoding it.

        Returns
        -------
        dict
            Key → doc, for the keys found (and not left out).
        """
        fingerprint = pipeline_fingerprint(nlp)
        state = self._sync(fingerprint)
        wanted: dict[int, list[str]] = {}
        for key in dict.fromkeys(keys):
            number = state.index.get(key)
            if number is not None:
                wanted.setdefault(number, []).append(key)
        cheap = sizes is not None and is_cheap(nlp)
        out: dict[str, Doc] = {}
        for number in sorted(wanted):
            group = wanted[number]
            shard = state.shards.get(number)
            if shard is None:  # dropped meanwhile (damaged)
                continue
            if sizes is not None and cheap and (fingerprint, number) not in self._loaded:
                chars = sum(sizes.get(k, 0) for k in group)
                if (
                    len(group) * RECOMPUTE_FACTOR < len(shard.keys)
                    and chars * RECOMPUTE_FACTOR < shard.size
                ):
                    continue
            loaded = self._get(fingerprint, state, number)
            if loaded is None:
                continue
            if loaded.vocab is not nlp.vocab:
                for string in loaded.docbin.strings:
                    nlp.vocab[string]  # adds the string and its lexeme
                loaded.vocab = nlp.vocab
            try:
                docs = {k: _doc_at(loaded.docbin, loaded.positions[k], nlp.vocab) for k in group}
            except Exception as exc:  # a damaged bin, or keys the shard does not hold
                held = state.shards.get(number)
                if held is not None:
                    self._damaged(fingerprint, state, number, held.signature, exc)
                continue
            out.update(docs)
        return out

    # ------------------------------------------------------------------ writing

    def _number(self, fingerprint: str, state: _State) -> int:
        """A shard number never used in the folder."""
        number = state.top + 1
        while self.shard_path(fingerprint, number).exists():
            number += 1
        state.top = number
        return number

    def _write(self, fingerprint: str, state: _State, keys: list[str], payload: bytes) -> int:
        """Write one new shard now and index it."""
        number = self._number(fingerprint, state)
        path = self.shard_path(fingerprint, number)
        state.shards[number] = _Shard(path, keys, _save(path, keys, payload))
        state.index.update(dict.fromkeys(keys, number))
        return number

    def store(self, nlp: Language, new: Mapping[str, Doc]) -> int:
        """Write docs (keyed by text hash) not cached yet as new shard files.

        Existing shards are never rewritten. Afterwards small shards may be compacted and,
        past ``max_bytes``, the oldest shards deleted.

        Returns
        -------
        int
            The number of docs written (keys already cached are skipped).
        """
        writer = self.writer(nlp)
        for key, doc in new.items():
            writer.add(key, doc)
        return writer.close()

    def writer(self, nlp: Language) -> ShardWriter:
        """A :class:`ShardWriter` for new docs of this pipeline (streaming :meth:`store`)."""
        return ShardWriter(self, nlp)

    def _tidy(self, fingerprint: str, state: _State, keep: set[int]) -> None:
        """Compact small shards when there are ``compact_at`` of them; apply ``max_bytes``."""
        small = [
            n
            for n in sorted(state.shards)
            if len(state.shards[n].keys) < max(1, self.shard_size // SMALL_FRACTION)
        ]
        if self.compact_at > 0 and len(small) >= max(2, self.compact_at):
            self._rewrite(fingerprint, state, small, wanted=None)
        if self.max_bytes is None:
            return
        total = sum(s.size for s in state.shards.values())
        newest = max(state.shards, default=0)
        drop: list[int] = []
        for number in sorted(state.shards):
            if total <= self.max_bytes:
                break
            if number not in keep and number != newest:
                total -= state.shards[number].size
                drop.append(number)
        if drop:
            self._remove(fingerprint, state, drop)
            logger.info(
                "NLP cache over %d bytes: removed %d oldest shards", self.max_bytes, len(drop)
            )

    def _remove(self, fingerprint: str, state: _State, numbers: Iterable[int]) -> None:
        for number in list(numbers):
            shard = state.shards.pop(number, None)
            self._loaded.pop((fingerprint, number), None)
            if shard is not None:
                with contextlib.suppress(FileNotFoundError):
                    shard.path.unlink()
        state.reindex()

    def _rewrite(
        self, fingerprint: str, state: _State, numbers: list[int], wanted: set[str] | None
    ) -> int:
        """Merge shards into new ones (only ``wanted`` keys if given), then delete them.

        Returns the number of docs left out (unwanted, or repeated across the shards).
        """
        merged: DocBin | None = None
        keys: list[str] = []
        seen: set[str] = set()
        dropped = 0
        sources: list[int] = []

        def flush() -> None:
            nonlocal merged, keys
            if merged is not None and keys:
                self._write(fingerprint, state, keys, _docbin_bytes(merged))
            merged, keys = None, []

        for number in numbers:
            if number not in state.shards:
                continue
            loaded = self._loaded.get((fingerprint, number)) or self._read(
                fingerprint, state, number
            )
            if loaded is None:
                continue
            source = loaded.docbin
            if merged is not None and source.attrs != merged.attrs:
                continue  # another layout (should not happen for one fingerprint): keep it
            sources.append(number)
            used = False
            for key, i in loaded.positions.items():
                if key in seen or (wanted is not None and key not in wanted):
                    dropped += 1
                    continue
                seen.add(key)
                if merged is None:  # a new output shard (also after a flush)
                    merged = DocBin(attrs=[])
                    merged.attrs = list(source.attrs)
                    used = False
                if not used:
                    merged.strings.update(source.strings)
                    used = True
                for name in ("tokens", "spaces", "cats", "span_groups", "flags"):
                    getattr(merged, name).append(getattr(source, name)[i])
                keys.append(key)
                if len(keys) >= self.shard_size:
                    flush()
        flush()
        self._remove(fingerprint, state, sources)
        return dropped

    def compact(self, nlp: Language) -> int:
        """Merge all of a pipeline's small shards now (normally done by :meth:`store`).

        Returns
        -------
        int
            The number of shards merged (0 if fewer than two were small).
        """
        fingerprint = pipeline_fingerprint(nlp)
        state = self._sync(fingerprint)
        small = [
            n
            for n in sorted(state.shards)
            if len(state.shards[n].keys) < max(1, self.shard_size // SMALL_FRACTION)
        ]
        if len(small) < 2:
            return 0
        self._rewrite(fingerprint, state, small, wanted=None)
        return len(small)

    def prune(self, nlp: Language, keep: Iterable[str]) -> int:
        """Drop cached docs whose keys are not in ``keep`` (e.g. the current corpus's).

        A shard holding none of the kept keys is deleted; shards of which less than half
        is kept are merged into new shards with only the kept docs; other shards stay as
        they are (their few unwanted docs too).

        Parameters
        ----------
        nlp
            The pipeline whose shards are pruned.
        keep
            Keys to keep (:func:`verhalen.nlp.text_key` of each text).

        Returns
        -------
        int
            The number of docs dropped.
        """
        fingerprint = pipeline_fingerprint(nlp)
        state = self._sync(fingerprint)
        wanted = set(keep)
        empty: list[int] = []
        sparse: list[int] = []
        dropped = 0
        for number in sorted(state.shards):
            keys = state.shards[number].keys
            kept = sum(k in wanted for k in keys)
            if kept == 0:
                empty.append(number)
                dropped += len(keys)
            elif kept * 2 < len(keys):
                sparse.append(number)
        self._remove(fingerprint, state, empty)
        if sparse:
            dropped += self._rewrite(fingerprint, state, sparse, wanted=wanted)
        return dropped

    def clear(self) -> None:
        """Delete every pipeline's shards (and old single-file caches) in the folder."""
        self._states.clear()
        self._loaded.clear()
        if not self.directory.is_dir():
            return
        for path in self.directory.glob("docs-*.spacy"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        for folder in self.directory.glob("docs-*"):
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if SHARD_RE.fullmatch(path.name) or path.name.endswith(".tmp"):
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
            with contextlib.suppress(OSError):
                folder.rmdir()


class ShardWriter:
    """Adds new docs to a :class:`DocCache` one at a time, writing a shard per ``shard_size``.

    Each doc is converted to arrays when added, so the caller need not keep it. Call
    :meth:`close` to write the last (partial) shard and tidy the cache (compaction, disk cap).

    Parameters
    ----------
    cache
        The cache to write to.
    nlp
        The pipeline the docs come from.
    """

    def __init__(self, cache: DocCache, nlp: Language) -> None:
        self._cache = cache
        self._vocab = nlp.vocab
        self._attrs = doc_attrs(nlp)
        self._fingerprint = pipeline_fingerprint(nlp)
        self._state = cache._sync(self._fingerprint)
        self._bin: _FastDocBin | None = None
        self._keys: list[str] = []
        self._seen: set[str] = set()
        self._written: list[int] = []
        self.count = 0

    def add(self, key: str, doc: Doc) -> bool:
        """Add a doc unless its key is cached or added already; ``True`` if it was added."""
        if key in self._seen or key in self._state.index:
            return False
        self._seen.add(key)
        if self._bin is None:
            self._bin = _FastDocBin(self._vocab, self._attrs)
        self._bin.add(doc)
        self._keys.append(key)
        self.count += 1
        if len(self._keys) >= self._cache.shard_size:
            self._flush()
        return True

    def _flush(self) -> None:
        if self._bin is None or not self._keys:
            return
        self._bin._collect_strings()
        payload = _docbin_bytes(self._bin)
        number = self._cache._write(self._fingerprint, self._state, self._keys, payload)
        self._written.append(number)
        self._bin, self._keys = None, []

    def close(self) -> int:
        """Write what is left and tidy the cache; returns the number of docs written."""
        self._flush()
        if self._written:
            legacy = self._cache.directory / f"docs-{self._fingerprint}.spacy"
            with contextlib.suppress(FileNotFoundError):
                legacy.unlink()  # the old single-file layout: never read again
                logger.debug("%s: removed the old single-file NLP cache", legacy)
            self._cache._tidy(self._fingerprint, self._state, keep=set(self._written))
            self._written = []
        return self.count
