"""``verhalen report``: the research report (HTML + Markdown + appendix CSVs) in reports/."""

from __future__ import annotations

from pathlib import Path

import typer

from verhalen.cli._common import ProjectOption, console, progress
from verhalen.project import Project


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
    from verhalen.privacy import pseudonymise_project
    from verhalen.report.pooling import check_pooling
    from verhalen.report.project import build_project_report

    check_pooling(pooling)  # options first: fail before any slow work
    project = Project.open(project_dir)
    corpus, _ = pseudonymise_project(project, project.corpus(), progress)
    manifest = build_project_report(
        project, corpus, out, k=k, pooling=pooling, cluster=cluster, n_boot=boot
    )
    for note in manifest.notes:
        console.print(f"[yellow]note[/]: {note}")
    console.print(
        f"report written to {manifest.out_dir / 'index.html'} ({len(manifest.files)} files, "
        f"{len(manifest.quotes)} quotes)"
    )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
