"""Summary of the klankbordgroep feedback: recognition, additions and priorities.

Over every stored session (:func:`~verhalen.klankbord.session.load_sessions`):

Recognition
    per factor and per kenmerkende element, how many respondents answered *ja*, *deels*
    and *nee*, and the shares of those who answered (unanswered cells do not count); per
    group (moeders, vrijwilligers, professionals) and for all groups together. Elements
    with the same id in several practices (the same phrase) are counted together.
Priorities
    aggregated with the **Borda count** (Borda 1781; see e.g. Saari 1995, *Basic Geometry of
    Voting*): a respondent who ranked ``n`` factors gives rank ``r`` the score ``n − r``
    points (1 = belangrijkst gets ``n − 1``); points are summed per factor. The **mean
    rank** is reported beside it (lower is more important). Factors are placed by Borda
    points, then mean rank, then poster order.
Additions and reasons
    every addition and every *why*, with its practice and group (never a respondent).

The result is a :class:`FeedbackSummary` with DataFrames, rendered as a Dutch HTML page and
Markdown (``reports/klankbord/samenvatting.html`` and ``.md``) and as a section for the
research report (:func:`feedback_section`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from verhalen.io import atomic_write_text
from verhalen.klankbord.content import GROUPS
from verhalen.klankbord.posters import render
from verhalen.klankbord.session import FeedbackSession

if TYPE_CHECKING:
    from verhalen.report.build import ExtraSection

ALL = "alle"
SCOPE_LABELS = {**GROUPS, ALL: "Alle groepen"}
RECOGNITION_COLUMNS = [
    "group", "factor_id", "factor_label", "element_id", "element_label",
    "ja", "deels", "nee", "n", "share_ja", "share_deels", "share_nee",
]  # fmt: skip
PRIORITY_COLUMNS = [
    "group", "factor_id", "factor_label", "respondents", "borda", "mean_rank", "place"
]  # fmt: skip
TEXT_COLUMNS = ["practice", "group", "factor_id", "factor_label", "element_label", "kind", "text"]
SECTION_TITLE = "Klankbordgroepen: herkenning en prioriteiten"


@dataclass
class FeedbackSummary:
    """Recognition, priorities and texts of every session (see the module documentation).

    ``element_id`` is ``""`` on the rows about a factor as a whole. ``group`` is a group id
    or ``"alle"``. ``texts`` holds additions (``kind == "aanvulling"``) and reasons
    (``kind`` is the recognition: ``ja``, ``deels`` or ``nee``).
    """

    sessions: list[FeedbackSession]
    recognition: pd.DataFrame
    priorities: pd.DataFrame
    texts: pd.DataFrame

    @property
    def respondents(self) -> dict[str, int]:
        """Respondents per group (groups in their fixed order), plus ``alle``."""
        out = {g: 0 for g in GROUPS}
        for s in self.sessions:
            out[s.group] += len(s.respondents)
        return {**{g: n for g, n in out.items() if n}, ALL: sum(out.values())}

    @property
    def additions(self) -> pd.DataFrame:
        return self.texts[self.texts["kind"] == "aanvulling"].reset_index(drop=True)


def _catalogue(sessions: Sequence[FeedbackSession]) -> tuple[dict[str, str], dict[str, Any]]:
    """Factor labels and their element labels, in order of first appearance."""
    factors: dict[str, str] = {}
    elements: dict[str, dict[str, str]] = {}
    for s in sessions:
        for f in s.factors:
            factors.setdefault(f.id, f.label)
            for e in f.elements:
                elements.setdefault(f.id, {}).setdefault(e.id, e.label)
    return factors, elements


def _share(count: int, n: int) -> float:
    return count / n if n else math.nan


def summarise(sessions: Sequence[FeedbackSession]) -> FeedbackSummary:
    """Count recognition, aggregate priorities (Borda count, mean rank), list the texts."""
    sessions = list(sessions)
    factors, elements = _catalogue(sessions)
    groups = [g for g in GROUPS if any(s.group == g for s in sessions)]
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    points: dict[tuple[str, str], list[tuple[int, int]]] = {}
    texts: list[dict[str, str]] = []
    for s in sessions:
        labels = {e.id: e.label for f in s.factors for e in f.elements}
        for r in s.respondents:
            for a in r.factors:
                answers = [("", a.recognition, a.why)] + [
                    (e.element_id, e.recognition, e.why) for e in a.elements
                ]
                for element_id, recognition, why in answers:
                    for scope in (s.group, ALL):
                        cell = counts.setdefault((scope, a.factor_id, element_id), {})
                        if recognition is not None:
                            cell[recognition] = cell.get(recognition, 0) + 1
                    if why:
                        texts.append(
                            {"practice": s.practice_label, "group": s.group,
                             "factor_id": a.factor_id, "factor_label": factors[a.factor_id],
                             "element_label": labels.get(element_id, ""),
                             "kind": recognition or "", "text": why}
                        )  # fmt: skip
                if a.addition:
                    texts.append(
                        {"practice": s.practice_label, "group": s.group,
                         "factor_id": a.factor_id, "factor_label": factors[a.factor_id],
                         "element_label": "", "kind": "aanvulling", "text": a.addition}
                    )  # fmt: skip
            n = len(r.ranks)
            for factor_id, rank in r.ranks.items():
                for scope in (s.group, ALL):
                    points.setdefault((scope, factor_id), []).append((n - rank, rank))
    rec_rows, pri_rows = [], []
    for scope in [*groups, ALL]:
        for factor_id, label in factors.items():
            items = [("", ""), *elements.get(factor_id, {}).items()]
            for element_id, element_label in items:
                c = counts.get((scope, factor_id, element_id), {})
                ja, deels, nee = c.get("ja", 0), c.get("deels", 0), c.get("nee", 0)
                n = ja + deels + nee
                rec_rows.append(
                    [scope, factor_id, label, element_id, element_label, ja, deels, nee, n,
                     _share(ja, n), _share(deels, n), _share(nee, n)]
                )  # fmt: skip
        scored = []
        for order, (factor_id, label) in enumerate(factors.items()):
            given = points.get((scope, factor_id), [])
            borda = sum(p for p, _ in given)
            mean = sum(r for _, r in given) / len(given) if given else math.nan
            scored.append((order, factor_id, label, len(given), borda, mean))
        scored.sort(key=lambda x: (-x[4], x[5] if not math.isnan(x[5]) else math.inf, x[0]))
        for place, (_, factor_id, label, n_resp, borda, mean) in enumerate(scored, start=1):
            pri_rows.append([scope, factor_id, label, n_resp, borda, mean, place])
    return FeedbackSummary(
        sessions,
        pd.DataFrame(rec_rows, columns=RECOGNITION_COLUMNS),
        pd.DataFrame(pri_rows, columns=PRIORITY_COLUMNS),
        pd.DataFrame(texts, columns=TEXT_COLUMNS),
    )


# --------------------------------------------------------------------------- rendering


def percent(share: float) -> str:
    """A share as a Dutch percentage, rounded half up (``0.425`` → ``"43%"``); "–" if undefined."""
    return "–" if math.isnan(share) else f"{math.floor(share * 100 + 0.5 + 1e-9):d}%"


def decimal(value: float) -> str:
    """One decimal with a decimal comma (``2,5``); "–" if undefined."""
    return "–" if math.isnan(value) else f"{value:.1f}".replace(".", ",")


def _context(summary: FeedbackSummary) -> dict[str, Any]:
    rec, pri = summary.recognition, summary.priorities
    scopes = [g for g in summary.respondents if g != ALL] + [ALL]
    overall = pri[pri["group"] == ALL].sort_values("place")
    priorities = []
    for _, row in overall.iterrows():
        cells = []
        for scope in scopes:
            r = pri[(pri["group"] == scope) & (pri["factor_id"] == row["factor_id"])].iloc[0]
            cells.append((int(r["borda"]), decimal(float(r["mean_rank"])), int(r["place"])))
        priorities.append({"label": row["factor_label"], "cells": cells})
    factors = []
    for factor_id in dict.fromkeys(rec["factor_id"]):
        part = rec[(rec["group"] == ALL) & (rec["factor_id"] == factor_id)]
        rows = []
        for _, r in part.iterrows():
            rows.append(
                {"label": r["element_label"] or "De factor zelf", "ja": int(r["ja"]),
                 "deels": int(r["deels"]), "nee": int(r["nee"]), "n": int(r["n"]),
                 "pja": percent(float(r["share_ja"])), "factor": not r["element_id"]}
            )  # fmt: skip
        by_group = []
        for scope in scopes[:-1]:
            g = rec[(rec["group"] == scope) & (rec["factor_id"] == factor_id)]
            head = g[g["element_id"] == ""].iloc[0]
            by_group.append(
                (SCOPE_LABELS[scope], int(head["ja"]), int(head["deels"]), int(head["nee"]))
            )
        texts = summary.texts[summary.texts["factor_id"] == factor_id]
        factors.append(
            {"label": part.iloc[0]["factor_label"], "rows": rows, "by_group": by_group,
             "reasons": texts[texts["kind"] != "aanvulling"].to_dict("records"),
             "additions": texts[texts["kind"] == "aanvulling"].to_dict("records")}
        )  # fmt: skip
    practices = sorted({s.practice_label for s in summary.sessions})
    return {
        "n_sessions": len(summary.sessions),
        "respondents": [(SCOPE_LABELS[g], n) for g, n in summary.respondents.items() if g != ALL],
        "total": summary.respondents[ALL],
        "practices": practices,
        "scopes": [SCOPE_LABELS[s] for s in scopes],
        "priorities": priorities,
        "factors": factors,
        "groups": SCOPE_LABELS,
        "fictional": any(s.fictional for s in summary.sessions),
    }


def summary_fragment_html(summary: FeedbackSummary, level: int = 3) -> str:
    """The summary as an HTML fragment whose headings start at ``<h{level}>``."""
    return render("summary_fragment.html.j2", h=level, **_context(summary))


def summary_markdown(summary: FeedbackSummary, level: int = 3) -> str:
    """The summary as Markdown whose headings start at ``level`` hashes."""
    return render("summary.md.j2", h="#" * level, **_context(summary))


def summary_html(summary: FeedbackSummary) -> str:
    """The summary as a self-contained Dutch HTML page."""
    return render(
        "summary.html.j2", title=SECTION_TITLE, body=summary_fragment_html(summary, level=2)
    )


def feedback_section(summary: FeedbackSummary, level: int = 3) -> tuple[str, str, str]:
    """The summary as a section of the research report: ``(title, html, markdown)``.

    Headings inside start at ``level`` (3 for a section under the report's ``<h2>``, 2 for
    a page of its own).
    """
    return (
        SECTION_TITLE,
        summary_fragment_html(summary, level),
        summary_markdown(summary, level),
    )


def report_section(summary: FeedbackSummary, page: bool = True) -> ExtraSection:
    """The summary as the report's :class:`~verhalen.report.build.ExtraSection`.

    ``page=True`` gives a page ``klankbord.html`` (headings from ``<h2>``); ``False`` a
    section at the end of the report's overview (headings from ``<h3>``).
    """
    from verhalen.report.build import ExtraSection

    title, html, markdown = feedback_section(summary, 2 if page else 3)
    return ExtraSection(title, html, markdown, page=page, slug="klankbord")


def write_summary(summary: FeedbackSummary, folder: str | Path) -> list[Path]:
    """Write ``samenvatting.html`` and ``samenvatting.md`` into ``folder`` (atomically)."""
    root = Path(folder)
    html_path, md_path = root / "samenvatting.html", root / "samenvatting.md"
    atomic_write_text(html_path, summary_html(summary))
    md = f"# {SECTION_TITLE}\n\n" + summary_markdown(summary, level=2)
    atomic_write_text(md_path, md)
    return [html_path, md_path]
