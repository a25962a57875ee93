"""``verhalen ingest``: transcripts → corpus."""

from __future__ import annotations

from pathlib import Path

import typer

from verhalen.cli._common import ProjectOption, console, progress
from verhalen.errors import ValidationError
from verhalen.project import Project


def ingest(
    folder: Path = typer.Argument(None, help="Folder with transcripts. Default: data/raw."),
    check: bool = typer.Option(False, "--check", help="Only report every problem; write nothing."),
    project_dir: Path = ProjectOption,
) -> None:
    """Read transcripts (.txt .md .docx .vtt .srt .json) and a participants manifest."""
    project = Project.open(project_dir)
    try:
        # writing streams transcripts to the corpus file (bounded memory, same bytes)
        corpus, report = project.ingest(
            folder, progress=progress, write=not check, stream=not check
        )
    except ValidationError as exc:
        if check:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        raise
    for note in report.notes:
        console.print(f"[yellow]note[/]: {note}")
    verb = "checked, nothing written" if check else f"written to {project.corpus_path}"
    console.print(
        f"{report.transcripts} transcripts, {len(corpus.participants)} participants, "
        f"{report.segments} segments ({corpus.unit.value}) — {verb}"
    )


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
