"""Pseudonymising transcripts and a whole corpus (the pipeline's entry point).

:func:`pseudonymise_corpus` runs in two passes: first every transcript is searched and
the key extended (in transcript-id order, so numbering is reproducible), then every
transcript is rewritten using the complete key — so a name found in one interview is
also replaced where detectors missed it in another.

Pass one is independent per transcript, so it can run in a pool of worker processes
(``n_process``, the ``[privacy] n_process`` setting); the key is still extended in
transcript-id order from the results, so the key, the pseudonyms and the offset maps are
exactly those of a run in one process. Pass two (the rewriting, which may still add to the
key) always runs in this process, in corpus order.

Workers never log, print or write anything: they return detections to this process only.
On Linux they are forked after this process has loaded deduce (on the first transcript),
so they share its lookup tables instead of loading their own copy (about 1.2 GB each).
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.privacy.detect import Detection
from verhalen.privacy.engine import PrivacyEngine, Progress
from verhalen.privacy.key import PseudonymKey
from verhalen.privacy.normalise import Kind
from verhalen.privacy.replace import OffsetMap
from verhalen.privacy.review import ReviewItem, context_of
from verhalen.records import Participant, Transcript

_SKIP_METADATA = {"role", "practice", "fictief", "fictional", "language"}

#: Detection only goes parallel for at least this many transcripts: starting the workers
#: and sending texts and detections between processes costs more than it saves for fewer
#: (measured on 2 cores; see ``docs/configuration.md``).
PARALLEL_MIN_TRANSCRIPTS = 20

#: What :meth:`PrivacyEngine.detect` is called with: text, participant id, protected spans.
DetectJob = tuple[str, str | None, list[tuple[int, int]]]
T = TypeVar("T")
_WORKER_ENGINE: list[PrivacyEngine] = []


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
    corpus: Corpus,
    engine: PrivacyEngine,
    key: PseudonymKey,
    progress: Progress | None = None,
    n_process: int = 1,
    min_parallel: int = PARALLEL_MIN_TRANSCRIPTS,
) -> dict[str, list[Detection]]:
    """Pass one: detections per transcript; the key is extended in transcript-id order.

    Parameters
    ----------
    corpus, engine, key, progress
        As for :func:`pseudonymise_corpus`.
    n_process
        Worker processes for detection; 1 (the default) detects in this process.
    min_parallel
        Fewer transcripts than this are always detected in this process.

    Raises
    ------
    VerhalenError
        If a worker process fails (the message names the transcript, never its text).
    """
    engine.prepare_key(key)
    found: dict[str, list[Detection]] = {}
    ordered = sorted(corpus.transcripts, key=lambda t: t.id)
    runs = detect_many(ordered, _job, _transcript_id, engine, progress, n_process, min_parallel)
    for transcript, dets in runs:
        for det in dets:
            key.register(det)
        found[transcript.id] = dets
    return found


def _job(transcript: Transcript) -> DetectJob:
    return transcript.text, transcript.participant, protected_spans(transcript)


def _transcript_id(transcript: Transcript) -> str:
    return transcript.id


def detect_many(
    items: Sequence[T],
    job: Callable[[T], DetectJob],
    name: Callable[[T], str],
    engine: PrivacyEngine,
    progress: Progress | None = None,
    n_process: int = 1,
    min_parallel: int = PARALLEL_MIN_TRANSCRIPTS,
) -> Iterator[tuple[T, list[Detection]]]:
    """``(item, engine.detect(*job(item)))`` for every item, in order.

    With ``n_process`` of 2 or more and at least ``min_parallel`` items the detections
    come from that many worker processes (the first item is done here, so that deduce is
    loaded once and shared by forked workers); the results are the same. ``name`` gives
    an item's name for error messages (a transcript id, never its text).

    Raises
    ------
    VerhalenError
        If a worker process fails or stops.
    """
    workers = min(n_process, len(items) - 1)
    if workers < 2 or len(items) < max(min_parallel, 2):
        for item in progress(items, "Detecting") if progress else items:
            yield item, engine.detect(*job(item))
        return
    first = engine.detect(*job(items[0]))
    pool = ProcessPoolExecutor(
        workers, _pool_context(), initializer=_init_worker, initargs=(engine,)
    )
    try:
        # all submitted (and the workers started) before a progress bar starts its thread
        results = pool.map(_detect_job, (job(item) for item in items[1:]), chunksize=1)
        shown = progress(items, "Detecting") if progress else items
        for i, item in enumerate(shown):
            if i == 0:
                yield item, first
                continue
            try:
                dets = next(results)
            except BrokenProcessPool:
                raise VerhalenError(
                    f"{name(item)}: a privacy worker process stopped unexpectedly (out of "
                    "memory?) — set `n_process = 1` under [privacy] in verhalen.toml"
                ) from None
            except VerhalenError as exc:
                raise VerhalenError(f"{name(item)}: {exc}") from None
            yield item, dets
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool_context() -> Any:
    """``fork`` where it is safe (workers share this process's deduce), else ``spawn``."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _init_worker(engine: PrivacyEngine) -> None:
    """Runs once per worker: keep the engine; silence logging and warnings for good."""
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    _WORKER_ENGINE[:] = [engine]


def _detect_job(job: DetectJob) -> list[Detection]:
    try:
        return _WORKER_ENGINE[0].detect(*job)
    except Exception as exc:
        # the original message may quote the text: only its type leaves the worker
        raise VerhalenError(
            f"detection failed in a worker process ({type(exc).__name__}) — run with "
            "`n_process = 1` under [privacy] to see the full error"
        ) from None


def pseudonymise_corpus(
    corpus: Corpus,
    engine: PrivacyEngine,
    key: PseudonymKey,
    progress: Progress | None = None,
    n_process: int = 1,
    min_parallel: int = PARALLEL_MIN_TRANSCRIPTS,
) -> tuple[Corpus, dict[str, OffsetMap]]:
    """A pseudonymised copy of ``corpus`` and the offset map of every transcript.

    ``key`` is extended in place; save it with :meth:`PseudonymKey.save`. Participants
    keep their ids, roles, practices and attributes, but lose their names.

    ``n_process`` worker processes detect identifiers when there are at least
    ``min_parallel`` transcripts (see :func:`detect_corpus`); the result is the same as
    with one process, byte for byte.
    """
    if not engine.participants:
        engine = with_participants(engine, corpus.participants)
    found = detect_corpus(corpus, engine, key, progress, n_process, min_parallel)
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
