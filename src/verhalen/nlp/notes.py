"""Transcription notes: find them and blank them out without moving any offset.

Transcribers mark non-verbal events and gaps between brackets: ``(lacht)``, ``(stilte)``,
``(vertaalt de vraag)``, ``[onverstaanbaar]``, ``[kind huilt]``, and timestamps such as
``[00:12:31]``. They are kept in the transcript (a researcher wants to read them) but are not
words of the participant, so the NLP stage skips them.

:func:`strip_notes` replaces every note by spaces of exactly the same length. Offsets stay
valid: a token at ``doc[i].idx`` in the processed text covers the same characters in the
original text (Python string offsets are code points, and each replaced code point becomes one
space). This is simpler and cheaper than an offset map and keeps ``Segment.start``/``end``
arithmetic unchanged.

Square-bracket notes must start with a lower-case letter or be a timestamp, so that
pseudonymisation tags like ``[NAAM-3]`` survive; round-bracket notes may hold any short text
without line breaks (transcripts use parentheses for notes, not for speech).
"""

from __future__ import annotations

import re

NOTES_VERSION = "1"
"""Bumped when the note pattern changes, so cached NLP results are not reused."""

NOTE_RE = re.compile(
    r"\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\]"  # [00:12:31], [12:31], [00:12:31.5]
    r"|\[[a-zà-ÿ?…][^\[\]\n]{0,80}\]"  # [onverstaanbaar], [kind huilt], [?]
    r"|\([^()\n]{1,120}\)"  # (lacht), (stilte), (Tolk en respondent lachen)
)


def note_spans(text: str) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` spans of the transcription notes in ``text``.

    Parameters
    ----------
    text
        Any transcript text.

    Returns
    -------
    list of tuple of int
        Spans in text order, as found by :data:`NOTE_RE`.
    """
    return [m.span() for m in NOTE_RE.finditer(text)]


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def strip_notes(text: str) -> str:
    """Replace transcription notes by spaces of equal length.

    Parameters
    ----------
    text
        Transcript or segment text.

    Returns
    -------
    str
        A text of the same length in which every character outside a note is unchanged,
        so ``result[i] == text[i]`` wherever ``result[i]`` is not a blanked note character.

    Examples
    --------
    >>> strip_notes("Ja. (lacht) Goed.")
    'Ja.         Goed.'
    """
    if "(" not in text and "[" not in text:
        return text
    return NOTE_RE.sub(_blank, text)
