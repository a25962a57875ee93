"""Text helpers for the report: cleaning quotes, trimming at sentence boundaries, Dutch numbers.

Quotes stay close to the participants' words (verbatim, lightly cleaned, the convention of
practitioners' guides full of anonymised quotes):

* transcription notes are removed: anything in round brackets, e.g. ``(lacht)``,
  ``(stilte)``, ``(vertaalt)``, and lower-case notes in square brackets, e.g.
  ``[onverstaanbaar]``. Pseudonym tags such as ``[NAAM-3]`` (upper case) are kept;
* hesitation sounds (``eh``, ``ehm``, ``uh``, ``uhm``, ``hm``, ``hm-hm``) are removed;
* white space and the punctuation left behind are tidied.

Long turns are cut to a window of whole sentences (:func:`trim_to_window`); where the cut
drops text, an ellipsis "…" marks it.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ELLIPSIS = "…"

_NOTE_ROUND = re.compile(r"\s*\([^()]*\)")
_NOTE_SQUARE = re.compile(r"\s*\[[a-zà-ÿ][^\]]*\]")
_FILLER = re.compile(r"(?<![\w-])(?:ehm|eh+|euh|uhm|uh+|hm-hm|hm+)(?![\w-])[.,…]*", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?;:…])")
_DOUBLE_COMMA = re.compile(r",(\s*,)+")
_COMMA_BEFORE_STOP = re.compile(r",\s*([.!?…])")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(\[]?[A-ZÀ-Þ0-9])")
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_text(text: str) -> str:
    """Remove transcription notes and hesitation sounds; tidy spaces and punctuation.

    >>> clean_text("Ja. Eh... er zijn veel. (lacht) Zal ik gewoon beginnen?")
    'Ja. Er zijn veel. Zal ik gewoon beginnen?'
    """
    out = _NOTE_ROUND.sub("", text)
    out = _NOTE_SQUARE.sub("", out)
    out = _FILLER.sub("", out)
    out = " ".join(out.split())
    out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
    out = _DOUBLE_COMMA.sub(",", out)
    out = _COMMA_BEFORE_STOP.sub(r"\1", out)
    out = re.sub(r"\.{4,}", "...", out)
    out = re.sub(r"(?<=[.!?])\s*\.\.\.", "", out)  # "veel. ..." left by a removed "eh..."
    out = re.sub(r"\s{2,}", " ", out).strip()
    out = out.lstrip(",.;: ").strip()
    return _capitalise_sentences(out)


def _capitalise_sentences(text: str) -> str:
    """Upper-case a sentence start left in lower case by a removed hesitation sound."""
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return re.sub(r"(?<=[^.][.!?] )([a-zà-ÿ])", lambda m: m.group(1).upper(), text)


def words(text: str) -> int:
    """Number of words (white-space separated, the ellipsis mark not counted)."""
    return sum(1 for w in text.split() if w != ELLIPSIS)


def split_sentences(text: str) -> list[str]:
    """Split at ``.``, ``!``, ``?`` or ``…`` followed by a space and an upper-case start."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


@functools.lru_cache(maxsize=256)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    words_, phrases = [], []
    for kw in keywords:
        key = kw.lower().strip()
        if not key:
            continue
        if " " in key:
            phrases.append(re.escape(key))
        elif len(key) >= 3:
            words_.append(re.escape(key) + r"\w*")
        else:
            words_.append(re.escape(key))
    alternatives = [*phrases, *words_]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def keyword_hits(text: str, keywords: Collection[str]) -> int:
    """How often the keywords occur: a word *starting* with a keyword of three or more
    letters counts (``tip`` → ``tips``); a keyword of several words counts as a phrase."""
    pattern = _keyword_pattern(tuple(sorted(set(keywords))))
    if pattern is None:
        return 0
    return len(pattern.findall(text.lower()))


@dataclass(frozen=True)
class Trimmed:
    """A quote cut from a cleaned text."""

    text: str
    words: int
    hits: int


def _cut_sentence(sentence: str, max_words: int, min_words: int) -> str:
    """The start of an over-long sentence, preferably ending at a comma."""
    parts = sentence.split()[:max_words]
    for end in range(len(parts), min_words - 1, -1):
        if parts[end - 1].endswith(","):
            return " ".join(parts[:end])[:-1]
    return " ".join(parts).rstrip(",;:")


def trim_to_window(
    text: str,
    min_words: int = 12,
    max_words: int = 70,
    ideal_words: int = 35,
    keywords: Collection[str] = (),
) -> Trimmed | None:
    """The best window of whole sentences of a cleaned text, or ``None`` if it is too short.

    Every run of consecutive sentences with at most ``max_words`` words is a candidate.
    Candidates with at least ``min_words`` words are preferred; among them the window with
    the most ``keywords`` hits (:func:`keyword_hits`), then the one whose length is closest
    to ``ideal_words`` (in steps of ten words, so near-ties go to the earlier window), then
    the earliest. A single sentence longer than ``max_words`` is
    cut at a word (preferably comma) boundary. Dropped text is marked with "…".

    Parameters
    ----------
    text
        Cleaned text (:func:`clean_text`).
    min_words, max_words, ideal_words
        Length limits of the quote, in words.
    keywords
        Words and phrases that show what the quote is about (the codes' keywords).
    """
    total = words(text)
    if total < min_words:
        return None
    sentences = split_sentences(text)
    counts = [words(s) for s in sentences]
    sentence_hits = [keyword_hits(s, keywords) for s in sentences]
    best: tuple[tuple[int, int, int, int], int, int] | None = None
    for i in range(len(sentences)):
        n = 0
        for j in range(i, len(sentences)):
            n += counts[j]
            if n > max_words:
                break
            if n < min_words:
                continue
            hits = sum(sentence_hits[i : j + 1])
            key = (-hits, abs(n - ideal_words) // 10, i, j)
            if best is None or key < best[0]:
                best = (key, i, j)
    if best is not None:
        _, i, j = best
        body = " ".join(sentences[i : j + 1])
        quote = (ELLIPSIS + " " if i > 0 else "") + body
        if j < len(sentences) - 1:
            quote = quote + " " + ELLIPSIS
        return Trimmed(quote, words(body), sum(sentence_hits[i : j + 1]))
    # no window of whole sentences fits: cut the sentence with the most hits (then the first)
    order = sorted(
        range(len(sentences)),
        key=lambda k: (-sentence_hits[k], -(counts[k] >= min_words), k),
    )
    for k in order:
        if counts[k] < min_words:
            continue
        body = _cut_sentence(sentences[k], max_words, min_words)
        if words(body) < min_words:
            continue
        quote = (ELLIPSIS + " " if k > 0 else "") + body + " " + ELLIPSIS
        return Trimmed(quote, words(body), keyword_hits(body, keywords))
    return None


def stable_hash(value: str) -> str:
    """SHA-256 hex digest of a string: a tie-breaker that never depends on dict order."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def decimal_nl(value: float | None, digits: int = 1) -> str:
    """A number with a decimal comma, rounded half up (``35,25`` → ``35,3``), or "–"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    step = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)
    return f"{rounded:.{digits}f}".replace(".", ",")


def percent_nl(share: float | None) -> str:
    """A share as a Dutch percentage, rounded half up: ``0.425`` → ``"43%"``."""
    if share is None or math.isnan(share):
        return "–"
    return f"{math.floor(share * 100 + 0.5 + 1e-9):d}%"


def slugify(text: str) -> str:
    """A file-name-safe id: ``"Kalibratie & terugkoppeling"`` → ``"kalibratie_terugkoppeling"``."""
    table = str.maketrans("àáâäãåèéêëìíîïòóôöõùúûüçñ", "aaaaaaeeeeiiiiooooouuuucn")
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower().translate(table)).strip("_")
    return slug or "pagina"


_MD_SPECIAL = re.compile(
    r"([\\`*])|(?<!\w)(_)|(_)(?!\w)|<(?=[A-Za-z/!?])|(\]\()|^([#>+-])(?=\s)|^(\d+)\.(?=\s)",
    re.MULTILINE,
)


def md_escape(text: str) -> str:
    """Escape Markdown syntax in plain text: ``\\``, backticks, ``*``, ``_`` at a word
    boundary, tag-like ``<``, ``](`` (a link) and block markers at a line start. Pseudonym
    tags such as ``[NAAM-3]`` stay readable (a bracket alone makes no link)."""

    def repl(m: re.Match[str]) -> str:
        for group in (1, 2, 3):
            if m.group(group):
                return "\\" + m.group(group)
        if m.group(4):
            return "]\\("
        if m.group(5):
            return "\\" + m.group(5)
        if m.group(6):
            return m.group(6) + "\\."
        return "\\<"

    return _MD_SPECIAL.sub(repl, text)
