"""``verhalen init`` and ``verhalen warmup``."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from verhalen.cli._common import console
from verhalen.scaffold import init_project


def init(
    folder: Path = typer.Argument(..., help="Folder for the new project (created if needed)."),
    name: str = typer.Option(None, "--name", help="Project name. Default: the folder name."),
) -> None:
    """Scaffold a new research project: verhalen.toml, codebook/, data/, reports/."""
    written = init_project(folder, name)
    console.print(f"Created project in {folder} ({len(written)} files). Next steps:")
    console.print(f"  1. put transcripts in {folder / 'data/raw'} and fill in participants.csv")
    console.print(f"  2. verhalen ingest --check --project {folder}")


def warmup() -> None:
    """Prepare slow first-use caches (deduce lookup tables, NLP pipeline)."""
    for module, label in (("verhalen.privacy", "privacy (deduce)"), ("verhalen.nlp", "NLP")):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        fn = getattr(mod, "warmup", None)
        if fn is not None:
            fn()
            console.print(f"warm: {label}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("warmup")(warmup)
