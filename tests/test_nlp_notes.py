"""Transcription notes are blanked before NLP, and offsets still point into the original."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_nlp_shared import blank
from verhalen.nlp import note_spans, process, strip_notes, view_of

ORIGINAL = (
    "[00:12:31] Ja. (lacht) We gingen naar de groep [onverstaanbaar] en toen\n"
    "[kind huilt] zei ze (stilte) dat [NAAM-3] ook kwam. (Tolk en respondent lachen) Fijn."
)


def test_notes_become_spaces_of_equal_length() -> None:
    stripped = strip_notes(ORIGINAL)
    assert len(stripped) == len(ORIGINAL)
    for note in (
        "[00:12:31]",
        "(lacht)",
        "[onverstaanbaar]",
        "[kind huilt]",
        "(stilte)",
        "(Tolk en respondent lachen)",
    ):
        start = ORIGINAL.index(note)
        assert stripped[start : start + len(note)] == " " * len(note)
    assert "[NAAM-3]" in stripped  # pseudonym tags are not notes
    assert "\n" in stripped  # line breaks are kept
    assert [ORIGINAL[a:b] for a, b in note_spans(ORIGINAL)][:2] == ["[00:12:31]", "(lacht)"]
    assert strip_notes("geen notities hier") == "geen notities hier"


def test_token_offsets_map_back_to_the_original_text() -> None:
    nlp, _ = blank()
    (doc,) = process([ORIGINAL], nlp)
    words = [t for t in doc if not t.is_space]
    assert words, "the text has words"
    for token in words:
        assert ORIGINAL[token.idx : token.idx + len(token.text)] == token.text
    view = view_of(doc)
    assert "lacht" not in view.forms and "onverstaanbaar" not in view.forms
    assert "huilt" not in view.forms and "00" not in view.forms
    assert {"groep", "fijn"} <= set(view.forms)
    for form, start in zip(view.forms, view.starts, strict=True):
        assert ORIGINAL[start : start + len(form)].lower() == form


WORDS = st.sampled_from(["ja", "moeder", "kind", "koffie", "Nou,", "eh...", "tip.", "groep"])
NOTES = st.sampled_from(
    [
        "(lacht)",
        "(stilte)",
        "[onverstaanbaar]",
        "[00:01:02]",
        "[kind huilt]",
        "(wijst naar haar ogen)",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(WORDS, NOTES), min_size=1, max_size=20))
def test_stripping_keeps_every_character_outside_notes(parts: list[str]) -> None:
    text = " ".join(parts)
    stripped = strip_notes(text)
    assert len(stripped) == len(text)
    inside = {i for a, b in note_spans(text) for i in range(a, b)}
    for i, (before, after) in enumerate(zip(text, stripped, strict=True)):
        assert after == (" " if i in inside else before)
    assert not note_spans(stripped)
