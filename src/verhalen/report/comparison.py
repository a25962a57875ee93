"""The cross-case page (``vergelijking``): common factors, and clusters versus factors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from verhalen.report.blocks import Bullets, FigureBlock, Heading, Page, Paragraph, TableBlock
from verhalen.report.data import ReportData
from verhalen.report.figures import cluster_figures
from verhalen.report.matrices import Matrix
from verhalen.report.tables import Cell, Row, Table
from verhalen.report.text import decimal_nl

if TYPE_CHECKING:
    from verhalen.cluster.analysis import ClusterResult, CrossCase

STATUS_NL = {
    "gemeenschappelijk": "in alle praktijken (gemeenschappelijk)",
    "deels": "in enkele praktijken",
    "uniek": "in één praktijk",
    "geen": "in geen praktijk",
}


def _summary(
    data: ReportData, matrix: Matrix, cross: CrossCase | None, threshold: float
) -> pd.DataFrame:
    if cross is not None and not cross.summary.empty:
        return cross.summary
    from verhalen.cluster.compare import cross_case as cross_case_summary

    return cross_case_summary(matrix.shares, threshold)


def _presence_table(data: ReportData, matrix: Matrix, summary: pd.DataFrame) -> Table:
    rows = []
    for factor in matrix.factors:
        if factor in summary.index:
            present = {p.strip() for p in str(summary.loc[factor, "praktijken"]).split(",")}
            status = str(summary.loc[factor, "status"])
        else:
            present, status = set(), "geen"
        cells = []
        for g in matrix.groups:
            of = data.pooled[(data.pooled["factor_id"] == factor) & (data.pooled["practice"] == g)]
            people = tuple(sorted(set(of["participant_id"])))
            segs = tuple(sorted(set(of["segment_id"])))
            cells.append(
                Cell("ja" if g in present else "nee", None, None, people, segs, numeric=False)
            )
        cells.append(Cell(STATUS_NL.get(status, status), numeric=False))
        rows.append(Row(data.factor_label(factor), cells))
    return Table(
        "vergelijking_praktijken",
        "Komt de factor voor in de praktijk?",
        "Factor",
        [*matrix.group_labels, "Conclusie"],
        rows,
        ["De bijlage noemt per cel de deelnemers en fragmenten die de factor noemen."],
    )


def _contingency_table(data: ReportData, result: ClusterResult) -> Table:
    members = result.clustering.members()
    factors = [f.id for f in data.factors]
    factor_of = {c: data.codebook.factor_of(c) or "—" for c in result.clustering.codes}
    if "—" in factor_of.values():
        factors.append("—")
    frame = result.codings
    rows = []
    for cluster, codes in sorted(members.items()):
        cells = []
        for factor in factors:
            hit = sorted(c for c in codes if factor_of[c] == factor)
            segs = sorted(set(frame.loc[frame["code_id"].isin(hit), "segment_id"]))
            cells.append(Cell(str(len(hit)), len(hit), None, (), tuple(segs), tuple(hit)))
        rows.append(Row(f"Cluster {cluster}", cells))
    labels = [data.factor_label(f) if f != "—" else "Geen factor" for f in factors]
    return Table(
        "clusters_en_factoren",
        "Voorgestelde clusters tegenover de factoren van het codeboek (aantal codes)",
        "Cluster",
        labels,
        rows,
        ["De bijlage noemt per cel de codes en de fragmenten met die codes."],
    )


def _ari_words(ari: float) -> str:
    if ari >= 0.8:
        return "de clusters komen grotendeels overeen met de factoren"
    if ari >= 0.5:
        return "de clusters komen redelijk overeen met de factoren"
    if ari >= 0.2:
        return "de clusters komen deels overeen met de factoren"
    return "de clusters wijken sterk af van de factoren"


def comparison_page(
    data: ReportData,
    matrix: Matrix,
    out_dir: Path,
    cluster: ClusterResult | None,
    cross: CrossCase | None,
    threshold: float,
) -> Page:
    """Common factors (from ``cross.summary`` or the factor × practice shares), and, with a
    cluster result, the comparison of the proposed clusters with the factors."""
    page = Page("vergelijking", "Vergelijking tussen praktijken", "Vergelijking")
    summary = _summary(data, matrix, cross, threshold)
    page.add(
        Paragraph(
            "Een factor komt voor in een praktijk als ten minste "
            f"{threshold:.0%} van de geïnterviewde deelnemers daar de factor noemt. "
            "Factoren die in alle praktijken voorkomen zijn de gemeenschappelijke factoren."
        )
    )
    status = {f: "geen" for f in matrix.factors}
    for factor in summary.index:
        if factor in status:
            status[factor] = str(summary.loc[factor, "status"])
    for key, title in (
        ("gemeenschappelijk", "Gemeenschappelijke factoren"),
        ("deels", "Factoren in enkele praktijken"),
        ("uniek", "Factoren in één praktijk"),
        ("geen", "Factoren die in geen praktijk voorkomen"),
    ):
        items = []
        for factor in matrix.factors:
            if status[factor] != key:
                continue
            where = str(summary.loc[factor, "praktijken"]) if factor in summary.index else ""
            practices = [data.practice_label(p.strip()) for p in where.split(",") if p.strip()]
            suffix = (
                f" ({', '.join(practices)})" if practices and key != "gemeenschappelijk" else ""
            )
            items.append(data.factor_label(factor) + suffix)
        page.add(Heading(2, title, key))
        page.add(Bullets(items) if items else Paragraph("Geen."))
    page.add(
        Heading(2, "Per praktijk", "per-praktijk"),
        TableBlock(_presence_table(data, matrix, summary)),
    )

    if cross is not None and cross.per_practice:
        rows = []
        for practice in data.practices:
            result = cross.per_practice.get(practice)
            if result is None:
                continue
            clustered = tuple(result.clustering.codes)
            rows.append(
                Row(
                    data.practice_label(practice),
                    [
                        Cell(str(len(clustered)), len(clustered), None, (), (), clustered),
                        Cell(str(result.clustering.k), result.clustering.k),
                        Cell(decimal_nl(result.comparison.ari, 2)),
                    ],
                )
            )
        if rows:
            page.add(
                Heading(2, "Clusters per praktijk", "clusters-per-praktijk"),
                TableBlock(
                    Table(
                        "clusters_per_praktijk",
                        "Clusteranalyse per praktijk",
                        "Praktijk",
                        ["Codes", "Clusters", "Overeenstemming met factoren (ARI)"],
                        rows,
                    )
                ),
            )

    if cluster is not None:
        ari = cluster.comparison.ari
        page.add(
            Heading(2, "Clusters en factoren", "clusters-en-factoren"),
            Paragraph(
                f"De clusteranalyse van de codes (op basis van hoe vaak ze samen voorkomen) "
                f"stelt {cluster.clustering.k} clusters voor. De overeenstemming met de factoren "
                f"van het codeboek (adjusted Rand index, ARI) is {decimal_nl(ari, 2)}: "
                f"{_ari_words(ari)}. Een ARI van 1 is volledige overeenstemming, 0 is toeval."
            ),
            TableBlock(_contingency_table(data, cluster)),
        )
        majority = cluster.comparison.cluster_factor
        items = []
        for number, codes in sorted(cluster.clustering.members().items()):
            factor = majority.get(number)
            head = f"Cluster {number}" + (
                f" (vooral ‘{data.factor_label(factor)}’)" if factor and factor != "—" else ""
            )
            items.append(f"{head}: " + ", ".join(data.code_label(c) for c in codes))
        page.add(Bullets(items))
        for figure in cluster_figures(cluster, data.codebook, out_dir):
            page.add(FigureBlock(figure))
    return page
