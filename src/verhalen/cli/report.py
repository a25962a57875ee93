"""``verhalen report``: the research report (HTML + Markdown + appendix CSVs) in reports/."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import typer

from verhalen.cli._common import ProjectOption, console, progress
from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.project import Project


def pseudonymised_corpus(project: Project, corpus: Corpus) -> Corpus:
    """The corpus with every identifier replaced, using the project's privacy settings and
    pseudonym key (extended and saved, so pseudonyms stay the same in every output)."""
    from verhalen.privacy.engine import PrivacyEngine
    from verhalen.privacy.key import PseudonymKey
    from verhalen.privacy.transcripts import pseudonymise_corpus

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        engine = PrivacyEngine.from_project(project)
        key = PseudonymKey.load(project.key_path, project.config.privacy.style)
        before = key.to_json()
        pseudo, _ = pseudonymise_corpus(corpus, engine, key, progress)
    finally:  # a detector library may reconfigure root logging on import: undo that
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    if key.to_json() != before:
        key.save(project.key_path)
    return pseudo


def report(
    project_dir: Path = ProjectOption,
    out: Path = typer.Option(
        None, "--out", "-o", file_okay=False, help="Output folder. Default: <project>/reports."
    ),
    k: int = typer.Option(
        None,
        "--k",
        min=1,
        help="Small-cell minimum. Default: report.small_cell_k in verhalen.toml (3).",
    ),
    pooling: str = typer.Option(
        "any",
        "--pooling",
        help="How the coders' codings count: any (at least one coder), majority, consensus.",
    ),
    cluster: bool = typer.Option(
        True, "--cluster/--no-cluster", help="Cluster the codes and compare with the factors."
    ),
    boot: int = typer.Option(
        0,
        "--boot",
        min=0,
        help="Bootstrap replicates for cluster stability (slow; the report does not show it).",
    ),
) -> None:
    """Write the research report: per practice and per role, with pseudonymised quotes."""
    from verhalen.cluster import ClusterSettings, analyse, analyse_cross_case
    from verhalen.codebook import load_project_codebook
    from verhalen.coding.store import CodedStore
    from verhalen.report import ReportOptions, build_report, pool_codings
    from verhalen.report.pooling import check_pooling

    check_pooling(pooling)
    project = Project.open(project_dir)
    codebook = load_project_codebook(project)
    codings = CodedStore(project.coded_dir).dataframe(codebook)
    if codings.empty:
        console.print(
            f"[yellow]note[/]: no codings in {project.coded_dir} — the report shows the "
            "participants only (code first: `verhalen code`)"
        )
    corpus = pseudonymised_corpus(project, project.corpus())
    cross = result = None
    if cluster and not codings.empty:
        segments = corpus.segments_df()
        segments["role"] = [project.config.report_role(r) for r in segments["role"]]
        pooled = pool_codings(codings, codebook, pooling)
        pooled = pooled[pooled["segment_id"].isin(segments["segment_id"])]
        settings = ClusterSettings(n_boot=boot)
        try:
            cross = analyse_cross_case(pooled, segments, codebook, settings)
            result = analyse(pooled, segments, codebook, settings)
        except VerhalenError as exc:
            console.print(f"[yellow]note[/]: cluster analysis skipped ({exc})")
            cross = result = None
    manifest = build_report(
        corpus,
        codings if not codings.empty else pd.DataFrame(columns=["segment_id", "code_id"]),
        codebook,
        project.config,
        out or project.reports_dir,
        cluster=result,
        cross_case=cross,
        options=ReportOptions(k=k, pooling=pooling),
    )
    for note in manifest.notes:
        console.print(f"[yellow]note[/]: {note}")
    console.print(
        f"report written to {manifest.out_dir / 'index.html'} ({len(manifest.files)} files, "
        f"{len(manifest.quotes)} quotes)"
    )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
