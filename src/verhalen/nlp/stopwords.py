"""The project stop list: spaCy's Dutch list minus words that carry meaning, plus fillers.

The list is package data (``verhalen/data/nlp/stopwoorden_nl.txt``) so a researcher can read
it and the audit trail shows which words were ignored. It is used only for similarity
features (TF-IDF); codebook keywords and lemma patterns are matched against every word.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from verhalen.errors import VerhalenError

STOPLIST_RESOURCE = "stopwoorden_nl.txt"
FILLERS = frozenset({"eh", "ehm", "uh", "uhm", "hm", "hmm", "nou", "joh", "hè", "tja"})
"""Fillers of spoken Dutch that the stop list must contain (checked by the tests)."""


def parse_stop_list(text: str) -> frozenset[str]:
    """Parse a stop list: one word per line, ``#`` starts a comment, case-insensitive.

    Parameters
    ----------
    text
        The contents of a stop-list file.

    Returns
    -------
    frozenset of str
        The lower-cased words.
    """
    words = set()
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return frozenset(words)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The project's Dutch stop list (lower-case word forms).

    Returns
    -------
    frozenset of str
        Words to leave out of similarity features.

    Raises
    ------
    VerhalenError
        If the package data file is missing (a broken installation).
    """
    try:
        text = (
            resources.files("verhalen")
            .joinpath("data", "nlp", STOPLIST_RESOURCE)
            .read_text(encoding="utf-8")
        )
    except FileNotFoundError as exc:  # pragma: no cover - broken installation
        raise VerhalenError(
            f"verhalen/data/nlp/{STOPLIST_RESOURCE}: the stop list is missing from the "
            "installation — reinstall verhalen (pip install -e .)"
        ) from exc
    return parse_stop_list(text)


def is_stop(word: str) -> bool:
    """Whether a word form (any case) is on the project stop list."""
    return word.lower() in stop_words()
