"""Kinds of identifiers and the text helpers every privacy module shares.

Matching in this package is *case- and diacritic-insensitive* where that is safe: text is
folded with :func:`fold`, which keeps the length of the text, so a match in the folded
text has the same offsets in the original.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache


class Kind(StrEnum):
    """The kinds of identifiers the privacy stage detects and replaces."""

    naam = "naam"
    wijk = "wijk"
    plaats = "plaats"
    adres = "adres"
    postcode = "postcode"
    instelling = "instelling"
    telefoon = "telefoon"
    email = "email"
    datum = "datum"
    id = "id"


#: Tag prefix per kind, as in ``[NAAM-3]``.
TAG_PREFIX: dict[Kind, str] = {kind: kind.value.upper() for kind in Kind}

#: Other words researchers use for a kind (accepted in lists and on the command line).
KIND_ALIASES: dict[str, Kind] = {
    "persoon": Kind.naam,
    "name": Kind.naam,
    "buurt": Kind.wijk,
    "dorp": Kind.wijk,
    "locatie": Kind.plaats,
    "stad": Kind.plaats,
    "straat": Kind.adres,
    "school": Kind.instelling,
    "organisatie": Kind.instelling,
    "telefoonnummer": Kind.telefoon,
    "e-mail": Kind.email,
    "emailadres": Kind.email,
    "bsn": Kind.id,
    "nummer": Kind.id,
}


def parse_kind(value: str) -> Kind | None:
    """The :class:`Kind` for a name or alias (case-insensitive), or ``None``."""
    key = value.strip().casefold()
    try:
        return Kind(key)
    except ValueError:
        return KIND_ALIASES.get(key)


def allowed_kinds() -> str:
    """The kinds as a comma-separated list, for error messages."""
    return ", ".join(k.value for k in Kind)


#: Letters without a Unicode decomposition, folded by hand (``Aydın`` = ``Aydin``).
_SPECIAL = {
    "ı": "i",
    "ł": "l",
    "Ł": "l",
    "ø": "o",
    "Ø": "o",
    "đ": "d",
    "Đ": "d",
    "ß": "s",
    "æ": "a",
    "Æ": "a",
    "œ": "o",
    "Œ": "o",
    "ŋ": "n",
    "þ": "t",
    "ð": "d",
}


def _fold_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    base = next(
        (c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)), char
    )
    low = base.lower()
    return low[0] if low else char


class _FoldTable(dict[int, str]):
    """A :meth:`str.translate` table that fills itself in for every new character."""

    def __init__(self, keep_case: bool) -> None:
        super().__init__()
        self.keep_case = keep_case

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _fold_char(char)
        if self.keep_case and char.isupper():
            folded = folded.upper()
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable(keep_case=False)
_MARKS_TABLE = _FoldTable(keep_case=True)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
#: Texts at least this long are folded piecewise (ASCII runs by ``str.lower``: faster).
_LONG = 256


def _translate(text: str, table: _FoldTable) -> str:
    if len(text) < _LONG:
        return text.translate(table)
    # an ASCII character folds to its lower case (or to itself, keeping case): only the
    # non-ASCII runs need the table, which is much slower per character
    ascii_fold = str.lower if not table.keep_case else str
    pieces: list[str] = []
    pos = 0
    for m in _NON_ASCII.finditer(text):
        pieces.append(ascii_fold(text[pos : m.start()]))
        pieces.append(m.group(0).translate(table))
        pos = m.end()
    pieces.append(ascii_fold(text[pos:]))
    return "".join(pieces)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics, keeping its length (offsets stay valid)."""
    return _translate(text, _FOLD_TABLE)


def fold_marks(text: str) -> str:
    """Strip diacritics but keep upper and lower case (length kept, like :func:`fold`)."""
    return _translate(text, _MARKS_TABLE)


def fold_key(text: str) -> str:
    """A lookup key: folded, apostrophes unified, whitespace collapsed."""
    if len(text) <= _KEY_CACHED:
        return _fold_key(text)
    return " ".join(fold(text).replace("’", "'").split())


#: Keys of texts up to this length are cached (words and names, looked up again and again).
_KEY_CACHED = 64


@lru_cache(maxsize=65536)
def _fold_key(text: str) -> str:
    return " ".join(fold(text).replace("’", "'").split())


def mask(text: str) -> str:
    """A masked form that never reveals an identifier, e.g. ``"S…a"`` for ``"Samira"``."""
    letters = text.strip()
    if not letters:
        return "…"
    if len(letters) <= 2:
        return letters[0] + "…"
    return f"{letters[0]}…{letters[-1]}"


def phrase_pattern(phrase: str) -> str:
    """A regex for ``phrase`` with flexible whitespace (``\\s+`` between words)."""
    return r"\s+".join(re.escape(part) for part in phrase.split())


def bounded(pattern: str) -> str:
    """``pattern`` that only matches as whole words (not inside a longer word)."""
    return rf"(?<![\w@.-])(?:{pattern})(?![\w@]|-\w|\.\w)"


_SENTENCE_END = set(".!?:;\n")
_OPENERS = set(" \t\"'“”‘’«»([-–—*")


def is_sentence_start(text: str, pos: int) -> bool:
    """Whether ``pos`` starts a sentence (or a line, or an utterance after a colon).

    An ellipsis (``...``, ``…``) is a hesitation in transcripts, not a sentence end:
    in ``bij... eh... De Spreekbuis`` the article is inside the sentence.
    """
    i = pos - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    if text[i] == "…" or text.endswith("..", 0, i + 1):
        return False
    return text[i] in _SENTENCE_END


@lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """Whether ``word`` is an ordinary Dutch word (so also a risky name to match loosely)."""
    import simplemma

    low = word.strip().lower()
    if not low:
        return False
    return low in STOP_WORDS or low in _vocabulary() or bool(simplemma.is_known(low, lang="nl"))


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Dutch function and common words: spaCy's stop words plus deduce's whitelists."""
    from importlib.util import find_spec
    from pathlib import Path

    from spacy.lang.nl.stop_words import STOP_WORDS as SPACY_STOP_WORDS

    words = {w.lower() for w in SPACY_STOP_WORDS}
    spec = find_spec("deduce")
    if spec is not None and spec.origin is not None:
        base = Path(spec.origin).parent / "data" / "lookup" / "src" / "whitelist"
        for name in ("lst_common_word", "lst_stop_word"):
            path = base / name / "items.txt"
            if path.is_file():
                words |= {w.strip().lower() for w in path.read_text("utf-8").split("\n")}
    return frozenset(w for w in words if w)


#: Function words that never form an identifier on their own.
STOP_WORDS = frozenset(
    (  # noqa: SIM905
        "aan af al alle als at bij boven by daar dan dat de den der des deze die dit doch door "
        "dus een eens en er hem het hier hij hun ik in is je jij jou jullie kan maar me meer "
        "met mijn mij na naar niet nog nu of om onder ons onze ook op over te ten ter tegen "
        "tot tussen u uit uw van vanaf voor waar wat want we wel wie wij zo zij ze zich zijn "
        "zonder zou 's 't d'r m'n z'n haar hen men toch toen ja nee oh eh hoor hè nou"
    ).split()
)

#: Surname particles: ``El Amrani`` is also found as ``Amrani``.
PARTICLES = frozenset(
    "van de der den het ten ter te 't in op aan el al ben bin da di du le la von zu mc mac o d".split()  # noqa: SIM905,E501
)
