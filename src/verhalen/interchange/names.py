"""Turning names from other programs into ``verhalen`` identifiers.

Code names in ATLAS.ti, MAXQDA or NVivo are free text and not unique (NVivo happily has
two codes called "programming" under different parents); ``verhalen`` needs slugs
(``tips_en_advies``) and coder names that can be file names. :func:`slugify` and
:class:`Unique` make them, deterministically, in document order.
"""

from __future__ import annotations

import re
import unicodedata

from verhalen.records import SLUG_RE

SLUG_MAX = 80
_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")
_NON_CODER_RE = re.compile(r"[^A-Za-z0-9_.-]+")
CODER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # as verhalen.coding.store


def ascii_fold(text: str) -> str:
    """Accents removed (``é`` → ``e``), other non-ASCII dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def slugify(text: str, fallback: str = "code") -> str:
    """``"Uitwisselen & leren"`` → ``"uitwisselen_leren"`` (a valid :data:`Slug`)."""
    slug = _NON_SLUG_RE.sub("_", ascii_fold(text).lower()).strip("_")
    slug = slug[: SLUG_MAX - 4].rstrip("_")
    return slug or fallback


def is_slug(text: str | None) -> bool:
    """Whether ``text`` can be used as a code or factor id as it is."""
    return bool(text) and len(text or "") <= SLUG_MAX and bool(SLUG_RE.match(text or ""))


def coder_name(text: str | None, fallback: str = "coder") -> str:
    """A name allowed as a coder (it becomes ``data/coded/<coder>.jsonl``)."""
    if text and CODER_RE.match(text):
        return text
    name = _NON_CODER_RE.sub("_", ascii_fold(text or "").strip()).strip("_.-")[:60]
    return name if name and CODER_RE.match(name) else fallback


class Unique:
    """Hands out names that were not handed out before: ``x``, ``x_2``, ``x_3`` …"""

    def __init__(self, taken: set[str] | None = None, separator: str = "_") -> None:
        self.taken: set[str] = set(taken or ())
        self.separator = separator

    def claim(self, name: str) -> bool:
        """Take ``name`` if it is free; returns whether that worked."""
        if name in self.taken:
            return False
        self.taken.add(name)
        return True

    def __call__(self, name: str) -> str:
        if self.claim(name):
            return name
        n = 2
        while not self.claim(f"{name}{self.separator}{n}"):
            n += 1
        return f"{name}{self.separator}{n}"
