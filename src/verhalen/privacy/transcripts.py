"""Pseudonymising transcripts and a whole corpus (the pipeline's entry point).

:func:`pseudonymise_corpus` runs in two passes: first every transcript is searched and
the key extended (in transcript-id order, so numbering is reproducible), then every
transcript is rewritten using the complete key — so a name found in one interview is
also replaced where detectors missed it in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from verhalen.corpus import Corpus
from verhalen.privacy.detect import Detection
from verhalen.privacy.engine import PrivacyEngine, Progress
from verhalen.privacy.key import PseudonymKey
from verhalen.privacy.normalise import Kind
from verhalen.privacy.replace import OffsetMap
from verhalen.privacy.review import ReviewItem, context_of
from verhalen.records import Participant, Transcript

_SKIP_METADATA = {"role", "practice", "fictief", "fictional", "language"}


def protected_spans(transcript: Transcript) -> list[tuple[int, int]]:
    """The parts of a transcript's text outside its turns (speaker labels, separators)."""
    if not transcript.turns:
        return []
    spans: list[tuple[int, int]] = []
    pos = 0
    for turn in sorted(transcript.turns, key=lambda t: t.start):
        if turn.start > pos:
            spans.append((pos, turn.start))
        pos = max(pos, turn.end)
    if pos < len(transcript.text):
        spans.append((pos, len(transcript.text)))
    return spans


def _label_detections(transcript: Transcript, key: PseudonymKey) -> list[Detection]:
    """Speaker labels that are names in the key (``Samira: …``): replaced like the name."""
    found: list[Detection] = []
    for turn in transcript.turns:
        label = f"{turn.speaker}: "
        start = turn.start - len(label)
        if start >= 0 and transcript.text[start : turn.start] == label and key.find(turn.speaker):
            end = start + len(turn.speaker)
            found.append(Detection(start, end, turn.speaker, Kind.naam, "sleutel"))
    return found


def pseudonymise_transcript(
    transcript: Transcript,
    engine: PrivacyEngine,
    key: PseudonymKey,
    detections: list[Detection] | None = None,
    key_detector: Any = None,
) -> tuple[Transcript, OffsetMap]:
    """A pseudonymised copy of ``transcript`` (same turns and labels) and its offset map."""
    pid = transcript.participant
    protected = protected_spans(transcript)
    text, omap = engine.pseudonymise_text(
        transcript.text,
        key,
        pid,
        protected,
        detections,
        forced=_label_detections(transcript, key),
        key_detector=key_detector,
    )
    turns = []
    for turn in transcript.turns:
        start, end = omap.map_span(turn.start, turn.end)
        label_start = (
            omap.to_new(turn.start - len(turn.speaker) - 2)
            if turn.start >= len(turn.speaker) + 2
            else None
        )
        speaker = turn.speaker
        if label_start is not None and key.find(turn.speaker):
            speaker = text[label_start : start - 2]
        turns.append(
            turn.model_copy(
                update={"start": start, "end": end, "text": text[start:end], "speaker": speaker}
            )
        )
    metadata: dict[str, Any] = {}
    for name, value in transcript.metadata.items():
        if isinstance(value, str) and name not in _SKIP_METADATA:
            value, _ = engine.pseudonymise_text(value, key, pid, key_detector=key_detector)
        metadata[name] = value
    interviewers = [key.render(e, i) if (e := key.find(i)) else i for i in transcript.interviewers]
    new = transcript.model_copy(
        update={"text": text, "turns": turns, "metadata": metadata, "interviewers": interviewers}
    )
    return Transcript.model_validate(new.model_dump()), omap


def detect_corpus(
    corpus: Corpus, engine: PrivacyEngine, key: PseudonymKey, progress: Progress | None = None
) -> dict[str, list[Detection]]:
    """Pass one: detections per transcript; the key is extended in transcript-id order."""
    engine.prepare_key(key)
    found: dict[str, list[Detection]] = {}
    ordered = sorted(corpus.transcripts, key=lambda t: t.id)
    items: Iterable[Transcript] = progress(ordered, "Detecting") if progress else ordered
    for transcript in items:
        dets = engine.detect(transcript.text, transcript.participant, protected_spans(transcript))
        for det in dets:
            key.register(det)
        found[transcript.id] = dets
    return found


def pseudonymise_corpus(
    corpus: Corpus, engine: PrivacyEngine, key: PseudonymKey, progress: Progress | None = None
) -> tuple[Corpus, dict[str, OffsetMap]]:
    """A pseudonymised copy of ``corpus`` and the offset map of every transcript.

    ``key`` is extended in place; save it with :meth:`PseudonymKey.save`. Participants
    keep their ids, roles, practices and attributes, but lose their names.
    """
    if not engine.participants:
        engine = with_participants(engine, corpus.participants)
    found = detect_corpus(corpus, engine, key, progress)
    finder = engine.key_detector(key)
    transcripts: list[Transcript] = []
    maps: dict[str, OffsetMap] = {}
    for transcript in corpus.transcripts:
        new, omap = pseudonymise_transcript(transcript, engine, key, found[transcript.id], finder)
        transcripts.append(new)
        maps[transcript.id] = omap
    participants = {
        pid: p.model_copy(update={"name": None}) for pid, p in corpus.participants.items()
    }
    result = Corpus(
        participants=participants,
        transcripts=transcripts,
        unit=corpus.unit,
        respondent_only=corpus.respondent_only,
        min_chars=corpus.min_chars,
    )
    return result, maps


def with_participants(
    engine: PrivacyEngine, participants: Mapping[str, Participant]
) -> PrivacyEngine:
    """A copy of ``engine`` that knows these manifest participants."""
    return PrivacyEngine(
        engine.detectors,
        dict(participants),
        engine.roles,
        engine.never,
        engine.review,
        engine.own_name,
        engine.notes,
        engine.harmless,
    )


def review_items(corpus: Corpus, engine: PrivacyEngine, key: PseudonymKey) -> list[ReviewItem]:
    """Every replacement the engine would make, with context (the key is not changed)."""
    scratch = PseudonymKey(key.style, [e.model_copy(deep=True) for e in key.entries])
    _, maps = pseudonymise_corpus(corpus, engine, scratch)
    items: list[ReviewItem] = []
    for transcript in sorted(corpus.transcripts, key=lambda t: t.id):
        turns = sorted(transcript.turns, key=lambda t: t.start)
        for rep in maps[transcript.id].replacements:
            original = transcript.text[rep.start : rep.end]
            turn = next((t for t in turns if t.start <= rep.start < t.end), None)
            line = None
            if turn is not None and turn.source_line is not None:
                line = turn.source_line + transcript.text.count("\n", turn.start, rep.start)
            before, after = context_of(transcript.text, rep.start, rep.end)
            items.append(
                ReviewItem(
                    transcript.id,
                    line,
                    rep.start,
                    rep.end,
                    original,
                    rep.kind,
                    rep.replacement,
                    before,
                    after,
                    engine.review.status(original),
                )
            )
    return items
