"""Factor × practice and factor × role matrices, role differences and code frequencies.

A participant *mentions* a factor when at least one of their segments carries one of the
factor's codes (after pooling the coders, :mod:`verhalen.report.pooling`). The share is
taken over the participants of the group who were interviewed (have segments). Counts of
participants below ``k`` are suppressed (:mod:`verhalen.report.tables`); for a group
smaller than ``k`` the segment counts are suppressed too, and such a group is never
compared with another.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd

from verhalen.report.data import ReportData
from verhalen.report.tables import Cell, Row, Table, count_cell, role_heading, role_plural
from verhalen.report.text import percent_nl

GroupBy = Literal["practice", "role"]


@dataclass
class Matrix:
    """A factor × group table with the numbers behind it."""

    table: Table
    factors: list[str]
    groups: list[str]
    group_labels: list[str]
    sizes: dict[str, int]
    mentions: pd.DataFrame  # factor × group: participants who mention (exact)
    shares: pd.DataFrame  # factor × group: share (exact)
    shown: pd.DataFrame  # factor × group: share, NaN where suppressed (for figures)
    labels: pd.DataFrame  # factor × group: the participants cell text


@dataclass(frozen=True)
class Difference:
    """A difference of at least the threshold between two roles for one factor."""

    factor: str
    higher: str
    lower: str
    share_higher: float
    share_lower: float
    exact: bool  # both counts are shown in the table, so the percentages may be cited
    sentence: str


def factor_matrix(
    data: ReportData,
    by: GroupBy,
    practice: str | None = None,
    table_id: str = "factoren_per_praktijk",
    caption: str = "Factoren per praktijk",
) -> Matrix:
    """Number and share of participants who mention each factor, and number of segments.

    Parameters
    ----------
    data
        Prepared report data (:func:`verhalen.report.data.prepare`).
    by
        ``"practice"`` or ``"role"`` (the reported role).
    practice
        Restrict to one practice (for the factor × role table of a practice page).
    """
    k = data.k
    segs = data.segments
    pooled = data.pooled[data.pooled["factor_id"].notna()]
    if practice is not None:
        segs = segs[segs["practice"] == practice]
        pooled = pooled[pooled["practice"] == practice]
    order = data.practices if by == "practice" else data.roles
    groups = [g for g in order if g in set(segs[by])]
    members = {g: sorted(set(segs.loc[segs[by] == g, "participant_id"])) for g in groups}
    sizes = {g: len(m) for g, m in members.items()}
    factors = [f.id for f in data.factors]
    labels = [data.practice_label(g) if by == "practice" else role_heading(g) for g in groups]
    mentions = pd.DataFrame(0, index=factors, columns=groups, dtype=int)
    shares = pd.DataFrame(0.0, index=factors, columns=groups)
    shown = pd.DataFrame(np.nan, index=factors, columns=groups)
    texts = pd.DataFrame("", index=factors, columns=groups)
    rows: list[Row] = []
    for factor in factors:
        cells: list[Cell] = []
        of_factor = pooled[pooled["factor_id"] == factor]
        for g in groups:
            hits = of_factor[of_factor[by] == g]
            people = sorted(set(hits["participant_id"]))
            seg_ids = sorted(set(hits["segment_id"]))
            codes = sorted(set(hits["code_id"]))
            share = len(people) / sizes[g] if sizes[g] else 0.0
            mentions.loc[factor, g] = len(people)
            shares.loc[factor, g] = share
            cell = count_cell(people, k, seg_ids)
            if not cell.suppressed:
                cell = Cell(
                    f"{len(people)} ({percent_nl(share)})",
                    len(people),
                    sizes[g],
                    tuple(people),
                    tuple(seg_ids),
                    tuple(codes),
                )
                shown.loc[factor, g] = share
            else:
                cell = Cell(
                    cell.text,
                    len(people),
                    sizes[g],
                    tuple(people),
                    tuple(seg_ids),
                    tuple(codes),
                    suppressed=True,
                )
            texts.loc[factor, g] = cell.text
            cells.append(cell)
            if sizes[g] < k:
                cells.append(
                    Cell("–", len(seg_ids), None, (), tuple(seg_ids), tuple(codes), suppressed=True)
                )
            else:
                cells.append(
                    Cell(str(len(seg_ids)), len(seg_ids), None, (), tuple(seg_ids), tuple(codes))
                )
        rows.append(Row(data.factor_label(factor), cells))
    groups_header = [
        (f"{label} (n = {sizes[g] if sizes[g] >= k else f'<{k}'})", 2)
        for g, label in zip(groups, labels, strict=True)
    ]
    notes = [
        "Deelnemers: aantal (en percentage) deelnemers dat de factor noemt, dat wil zeggen "
        "met minstens één fragment met een code van die factor. Fragmenten: aantal "
        "fragmenten met een code van de factor.",
        f"Aantallen deelnemers kleiner dan {k} staan als “<{k}”; van groepen met minder dan "
        f"{k} deelnemers staan ook de fragmenten niet vermeld (“–”).",
    ]
    table = Table(
        table_id,
        caption,
        "Factor",
        ["Deelnemers", "Fragmenten"] * len(groups),
        rows,
        notes,
        groups_header,
    )
    return Matrix(table, factors, groups, labels, sizes, mentions, shares, shown, texts)


def role_differences(
    data: ReportData, matrix: Matrix, threshold_pp: float = 30.0, where: str = ""
) -> list[Difference]:
    """Factors on which two roles (each with at least ``k`` participants) differ by at least
    ``threshold_pp`` percentage points, with a Dutch sentence for the report.

    Parameters
    ----------
    matrix
        A factor × role matrix (:func:`factor_matrix` with ``by="role"``).
    threshold_pp
        Minimum difference in percentage points (default 30).
    where
        Prefix for the sentence, e.g. the practice's label.
    """
    k = data.k
    roles = [r for r in matrix.groups if matrix.sizes[r] >= k]
    out: list[Difference] = []
    column = {g: j for j, g in enumerate(matrix.groups)}
    shares = matrix.shares.to_numpy(dtype=float)
    mentions = matrix.mentions.to_numpy(dtype=int)
    for i, factor in enumerate(matrix.factors):
        for a, b in combinations(roles, 2):
            sa, sb = float(shares[i, column[a]]), float(shares[i, column[b]])
            if abs(sa - sb) * 100 < threshold_pp - 1e-9:
                continue
            hi, lo, shi, slo = (a, b, sa, sb) if sa >= sb else (b, a, sb, sa)
            exact = min(int(mentions[i, column[a]]), int(mentions[i, column[b]])) >= k
            if exact:
                detail = (
                    f"{percent_nl(shi)} tegenover {percent_nl(slo)}; een verschil van "
                    f"{round((shi - slo) * 100)} procentpunten"
                )
            else:
                detail = f"een verschil van ten minste {threshold_pp:g} procentpunten"
            prefix = f"{where}: " if where else ""
            sentence = (
                f"{prefix}{role_plural(hi)} noemen ‘{data.factor_label(factor)}’ vaker dan "
                f"{role_plural(lo)} ({detail})."
            )
            out.append(
                Difference(factor, hi, lo, shi, slo, exact, sentence[:1].upper() + sentence[1:])
            )
    return out


def code_table(
    data: ReportData,
    practice: str,
    role: str,
    factor: str,
    top: int = 5,
) -> Table | None:
    """The factor's most frequent codes for one role in one practice (its *kenmerkende
    elementen* in the data): by participants, then segments, then codebook order."""
    k = data.k
    segs = data.segments[(data.segments["practice"] == practice) & (data.segments["role"] == role)]
    size = segs["participant_id"].nunique()
    hits = data.pooled[
        (data.pooled["practice"] == practice)
        & (data.pooled["role"] == role)
        & (data.pooled["factor_id"] == factor)
    ]
    if hits.empty:
        return None
    position = {c.id: i for i, c in enumerate(data.codebook.codes)}
    people_of = hits.groupby("code_id")["participant_id"].agg(lambda s: sorted(set(s)))
    segments_of = hits.groupby("code_id")["segment_id"].agg(lambda s: sorted(set(s)))
    ranked = sorted(
        people_of.index,
        key=lambda c: (
            -len(people_of[c]),
            -len(segments_of[c]),
            position.get(c, len(position)),
            c,
        ),
    )[:top]
    rows = []
    for code in ranked:
        people, seg_ids = people_of[code], segments_of[code]
        people_cell = count_cell(people, k, seg_ids)
        people_cell = Cell(
            people_cell.text,
            len(people),
            size,
            tuple(people),
            tuple(seg_ids),
            (code,),
            people_cell.suppressed,
        )
        if size < k:
            seg_cell = Cell("–", len(seg_ids), None, (), tuple(seg_ids), (code,), True)
        else:
            seg_cell = Cell(str(len(seg_ids)), len(seg_ids), None, (), tuple(seg_ids), (code,))
        rows.append(Row(data.code_label(code), [people_cell, seg_cell]))
    return Table(
        f"codes_{practice}_{role}_{factor}",
        f"Meest voorkomende codes: {data.factor_label(factor)} ({role_plural(role)}, "
        f"{data.practice_label(practice)})",
        "Code",
        ["Deelnemers", "Fragmenten"],
        rows,
        csv_id=f"praktijk_{practice}_codes",
    )


def role_count_table(data: ReportData, practice: str) -> Table:
    """Interviewed participants per reported role in one practice (counts below k hidden)."""
    segs = data.segments[data.segments["practice"] == practice]
    rows = []
    for role in data.roles:
        people = sorted(set(segs.loc[segs["role"] == role, "participant_id"]))
        if people:
            rows.append(Row(role_heading(role), [count_cell(people, data.k)]))
    everyone = sorted(set(segs["participant_id"]))
    rows.append(Row("Totaal", [count_cell(everyone, data.k)]))
    return Table(
        f"deelnemers_{practice}",
        f"Geïnterviewde deelnemers: {data.practice_label(practice)}",
        "Rol",
        ["Aantal"],
        rows,
        [f"Aantallen kleiner dan {data.k} staan als “<{data.k}”."],
    )
