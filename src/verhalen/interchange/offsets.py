"""Text positions per QDA program, and verification of every imported selection.

REFI-QDA says positions are Unicode code points from 0 (end exclusive). Programs differ:

* NVivo (Windows) counts UTF-16 code units, CRLF as 2, the BOM not counted (``utf16``);
* ATLAS.ti writes CRLF text but counts a line break as 1 (``lf``);
* MAXQDA, QualCoder, verhalen and others count code points of the file (``codepoints``);
* some files count UTF-16 units with every line break as CRLF although the stored text
  has bare LF (``utf16_crlf``).

:class:`PositionMap` converts a position in any of these schemes into an index in the
normalised text ``verhalen`` stores (line breaks as ``\\n``). Every selection is then
verified (:func:`verify`): against its ``name`` when that holds the quoted text, else
against word boundaries. The import picks, per source, the scheme under which most
selections verify (the program's own scheme wins ties) and reports the rest as drift.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import Literal

Scheme = Literal["codepoints", "utf16", "lf", "utf16_crlf"]
SCHEMES: tuple[Scheme, ...] = ("codepoints", "utf16", "lf", "utf16_crlf")
Status = Literal["verified", "boundaries", "drift"]
MIN_QUOTE = 12


def scheme_for(origin: str | None) -> Scheme:
    """The position scheme a program writes, from the project's ``origin`` attribute."""
    name = (origin or "").casefold()
    if "nvivo" in name:
        return "utf16"
    if "atlas" in name:
        return "lf"
    return "codepoints"


def normalise_newlines(raw: str) -> tuple[str, list[bool]]:
    """``raw`` with CRLF and CR as ``\\n``; per ``\\n`` of the result, whether it was CRLF."""
    out: list[str] = []
    crlf: list[bool] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\r":
            pair = i + 1 < n and raw[i + 1] == "\n"
            out.append("\n")
            crlf.append(pair)
            i += 2 if pair else 1
            continue
        if ch == "\n":
            crlf.append(False)
        out.append(ch)
        i += 1
    return "".join(out), crlf


class PositionMap:
    """Converts positions in a scheme to indices in the normalised text.

    Parameters
    ----------
    text
        The normalised text (line breaks ``\\n``).
    crlf
        For every ``\\n`` in ``text``, whether the original had ``\\r\\n`` there
        (see :func:`normalise_newlines`); all ``False`` for text stored as is.
    """

    def __init__(self, text: str, crlf: list[bool]) -> None:
        self.text = text
        self._crlf = crlf
        self._tables: dict[Scheme, list[int] | None] = {}

    def _weights(self, scheme: Scheme) -> list[int] | None:
        """Units per character, or ``None`` when every character counts 1."""
        wide = any(ord(c) > 0xFFFF for c in self.text)
        crlf = iter(self._crlf)
        if scheme == "lf" or (scheme == "codepoints" and not any(self._crlf)):
            return None
        if scheme == "utf16" and not wide and not any(self._crlf):
            return None
        weights = []
        for ch in self.text:
            if ch == "\n":
                was_crlf = next(crlf, False)
                two = scheme == "utf16_crlf" or was_crlf
                weights.append(2 if two else 1)
            elif ord(ch) > 0xFFFF and scheme in ("utf16", "utf16_crlf"):
                weights.append(2)
            else:
                weights.append(1)
        return weights

    def _table(self, scheme: Scheme) -> list[int] | None:
        if scheme not in self._tables:
            weights = self._weights(scheme)
            self._tables[scheme] = None if weights is None else [0, *itertools.accumulate(weights)]
        return self._tables[scheme]

    def to_index(self, position: int, scheme: Scheme) -> tuple[int, bool]:
        """The text index for ``position``; ``exact`` is False when it fell inside a
        character (half a surrogate pair or between CR and LF) or outside the text."""
        table = self._table(scheme)
        n = len(self.text)
        if table is None:
            return min(max(position, 0), n), 0 <= position <= n
        if position < 0:
            return 0, False
        i = bisect.bisect_left(table, position)
        if i < len(table) and table[i] == position:
            return i, True
        return min(i - 1 if i > 0 else 0, n), False

    def span(self, start: int, end: int, scheme: Scheme) -> tuple[int, int, bool]:
        """``(start, end, exact)`` in text indices; ``end`` is never before ``start``."""
        a, exact_a = self.to_index(start, scheme)
        b, exact_b = self.to_index(end, scheme)
        if b < a:
            return a, a, False
        return a, b, exact_a and exact_b


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _is_boundary(text: str, i: int) -> bool:
    if i <= 0 or i >= len(text):
        return True
    return not (text[i - 1].isalnum() and text[i].isalnum())


@dataclass(frozen=True)
class Check:
    """The outcome of verifying one selection."""

    status: Status
    reason: str = ""
    found_at: tuple[int, int] | None = None


def name_matches(name: str, selected: str) -> bool:
    """Whether a selection ``name`` is the selected text (or a truncated start of it)."""
    if len(name) >= 3 and selected.startswith(name):  # verbatim start (verhalen writes this)
        return True
    a, b = _squash(name), _squash(selected)
    if a == b:
        return True
    stem = a.rstrip(".…").rstrip()
    return len(stem) >= 3 and b.startswith(stem)


def verify(text: str, start: int, end: int, name: str | None, exact: bool = True) -> Check:
    """Check a converted selection ``[start, end)`` against its name or word boundaries."""
    selected = text[start:end]
    if not exact:
        return Check("drift", "position falls inside a character or outside the text")
    if name is not None and name_matches(name, selected):
        return Check("verified")
    quote = (name or "").strip().rstrip(".…").rstrip()
    if len(_squash(quote)) >= MIN_QUOTE:  # long enough to be a quote, not a label
        found = _find_near(text, quote, start)
        if found is not None:
            return Check("drift", "the selection's name is found elsewhere in the text", found)
    if _is_boundary(text, start) and _is_boundary(text, end):
        return Check("boundaries")
    return Check("drift", "the selection starts or ends inside a word")


def _find_near(text: str, quote: str, around: int) -> tuple[int, int] | None:
    """The occurrence of ``quote`` nearest to ``around`` (exact text, then case-folded)."""
    for haystack, needle in ((text, quote), (text.casefold(), quote.casefold())):
        if len(haystack) != len(text):
            continue
        hits: list[int] = []
        i = haystack.find(needle)
        while i >= 0 and len(hits) < 1000:
            hits.append(i)
            i = haystack.find(needle, i + 1)
        if hits:
            best = min(hits, key=lambda h: (abs(h - around), h))
            return best, best + len(needle)
    return None
