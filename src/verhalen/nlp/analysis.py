"""A light, picklable view of a processed doc: word forms, lemmas and content words.

Stages that match words (codebook keywords, lemma patterns) or compare texts (TF-IDF) need
only lower-cased forms and lemmas of the word tokens, not the full :class:`~spacy.tokens.Doc`.
:class:`TextView` holds exactly that, so a doc is walked once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc

from verhalen.nlp.stopwords import stop_words


@dataclass(frozen=True)
class TextView:
    """Word tokens of one text (punctuation and whitespace left out).

    Attributes
    ----------
    text
        The processed text (transcription notes blanked, same length as the original).
    forms
        Lower-cased word forms.
    lemmas
        Lower-cased lemmas, aligned with ``forms``.
    starts
        Character offset of each word in ``text`` (and in the original text).
    """

    text: str
    forms: tuple[str, ...]
    lemmas: tuple[str, ...]
    starts: tuple[int, ...]
    content: tuple[str, ...] = field(default=())

    @property
    def content_text(self) -> str:
        """Content lemmas (no stop words, no numbers) joined by spaces: TF-IDF input."""
        return " ".join(self.content)

    @property
    def flat_text(self) -> str:
        """The text lower-cased with runs of whitespace collapsed: character n-gram input."""
        return " ".join(self.text.lower().split())


def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def view_of(doc: Doc) -> TextView:
    """The :class:`TextView` of a processed doc.

    Parameters
    ----------
    doc
        A doc from :func:`verhalen.nlp.process`.

    Returns
    -------
    TextView
        Words with lemmas; a token without a lemma uses its lower-cased form.
    """
    stops = stop_words()
    forms: list[str] = []
    lemmas: list[str] = []
    starts: list[int] = []
    content: list[str] = []
    for token in doc:
        text = token.text
        if token.is_space or not _is_word(text):
            continue
        form = text.lower()
        lemma = (token.lemma_ or text).lower()
        forms.append(form)
        lemmas.append(lemma)
        starts.append(token.idx)
        if form not in stops and lemma not in stops and any(ch.isalpha() for ch in lemma):
            content.append(lemma)
    return TextView(doc.text, tuple(forms), tuple(lemmas), tuple(starts), tuple(content))


def views_of(docs: Iterable[Doc]) -> list[TextView]:
    """:func:`view_of` for many docs."""
    return [view_of(doc) for doc in docs]
