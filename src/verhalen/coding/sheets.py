"""Coding sheets: an Excel workbook per coder, for coders who work in Excel.

:func:`export_sheets` writes one ``.xlsx`` per coder for the same segments (layout in
:mod:`verhalen.coding.sheet_format`, built by :mod:`verhalen.coding.workbook`); the filled-in
sheets come back through :mod:`verhalen.coding.sheet_import`. Each row shows the segment with
its previous and next turn as context (interviewer turns included, speakers shown by role),
the transcript, role and practice (never a name), and optionally the top suggestions with
their reasons. Sheets are byte-identical for identical inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from verhalen.coding.sheet_format import (
    CONTEXT_CHARS,
    TOP_SUGGESTIONS,
    SheetMeta,
    SheetRow,
    SuggestFn,
    Suggestion,
)
from verhalen.coding.store import CODER_RE
from verhalen.coding.workbook import build_workbook, deterministic_xlsx
from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.io import atomic_write_bytes, sha256_text
from verhalen.records import Codebook, Transcript

__all__ = [
    "SheetMeta",
    "SheetRow",
    "SuggestFn",
    "Suggestion",
    "build_rows",
    "export_sheets",
    "write_sheet",
]

_SPEAKER_LABELS = {"interviewer": "Interviewer", "respondent": "Respondent", "other": "Anders"}


def _clip(text: str, limit: int, from_end: bool) -> str:
    if len(text) <= limit:
        return text
    return "…" + text[-limit:] if from_end else text[:limit] + "…"


def _turn_text(transcript: Transcript, index: int, from_end: bool) -> str:
    turn = next((t for t in transcript.turns if t.index == index), None)
    if turn is None:
        return ""
    label = "Interviewer" if turn.is_interviewer else _SPEAKER_LABELS.get(turn.role, "Respondent")
    return f"{label}: {_clip(turn.text.strip(), CONTEXT_CHARS, from_end)}"


def build_rows(
    corpus: Corpus,
    segment_ids: Sequence[str],
    *,
    role_label: Callable[[str], str] | None = None,
    practice_label: Callable[[str], str] | None = None,
    suggestions: Mapping[str, Sequence[Suggestion]] | None = None,
    codebook: Codebook | None = None,
    top: int = TOP_SUGGESTIONS,
    shown: Corpus | None = None,
) -> list[SheetRow]:
    """Rows for the given segments, with context, role/practice and top suggestions.

    Parameters
    ----------
    corpus
        The corpus holding the segments.
    segment_ids
        Segments in sheet order.
    role_label
        Maps a recorded role to the role shown (e.g. carers shown as ``moeder``); see
        :meth:`verhalen.config.ProjectConfig.report_role`.
    practice_label
        Maps a practice id to the name shown.
    suggestions
        Ranked suggestions per segment id; only codes active in ``codebook`` are kept.
    codebook
        Filters suggestions to active codes (if given).
    top
        How many suggestions to show per segment.
    shown
        The corpus whose text is shown (e.g. the pseudonymised corpus, with the same
        segment ids); default ``corpus``. The sheet records the hash of both texts.

    Raises
    ------
    VerhalenError
        If a segment id is not in the corpus (or not in ``shown``).
    """
    index = corpus.segment_index()
    shown_index = shown.segment_index() if shown is not None else index
    missing = [s for s in segment_ids if s not in index or s not in shown_index]
    if missing:
        raise VerhalenError(
            f"segment(s) {', '.join(missing[:10])} are not in the corpus"
            + (" or not in the pseudonymised corpus (segmentation differs)" if shown else "")
            + " — re-ingest, or draw the sample again"
        )
    transcripts = {t.id: t for t in (shown or corpus).transcripts}
    active = {c.id for c in codebook.active_codes} if codebook else None
    label = role_label or (lambda r: r)
    practice = practice_label or (lambda p: p)
    rows = []
    for seg_id in segment_ids:
        seg = shown_index[seg_id]
        transcript = transcripts[seg.transcript_id]
        participant = corpus.participants.get(seg.participant_id or "")
        ranked = [
            s for s in (suggestions or {}).get(seg_id, ()) if active is None or s[0] in active
        ]
        rows.append(
            SheetRow(
                segment_id=seg_id,
                transcript_id=seg.transcript_id,
                role=label(participant.role) if participant else "",
                practice=practice(participant.practice) if participant else "",
                previous=_turn_text(transcript, seg.turn_index - 1, from_end=True),
                text=seg.text,
                next=_turn_text(transcript, seg.turn_index + 1, from_end=False),
                suggestions=tuple((str(c), float(s), str(r)) for c, s, r in ranked[:top]),
                corpus_hash=sha256_text(index[seg_id].text),
            )
        )
    return rows


def write_sheet(
    path: str | Path,
    rows: Sequence[SheetRow],
    codebook: Codebook,
    meta: SheetMeta,
    *,
    n_code_columns: int = 5,
) -> Path:
    """Write a coding sheet atomically; the same inputs give the same bytes."""
    wb = build_workbook(rows, codebook, meta, n_code_columns=n_code_columns)
    path = Path(path)
    atomic_write_bytes(path, deterministic_xlsx(wb))
    return path


def export_sheets(
    corpus: Corpus,
    segment_ids: Sequence[str],
    codebook: Codebook,
    coders: Sequence[str],
    out_dir: str | Path,
    *,
    suggest_fn: SuggestFn | None = None,
    role_label: Callable[[str], str] | None = None,
    practice_label: Callable[[str], str] | None = None,
    seed: int | None = None,
    stratify: Sequence[str] = (),
    round_id: str | None = None,
    n_code_columns: int = 5,
    file_name: Callable[[str], str] | None = None,
    shown: Corpus | None = None,
) -> list[Path]:
    """Write one coding sheet per coder for the same segments.

    Parameters
    ----------
    corpus, segment_ids, codebook
        What to code and with which codes.
    coders
        One sheet per coder.
    out_dir
        Folder for the sheets (created if needed).
    suggest_fn
        If given, its top suggestions (with reasons) are shown on the sheets.
    role_label, practice_label, seed, stratify, round_id, n_code_columns
        See :func:`build_rows` and :class:`SheetMeta`.
    file_name
        File name for a coder (default ``codeerblad_<coder>.xlsx``).
    shown
        Show the text of this corpus instead (e.g. pseudonymised; same segment ids).

    Returns
    -------
    list of Path
        The sheets written, in the order of ``coders``.
    """
    if not segment_ids:
        raise VerhalenError("no segments to put on a coding sheet — check the sample options")
    if len(set(coders)) != len(coders):
        raise VerhalenError(f"coders {list(coders)} contain duplicates")
    for coder in coders:
        if not CODER_RE.match(coder):
            raise VerhalenError(
                f"coder name {coder!r} is not allowed — use letters, digits, '_', '-' or '.'"
            )
    suggestions = None
    if suggest_fn is not None:
        index = corpus.segment_index()
        suggestions = suggest_fn([index[s] for s in segment_ids if s in index])
    rows = build_rows(
        corpus,
        segment_ids,
        role_label=role_label,
        practice_label=practice_label,
        suggestions=suggestions,
        codebook=codebook,
        shown=shown,
    )
    name = file_name or (lambda c: f"codeerblad_{c}.xlsx")
    paths = []
    for coder in coders:
        meta = SheetMeta(
            codebook_id=codebook.id,
            codebook_version=codebook.version,
            coder=coder,
            seed=seed,
            stratify=tuple(stratify),
            round_id=round_id,
            suggestions=suggest_fn is not None,
        )
        paths.append(
            write_sheet(
                Path(out_dir) / name(coder), rows, codebook, meta, n_code_columns=n_code_columns
            )
        )
    return paths
