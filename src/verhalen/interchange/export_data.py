"""What an export collects from the corpus and the coded store before writing XML.

* :func:`spans`: every coding as a checked span of a transcript (segment codings get
  their segment's span; unknown codes, segments and out-of-range spans are problems);
* :func:`variables` / :func:`doc_values`: participant attributes and document variables
  (``interview.datum``, ``interview.interviewers``, ``interview.taal``, metadata);
* :func:`typed_attributes` / :func:`transcript_extra`: the ``verhalen``-only details
  carried in the XML comment (exact attribute types, turns, source file).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from verhalen.corpus import Corpus
from verhalen.errors import Problem
from verhalen.interchange.variables import variable_type
from verhalen.io import sha256_text
from verhalen.records import Codebook, Coding, Transcript

DOC_PREFIX = "interview."


@dataclass(frozen=True)
class Span:
    transcript_id: str
    start: int
    end: int
    coder: str
    code_id: str
    memo: str
    timestamp: str


def spans(
    corpus: Corpus, codebook: Codebook, codings: Iterable[Coding], problems: list[Problem]
) -> list[Span]:
    texts = {t.id: t.text for t in corpus.transcripts}
    segments = corpus.segment_index()
    known = {c.id for c in codebook.codes}
    seen: set[tuple[str, int, int, str, str]] = set()
    out: list[Span] = []
    for c in codings:
        where = f"coding {c.coder}/{c.segment_id}/{c.code_id}"
        code_id = codebook.resolve(c.code_id)
        if code_id not in known:
            problems.append(
                Problem(
                    where,
                    f"code {c.code_id!r} is not in codebook {codebook.id!r}",
                    "add the code or remove the coding",
                )
            )
            continue
        seg = segments.get(c.segment_id)
        tid = c.transcript_id or (seg.transcript_id if seg else None)
        if c.start is not None and c.end is not None:
            start, end = c.start, c.end
        elif seg is not None and seg.transcript_id == tid:
            start, end = seg.start, seg.end
        else:
            problems.append(
                Problem(
                    where,
                    f"segment {c.segment_id!r} is not in the corpus and the coding has no span",
                    "re-run `verhalen ingest` with "
                    "the settings the coding was made with, or remove it",
                )
            )
            continue
        if tid not in texts:
            problems.append(
                Problem(
                    where,
                    f"transcript {tid!r} is not in the corpus",
                    "ingest the transcript or remove the coding",
                )
            )
            continue
        if not 0 <= start <= end <= len(texts[tid]):
            problems.append(
                Problem(
                    where,
                    f"span [{start}, {end}) lies outside transcript "
                    f"{tid!r} ({len(texts[tid])} characters)",
                    "the transcript changed after coding; re-code it",
                )
            )
            continue
        key = (tid, start, end, c.coder, code_id)
        if key not in seen:
            seen.add(key)
            out.append(Span(tid, start, end, c.coder, code_id, c.memo, c.timestamp.isoformat()))
    return out


def variables(corpus: Corpus, include_metadata: bool) -> dict[str, list[object]]:
    values: dict[str, list[object]] = {"role": [], "practice": []}
    for p in corpus.participants.values():
        values["role"].append(p.role)
        values["practice"].append(p.practice)
        for key, value in p.attributes.items():
            values.setdefault(key, []).append(value)
    for t in corpus.transcripts:
        values.setdefault(DOC_PREFIX + "datum", []).append(t.date)
        values.setdefault(DOC_PREFIX + "interviewers", []).append("; ".join(t.interviewers))
        values.setdefault(DOC_PREFIX + "taal", []).append(t.language)
        if include_metadata:
            for key, value in t.metadata.items():
                values.setdefault(DOC_PREFIX + key, []).append(value)
    return values


def typed_attributes(corpus: Corpus) -> dict[str, dict[str, object]]:
    """Exact values of attributes whose variable mixes types (written as text)."""
    values: dict[str, list[object]] = {}
    for p in corpus.participants.values():
        for key, value in p.attributes.items():
            values.setdefault(key, []).append(value)
    mixed = {k for k, v in values.items() if variable_type(v) == "Text"}
    out: dict[str, dict[str, object]] = {}
    for p in corpus.participants.values():
        exact: dict[str, object] = {
            k: v
            for k, v in p.attributes.items()
            if k in mixed and v is not None and not isinstance(v, str)
        }
        if exact:
            out[p.id] = exact
    return out


def doc_values(t: Transcript, include_metadata: bool) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = [
        (DOC_PREFIX + "datum", t.date),
        (DOC_PREFIX + "interviewers", "; ".join(t.interviewers)),
        (DOC_PREFIX + "taal", t.language),
    ]
    if include_metadata:
        out += [(DOC_PREFIX + k, v) for k, v in t.metadata.items()]
    return out


def transcript_extra(t: Transcript, include_metadata: bool) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "sha256": sha256_text(t.text),
        "participants": list(t.participants),
        "source_file": t.source_file,
        "source_format": t.source_format,
        "encoding": t.encoding,
        "turns": [turn.model_dump(mode="json", exclude={"text"}) for turn in t.turns],
    }
    if include_metadata:
        extra["metadata"] = t.metadata
    return extra
