"""The concrete segments coders disagree on, grouped by code, for the calibration talk.

A disagreement on a code is a segment coded by two or more coders where some of them
applied the code and others did not. Codes are sorted by how many such segments they have
(the most disputed first); within a code, segments with the most disputed codes come first.
Each item shows the segment text and, side by side, every coder's codes and memo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from verhalen.records import Codebook, Segment


@dataclass(frozen=True)
class CoderView:
    """One coder's codes and memo on a segment."""

    coder: str
    codes: tuple[str, ...]
    memo: str
    has_code: bool


@dataclass(frozen=True)
class DisagreementItem:
    """A segment on which the coders differ about one code."""

    segment_id: str
    transcript_id: str
    role: str
    practice: str
    text: str
    with_code: tuple[str, ...]
    without_code: tuple[str, ...]
    coders: tuple[CoderView, ...]
    n_disputed: int


@dataclass(frozen=True)
class CodeDisagreements:
    """All disagreements on one code."""

    code: str
    label: str
    factor: str
    items: tuple[DisagreementItem, ...]

    @property
    def n(self) -> int:
        return len(self.items)


def find_disagreements(
    assignments: Mapping[tuple[str, str], set[str]],
    coders: Sequence[str],
    *,
    segments: Mapping[str, Segment],
    memos: Mapping[tuple[str, str], str] | None = None,
    codebook: Codebook | None = None,
    role_of: Callable[[Segment], tuple[str, str]] | None = None,
) -> list[CodeDisagreements]:
    """Disagreements per code, most frequent first.

    Parameters
    ----------
    assignments
        ``{(segment, coder): codes}`` (see
        :func:`verhalen.calibrate.analysis.build_assignments`).
    coders
        The coders, in the order their columns are shown.
    segments
        Segments by id (for the text and transcript).
    memos
        ``{(segment, coder): memo}``.
    codebook
        For code labels and factors.
    role_of
        Maps a segment to ``(role, practice)`` as shown in reports.
    """
    memos = memos or {}
    by_unit: dict[str, dict[str, set[str]]] = {}
    for (unit, coder), codes in assignments.items():
        by_unit.setdefault(unit, {})[coder] = codes
    disputed: dict[str, set[str]] = {}  # segment -> codes disputed on it
    for unit, per_coder in by_unit.items():
        if len(per_coder) < 2:
            continue
        union = set().union(*per_coder.values())
        disputed[unit] = {
            code for code in union if any(code not in found for found in per_coder.values())
        }
    grouped: dict[str, list[DisagreementItem]] = {}
    for unit in sorted(disputed):
        seg = segments.get(unit)
        role, practice = role_of(seg) if (role_of and seg) else ("", "")
        views = tuple(
            CoderView(
                coder=c,
                codes=tuple(sorted(by_unit[unit][c])),
                memo=memos.get((unit, c), ""),
                has_code=False,
            )
            for c in coders
            if c in by_unit[unit]
        )
        for code in disputed[unit]:
            grouped.setdefault(code, []).append(
                DisagreementItem(
                    segment_id=unit,
                    transcript_id=seg.transcript_id if seg else "",
                    role=role,
                    practice=practice,
                    text=seg.text if seg else "",
                    with_code=tuple(v.coder for v in views if code in v.codes),
                    without_code=tuple(v.coder for v in views if code not in v.codes),
                    coders=tuple(
                        CoderView(v.coder, v.codes, v.memo, code in v.codes) for v in views
                    ),
                    n_disputed=len(disputed[unit]),
                )
            )
    out = []
    for code, items in grouped.items():
        entry = codebook.code(code) if codebook else None
        factor = codebook.factor(codebook.factor_of(code) or "") if codebook else None
        out.append(
            CodeDisagreements(
                code=code,
                label=entry.label if entry else code,
                factor=factor.label if factor else "",
                items=tuple(sorted(items, key=lambda i: (-i.n_disputed, i.segment_id))),
            )
        )
    return sorted(out, key=lambda g: (-g.n, g.code))
