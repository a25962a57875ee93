"""The ``deduce`` backend: Dutch de-identification, extended with verhalen's gazetteers.

deduce (LGPL, offline) builds lookup structures from its name and place lists on first
use, which takes minutes. :func:`warmup` does that once, into a writable cache folder,
with verhalen's bundled lists added as extra sub-lists (first names common in migrant
communities, towns abroad). Later runs load the cached structures in a few seconds.

The cache folder is ``$VERHALEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/verhalen`` (usually
``~/.cache/verhalen``); if that is not writable, the virtual environment, else the
temporary folder.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib.util
import logging
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from verhalen.errors import VerhalenError
from verhalen.privacy.detect import DetectContext, Detection
from verhalen.privacy.lists import bundled_list, split_name
from verhalen.privacy.normalise import Kind, is_common_word, is_sentence_start
from verhalen.privacy.patterns import POSTCODE, STREET_SUFFIXES

#: verhalen's bundled lists added to deduce's own (bundled list → deduce sub-list folder).
EXTENSIONS = {
    "voornamen_extra": "names/lst_first_name/lst_verhalen",
    "plaatsen_buitenland": "locations/lst_placename/lst_verhalen",
}
TAG_KINDS = {
    "persoon": Kind.naam,
    "patient": Kind.naam,
    "ziekenhuis": Kind.instelling,
    "zorginstelling": Kind.instelling,
    "url": Kind.instelling,
    "datum": Kind.datum,
    "telefoonnummer": Kind.telefoon,
    "emailadres": Kind.email,
    "bsn": Kind.id,
    "id": Kind.id,
}
_NAME_SPLIT = re.compile(r"[.!?;:,]\s+|\s+(?:en|of)\s+")
_STREET_END = re.compile(rf"(?:{STREET_SUFFIXES})$", re.IGNORECASE)

_INSTANCE: Any = None


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError:
        return False
    return True


def cache_root() -> Path:
    """The writable folder verhalen keeps its caches in (see the module docs)."""
    candidates: list[Path] = []
    if os.environ.get("VERHALEN_CACHE_DIR"):
        candidates.append(Path(os.environ["VERHALEN_CACHE_DIR"]))
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    candidates += [
        Path(xdg) / "verhalen",
        Path(sys.prefix) / "var" / "verhalen-cache",
        Path(tempfile.gettempdir()) / f"verhalen-cache-{os.getuid()}",
    ]
    for folder in candidates:
        if _writable(folder):
            return folder
    raise VerhalenError(
        "no writable cache folder for deduce's lookup tables (tried "
        + ", ".join(str(c) for c in candidates)
        + ") — set VERHALEN_CACHE_DIR to a folder you can write to"
    )


def _deduce_source() -> Path:
    # Locate deduce without importing it: its import reconfigures root logging.
    spec = importlib.util.find_spec("deduce")
    if spec is None or spec.origin is None:
        raise VerhalenError("the `deduce` package is not installed — reinstall verhalen")
    return Path(spec.origin).parent / "data" / "lookup"


def lookup_dir() -> Path:
    """deduce's lookup folder for this deduce version and these bundled lists."""
    digest = hashlib.sha256()
    for name in sorted(EXTENSIONS):
        digest.update(name.encode())
        digest.update("\n".join(bundled_list(name)).encode("utf-8"))
    version = metadata.version("deduce")
    return cache_root() / f"deduce-{version}-{digest.hexdigest()[:12]}"


@contextlib.contextmanager
def _quiet_import() -> Iterator[None]:
    """Undo what importing deduce does to global state (root logging to stdout, warnings)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with warnings.catch_warnings():
            yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


def _prepare(target: Path) -> None:
    """Copy deduce's lists plus verhalen's extensions into ``target`` (atomically)."""
    if (target / "src").is_dir():
        return
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copytree(_deduce_source() / "src", tmp / "src")
        for name, sub in EXTENSIONS.items():
            folder = tmp / "src" / sub
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "items.txt").write_text(
                "\n".join(bundled_list(name)) + "\n", encoding="utf-8"
            )
        try:
            os.replace(tmp, target)
        except OSError:  # another process was faster
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_deduce(path: Path | None = None) -> Any:
    """The process-wide deduce instance (built into the cache on first use, then loaded)."""
    global _INSTANCE
    if _INSTANCE is not None and path is None:
        return _INSTANCE
    target = path or lookup_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    _prepare(target)
    with _quiet_import():
        from deduce import Deduce
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects: the cyclic GC would triple load time
    try:
        instance = Deduce(lookup_data_path=target, cache_path=target)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    if path is None:
        _INSTANCE = instance
    return instance


def warmup(path: Path | None = None) -> Path:
    """Build deduce's lookup cache (minutes, once) so that later runs start fast.

    Returns the folder that holds the cache.
    """
    target = path or lookup_dir()
    load_deduce(path)
    return target


def is_warm(path: Path | None = None) -> bool:
    """Whether deduce's lookup cache has been built."""
    target = path or lookup_dir()
    return (target / "cache" / "lookup_structs.pickle").is_file()


class DeduceDetector:
    """Person names, places, streets, institutions, dates and numbers found by deduce.

    The interview's own participant is passed to deduce as its "patient", so her name is
    found in any form deduce knows (initials, surname alone).
    """

    name = "deduce"

    def __init__(self, instance: Any = None) -> None:
        self._deduce = instance

    @property
    def deduce(self) -> Any:
        if self._deduce is None:
            self._deduce = load_deduce()
        return self._deduce

    def __getstate__(self) -> dict[str, Any]:
        # a worker process started by ``spawn`` loads deduce from the cache itself:
        # pickling the instance would copy over a gigabyte of lookup tables
        return {**self.__dict__, "_deduce": None}

    def detect(self, text: str, context: DetectContext) -> list[Detection]:
        deduce = self.deduce  # loads deduce quietly before any other deduce import
        meta: dict[str, Any] | None = None
        if context.participant_name:
            from deduce.person import Person

            first, surname = split_name(context.participant_name)
            meta = {"patient": Person(first_names=[first], surname=surname or None)}
        doc = deduce.deidentify(text, disabled={"redactor"}, metadata=meta)
        found: list[Detection] = []
        for ann in doc.annotations:
            found.extend(self._convert(text, ann.start_char, ann.end_char, ann.tag, context))
        return found

    def _convert(
        self, text: str, start: int, end: int, tag: str, context: DetectContext
    ) -> list[Detection]:
        span = text[start:end]
        if tag == "locatie":
            kind = self._location_kind(span)
            return [] if kind is None else [Detection(start, end, span, kind, self.name)]
        kind = TAG_KINDS.get(tag)
        if kind is None:
            return []
        if kind != Kind.naam:
            return [Detection(start, end, span, kind, self.name)]
        participant = context.participant_id if tag == "patient" else None
        if span.islower() and all(is_common_word(w) for w in span.split()):
            return []  # deduce matches the patient's name loosely: "kok" for "Kok"
        if (
            participant is None
            and " " not in span.strip()
            and is_common_word(span)
            and is_sentence_start(text, start)
        ):
            return []  # "Mooi.", "Appel.": an ordinary word that starts a sentence
        out: list[Detection] = []
        pos = 0
        for piece in [*_NAME_SPLIT.finditer(span), None]:
            stop = piece.start() if piece else len(span)
            if stop > pos:
                out.append(
                    Detection(
                        start + pos,
                        start + stop,
                        span[pos:stop],
                        kind,
                        self.name,
                        participant=participant,
                    )
                )
            pos = piece.end() if piece else pos
        return out

    @staticmethod
    def _location_kind(span: str) -> Kind | None:
        if POSTCODE.fullmatch(span.strip()):
            return Kind.postcode
        words = span.split()
        if any(ch.isdigit() for ch in span):
            street = " ".join(w for w in words if not any(ch.isdigit() for ch in w))
            if not street:
                return None
            last = street.split()[-1]
            if is_common_word(last) and not _STREET_END.search(last):
                return None  # "Lijn 23", "Groep 3": not an address
            return Kind.adres
        if words and _STREET_END.search(words[-1]):
            return Kind.adres
        return Kind.plaats
