"""``verhalen agreement table``: every coefficient for a reliability data matrix (CSV).

Also registers ``verhalen calibrate`` (see :mod:`verhalen.cli.calibrate`), so both
agreement commands arrive with the ``agreement`` stage.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from verhalen.cli._common import console, err_console
from verhalen.errors import VerhalenError, VerhalenWarning

agreement_app = typer.Typer(
    help="Intercoder agreement on a reliability data matrix.", no_args_is_help=True
)

KEYS = (
    ("percent_agreement", "Percent agreement"),
    ("krippendorff_alpha", "Krippendorff's alpha"),
    ("fleiss_kappa", "Fleiss' kappa"),
    ("cohen_kappa", "Cohen's kappa"),
    ("gwet_ac1", "Gwet's AC1"),
    ("brennan_prediger", "Brennan-Prediger"),
)


def _fmt(value: Any) -> str:
    return "undefined" if value is None else f"{value:.4f}"


@agreement_app.command("table")
def table(
    file: Path = typer.Argument(
        ...,
        help="CSV: one row per unit, one column per coder; "
        "blank = missing. An optional 'unit' column names the units.",
    ),
    level: str = typer.Option(
        "nominal", "--level", help="nominal | ordinal | interval | ratio (for alpha)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (undefined values: null)."),
    unit_column: str = typer.Option("unit", "--unit-column", help="Column with unit ids."),
    sep: str = typer.Option(
        ",", "--sep", help="Column separator, e.g. ';' for CSV saved by Dutch Excel."
    ),
) -> None:
    """Compute every agreement coefficient for a units × coders CSV."""
    from verhalen.agreement import LEVELS, ReliabilityData, all_coefficients, to_json_dict

    if level not in LEVELS:
        raise VerhalenError(f"--level: {level!r} is not one of {', '.join(LEVELS)}")
    if not file.is_file():
        raise VerhalenError(f"{file}: file not found — give a CSV with one column per coder")
    data = ReliabilityData.from_csv(file, level=level, unit_column=unit_column, sep=sep)  # type: ignore[arg-type]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", VerhalenWarning)
        values = to_json_dict(all_coefficients(data, level))  # type: ignore[arg-type]
    notes = list(
        dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, VerhalenWarning))
    )
    if as_json:
        out = {key: values[key] for key, _ in KEYS}
        out.update(
            level=level,
            n_units=values["n_units"],
            n_coders=values["n_coders"],
            n_pairable_values=values["n_pairable_values"],
            warnings=notes,
        )
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    grid = Table(
        title=f"{file.name}: {values['n_units']} units, {values['n_coders']} coders "
        f"({values['n_pairable_values']} pairable values), level {level}",
        title_justify="left",
    )
    grid.add_column("Coefficient")
    grid.add_column("Value", justify="right")
    for key, label in KEYS:
        value = values[key]
        if isinstance(value, dict):
            for pair, v in value.items():
                grid.add_row(f"{label} ({pair.replace('|', ' – ')})", _fmt(v))
        else:
            grid.add_row(
                label if key != "krippendorff_alpha" else f"{label} ({level})", _fmt(value)
            )
    console.print(grid)
    for note in notes:
        err_console.print(f"[yellow]note[/]: {note}")


def register(app: typer.Typer) -> None:
    app.add_typer(agreement_app, name="agreement")
    from verhalen.cli import calibrate

    calibrate.register(app)
