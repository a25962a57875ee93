"""Merge an import into a project that may already have a corpus.

A project exported to ATLAS.ti, coded there and imported back must not lose what only
``verhalen`` knows (turn timings, source files). So a transcript that already exists
with the *same text* is kept as it is; new transcripts and participants are added. A
transcript whose text differs is a conflict: the codings would point at other words.
Conflicts are refused unless ``force`` is given (then the import replaces them).
Codings are then re-linked to the segments of the merged corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verhalen.corpus import Corpus
from verhalen.errors import Problem, ValidationError
from verhalen.interchange.textturns import assign_segments
from verhalen.records import Coding


@dataclass
class MergeOutcome:
    """The corpus to store, the codings linked to its segments, and what happened."""

    corpus: Corpus
    codings: list[Coding]
    added_transcripts: list[str] = field(default_factory=list)
    replaced_transcripts: list[str] = field(default_factory=list)
    added_participants: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def conflicts(existing: Corpus | None, imported: Corpus) -> list[str]:
    """Ids of transcripts in both corpora whose texts differ."""
    if existing is None:
        return []
    current = {t.id: t.text for t in existing.transcripts}
    return [t.id for t in imported.transcripts if t.id in current and current[t.id] != t.text]


def merge_into(
    existing: Corpus | None,
    imported: Corpus,
    codings: list[Coding],
    force: bool = False,
    where: str = "data/corpus.jsonl",
    equivalent: set[str] | frozenset[str] = frozenset(),
) -> MergeOutcome:
    """Merge ``imported`` into ``existing`` (see the module docstring).

    Transcripts in ``equivalent`` differ in text but are known to be the same interview
    (the imported one is the pseudonymised export of the project's; its codings were
    already moved back): the project's transcript is kept.

    Raises
    ------
    ValidationError
        Listing every transcript whose text differs, unless ``force``.
    """
    if existing is None:
        return MergeOutcome(
            imported,
            list(codings),
            added_transcripts=[t.id for t in imported.transcripts],
            added_participants=list(imported.participants),
        )
    current = {t.id: t for t in existing.transcripts}
    problems: list[Problem] = []
    outcome = MergeOutcome(existing, [])
    transcripts = list(existing.transcripts)
    index = {t.id: i for i, t in enumerate(transcripts)}
    for t in imported.transcripts:
        old = current.get(t.id)
        if old is None:
            transcripts.append(t)
            outcome.added_transcripts.append(t.id)
        elif old.text != t.text and t.id not in equivalent:
            if force:
                transcripts[index[t.id]] = t
                outcome.replaced_transcripts.append(t.id)
            else:
                problems.append(
                    Problem(
                        f"{where} (transcript {t.id})",
                        "the imported text differs from the text in the project",
                        "the imported codings point into the other text; import into a new "
                        "project, or pass --force to replace the transcript",
                    )
                )
    if problems:
        raise ValidationError(
            problems,
            summary=f"{len(problems)} transcript(s) conflict with the project, nothing written",
        )
    participants = dict(existing.participants)
    for pid, p in imported.participants.items():
        old_p = participants.get(pid)
        if old_p is None:
            participants[pid] = p
            outcome.added_participants.append(pid)
        elif (old_p.role, old_p.practice) != (p.role, p.practice) and "?" not in (
            p.role,
            p.practice,
        ):
            outcome.notes.append(
                f"participant {pid}: kept role/practice {old_p.role}/"
                f"{old_p.practice} of the project (import has {p.role}/"
                f"{p.practice})"
            )
    outcome.corpus = Corpus(
        participants=participants,
        transcripts=transcripts,
        unit=existing.unit,
        respondent_only=existing.respondent_only,
        min_chars=existing.min_chars,
    )
    outcome.codings = assign_segments(list(codings), outcome.corpus.segments)
    return outcome


def effective_key(
    coding: Coding, segments: dict[str, tuple[str, int, int]]
) -> tuple[str, str, str | None, int | None, int | None]:
    """``(coder, code, transcript, start, end)`` with a segment coding's span filled in."""
    if coding.start is None and coding.segment_id in segments:
        tid, start, end = segments[coding.segment_id]
        return (coding.coder, coding.code_id, coding.transcript_id or tid, start, end)
    return (coding.coder, coding.code_id, coding.transcript_id, coding.start, coding.end)


def drop_known(imported: list[Coding], existing: list[Coding], corpus: Corpus) -> list[Coding]:
    """Imported codings the project does not already hold.

    A coding already in the project counts as the same when coder, code, transcript and
    span are equal; a segment-level coding (no ``start``/``end``) spans its segment. So
    importing back a project this one exported adds nothing twice.
    """
    segments = {s.id: (s.transcript_id, s.start, s.end) for s in corpus.segments}
    known = {effective_key(c, segments) for c in existing}
    return [c for c in imported if effective_key(c, segments) not in known]
