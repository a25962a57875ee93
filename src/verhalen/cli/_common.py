"""Shared CLI plumbing: the console, error handling and progress bars.

The CLI is a thin layer: it parses options, calls the library, and prints. Library
errors (:class:`~verhalen.errors.VerhalenError`) become ``Error: …`` on stderr and exit
code 1 here and only here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from verhalen.errors import VerhalenError

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")


class VerhalenGroup(TyperGroup):
    """A command group that turns library errors into a one-line message and exit 1."""

    def invoke(self, ctx: Any) -> Any:  # click.Context (typer may vendor click)
        try:
            return super().invoke(ctx)
        except VerhalenError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a rich progress bar on stderr (quiet when stderr is not a terminal)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


ProjectOption = typer.Option(
    Path("."),
    "--project",
    "-p",
    help="Project folder (holds verhalen.toml). Default: the current folder.",
    file_okay=False,
)
