"""Pseudonymise what an export lets out, and map coding of pseudonymised text back.

An exported project leaves the researcher's machine, so ``verhalen export qdpx``
pseudonymises by default (with the project's key, through :mod:`verhalen.privacy`):

* :func:`pseudonymise_for_export` pseudonymises the transcripts (text, turns, metadata,
  interviewers) and moves every coding span to the pseudonymised text with the offset
  maps; memos, code examples and in-vivo quotes, and source file names are pseudonymised
  too. Participants lose their names (they are never exported anyway).
* :func:`map_back` is the way home: when colleagues coded the pseudonymised text in
  ATLAS.ti or MAXQDA and the project is imported again, every transcript whose imported
  text is exactly the pseudonymised version of the project's text keeps the project's
  original, and the imported coding spans are moved back to it.

Both run the privacy engine (deduce; about ten seconds for the example project).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verhalen.corpus import Corpus
from verhalen.project import Project
from verhalen.records import Codebook, Coding


@dataclass
class MappedBack:
    """Imported codings moved to the project's original text."""

    codings: list[Coding]
    transcripts: list[str] = field(default_factory=list)  # ids matched as pseudonymised


def _engine(project: Project, corpus: Corpus) -> tuple[Any, Any]:
    from verhalen.privacy import PrivacyEngine, load_key

    return PrivacyEngine.from_project(project, corpus.participants), load_key(project)


def _text(engine: Any, key: Any) -> Callable[[str], str]:
    def pseudonymise(value: str) -> str:
        return str(engine.pseudonymise_text(value, key)[0]) if value.strip() else value

    return pseudonymise


def pseudonymise_for_export(
    project: Project, corpus: Corpus, codebook: Codebook, codings: list[Coding]
) -> tuple[Corpus, Codebook, list[Coding]]:
    """The corpus, codebook and codings as they may leave the tool (key saved, mode 600)."""
    from verhalen.privacy import pseudonymise_corpus

    engine, key = _engine(project, corpus)
    pseudo, maps = pseudonymise_corpus(corpus, engine, key)
    text = _text(engine, key)
    transcript_of = {s.id: s.transcript_id for s in corpus.segments}
    moved: list[Coding] = []
    for coding in codings:
        omap = maps.get(coding.transcript_id or transcript_of.get(coding.segment_id, ""))
        if omap is not None:
            coding = omap.map_coding(coding)
        if coding.memo:
            coding = coding.model_copy(update={"memo": text(coding.memo)})
        moved.append(coding)
    codes = [
        code.model_copy(
            update={
                "examples": [text(e) for e in code.examples],
                "origin": code.origin.model_copy(
                    update={"quote": text(code.origin.quote) if code.origin.quote else None}
                ),
            }
        )
        for code in codebook.codes
    ]
    pseudo.transcripts = [
        t.model_copy(update={"source_file": text(t.source_file)}) for t in pseudo.transcripts
    ]
    key.save(project.key_path)
    return pseudo, codebook.model_copy(update={"codes": codes}), moved


def map_back(
    project: Project, existing: Corpus, imported: Corpus, codings: list[Coding]
) -> MappedBack:
    """Codings of transcripts imported in pseudonymised form, moved to the original text.

    Transcripts whose imported text is not the pseudonymised project text are left to
    the caller (their codings are returned unchanged).
    """
    from verhalen.privacy import pseudonymise_corpus

    current = {t.id: t.text for t in existing.transcripts}
    differing = {
        t.id: t.text for t in imported.transcripts if t.id in current and current[t.id] != t.text
    }
    if not differing:
        return MappedBack(list(codings))
    subset = Corpus(
        participants=existing.participants,
        transcripts=[t for t in existing.transcripts if t.id in differing],
    )
    engine, key = _engine(project, existing)
    pseudo, maps = pseudonymise_corpus(subset, engine, key)
    matched = {t.id for t in pseudo.transcripts if differing.get(t.id) == t.text}
    out: list[Coding] = []
    for coding in codings:
        tid = coding.transcript_id or ""
        if tid in matched and coding.start is not None and coding.end is not None:
            omap = maps[tid]
            start = omap.to_original(coding.start, "left")
            end = omap.to_original(coding.end, "right") if coding.end > coding.start else start
            coding = coding.model_copy(update={"start": start, "end": max(start, end)})
        out.append(coding)
    return MappedBack(out, sorted(matched))
