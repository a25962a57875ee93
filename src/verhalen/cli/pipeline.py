"""``verhalen run``: the whole pipeline on a project."""

from __future__ import annotations

from pathlib import Path

import typer

from verhalen.cli._common import ProjectOption, console
from verhalen.pipeline import STEPS, run_pipeline
from verhalen.project import Project

_STEP_NAMES = ", ".join(name for name, _ in STEPS)

_STEP_NAMES = ", ".join(name for name, _ in STEPS)


def run(
    project_dir: Path = ProjectOption,
    clean: bool = typer.Option(
        True, "--clean/--keep", help="Empty reports/ first (default), or keep earlier output."
    ),
    only: str = typer.Option(
        None,
        "--only",
        help=f"Comma-separated steps to run; all by default: {_STEP_NAMES}.",
    ),
) -> None:
    """Run the whole pipeline: ingest, pseudonymise, code, agree, cluster, report, audit."""
    project = Project.open(project_dir)
    steps = [s.strip() for s in only.split(",")] if only else None
    run_pipeline(
        project,
        steps,
        on_step=lambda n, s: console.print(f"[green]✓[/] {n}: {s}"),
        clean=clean,
    )
    console.print(f"Done. Reports in {project.reports_dir}")


def register(app: typer.Typer) -> None:
    app.command("run")(run)
