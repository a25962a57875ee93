"""The ``verhalen`` command line: a thin layer over the Python API.

Each stage has its own module here with a ``register(app)`` function that adds its
commands; this module only assembles them and handles ``--version``.
"""

from __future__ import annotations

import importlib
import logging

import typer

from verhalen import __version__
from verhalen.cli._common import VerhalenGroup

app = typer.Typer(
    name="verhalen",
    cls=VerhalenGroup,
    help="Analyse Dutch storytelling interviews: ingest, code, calibrate, cluster, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Stage modules, in pipeline order. Each exposes register(app).
STAGE_MODULES = [
    "project",
    "ingest",
    "codebook",
    "coding",
    "suggest",
    "agreement",
    "cluster",
    "privacy",
    "report",
    "klankbord",
    "interchange",
    "pipeline",
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"verhalen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """verhalen: qualitative analysis of Dutch storytelling interviews."""
    # Warnings and errors only, on stderr. Configuring the root logger here also makes a
    # dependency's own logging.basicConfig() a no-op, so no library floods the output.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")


for _name in STAGE_MODULES:
    try:
        _module = importlib.import_module(f"verhalen.cli.{_name}")
    except ModuleNotFoundError as exc:  # a stage not built yet
        if exc.name != f"verhalen.cli.{_name}":
            raise
        continue
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
