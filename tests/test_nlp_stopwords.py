"""The project stop list keeps words that carry meaning in these interviews."""

from __future__ import annotations

from spacy.lang.nl.stop_words import STOP_WORDS

from tests.test_nlp_shared import blank
from verhalen.nlp import is_stop, process, stop_words, view_of
from verhalen.nlp.stopwords import FILLERS, parse_stop_list

MEANINGFUL = [
    "alleen",
    "niet",
    "nooit",
    "altijd",
    "vaak",
    "minder",
    "geen",
    "zelf",
    "eigen",
    "mezelf",
    "wij",
    "onze",
    "buiten",
    "binnen",
    "moeten",
    "mogen",
    "samen",
    "thuis",
]


def test_meaningful_words_from_spacys_list_are_kept() -> None:
    ours = stop_words()
    for word in MEANINGFUL:
        assert word not in ours, word
    assert {"alleen", "niet", "nooit", "altijd", "vaak", "minder"} <= set(STOP_WORDS)
    assert not is_stop("Alleen")


def test_fillers_are_stop_words_and_the_rest_of_spacys_list_stays() -> None:
    ours = stop_words()
    assert ours >= FILLERS
    assert {"eh", "ehm", "nou", "joh", "hè"} <= ours
    assert {"de", "het", "een", "en", "heeft", "was"} <= ours
    assert ours - set(STOP_WORDS) <= {w for w in ours if not w.isalpha()} | FILLERS | {
        "eeh",
        "mmm",
        "mm",
        "he",
        "nja",
        "och",
        "enzo",
        "ofzo",
        "zegmaar",
        "oké",
        "okee",
        "ok",
    }


def test_parse_stop_list_ignores_comments_and_case() -> None:
    assert parse_stop_list("# kop\nDe  # lidwoord\n\n eh\n") == frozenset({"de", "eh"})


def test_content_words_drop_stop_words_but_keep_negation() -> None:
    nlp, _ = blank()
    assert nlp.vocab["alleen"].is_stop is False and nlp.vocab["eh"].is_stop is True
    (doc,) = process(["Eh, nou, ik ben niet alleen met de kinderen."], nlp)
    view = view_of(doc)
    assert view.content == ("niet", "alleen", "kind")
    assert "eh" in view.forms  # keywords and patterns still see every word
