"""``verhalen posters`` and ``verhalen feedback``: material for the klankbordgroepen.

``posters`` writes A3 posters per practice and factor (HTML and PDF) to reports/posters/;
``feedback template`` writes the session forms (xlsx, HTML, PDF) to
reports/klankbord/formulieren/; ``feedback import`` reads filled-in forms into
data/feedback/; ``feedback summary`` prints the summary and writes
reports/klankbord/samenvatting.html and .md.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from verhalen.cli._common import ProjectOption, console
from verhalen.errors import VerhalenError
from verhalen.project import Project

if TYPE_CHECKING:
    from verhalen.corpus import Corpus
    from verhalen.klankbord.content import Poster

PracticeOption = typer.Option(
    None, "--practice", help="Only this practice (repeatable). Default: every practice."
)


def safe_corpus(project: Project) -> Corpus:
    """The project's corpus, pseudonymised with its key (quotes come from this only)."""
    from verhalen.privacy import pseudonymise_project

    corpus, _ = pseudonymise_project(project, project.corpus())
    return corpus


def _posters(project: Project, practices: list[str] | None) -> dict[str, list[Poster]]:
    from verhalen.klankbord import project_posters

    return project_posters(project, safe_corpus(project), practices=practices or None)


def posters(
    practice: list[str] = PracticeOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Write A3 posters (HTML and PDF) per practice and factor for the klankbordgroepen."""
    from verhalen.klankbord import posters_dir, write_posters

    project = Project.open(project_dir)
    made = _posters(project, practice)
    files = write_posters(project, made)
    n = sum(len(items) for items in made.values())
    console.print(
        f"{n} posters for {len(made)} practice(s), {len(files)} files — open "
        f"{posters_dir(project) / 'index.html'}"
    )


def template(
    practice: list[str] = PracticeOption,
    group: list[str] = typer.Option(
        None,
        "--group",
        help="Only this group: moeders, vrijwilligers or professionals (repeatable).",
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Write feedback forms per practice and group: xlsx to fill in, HTML and PDF to print."""
    from verhalen.klankbord import form_specs, forms_dir, write_forms

    project = Project.open(project_dir)
    specs = form_specs(_posters(project, practice), group or None)
    files = write_forms(project, specs)
    for spec in specs:
        console.print(f"{spec.stem}: version {spec.version}")
    console.print(f"{len(files)} files written to {forms_dir(project)}")


def import_forms(
    files: list[Path] = typer.Argument(..., help="Filled-in forms (.xlsx).", exists=True),
    check_version: bool = typer.Option(
        True,
        "--check-version/--no-check-version",
        help="Refuse forms made for other posters than the current ones (needs the corpus).",
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Import filled-in forms into data/feedback/ (all or nothing per file)."""
    from verhalen.klankbord import feedback_dir, form_specs, import_form
    from verhalen.klankbord.build import current_versions, project_codebook

    project = Project.open(project_dir)
    codebook = project_codebook(project)
    expected = current_versions(form_specs(_posters(project, None))) if check_version else None
    failed = 0
    for path in files:
        try:
            result = import_form(path, feedback_dir(project), codebook, expected)
        except VerhalenError as exc:
            failed += 1
            typer.echo(f"Error: {exc}", err=True)
            continue
        people = len(result.session.respondents)
        if result.new:
            console.print(f"{path}: {people} respondent(s) stored as {result.stored}")
        else:
            console.print(f"{path}: already imported as {result.stored} — nothing stored")
    if failed:
        typer.echo(f"{failed} of {len(files)} file(s) not imported", err=True)
        raise typer.Exit(1)


def _pct(share: float) -> str:
    return "–" if math.isnan(share) else f"{math.floor(share * 100 + 0.5 + 1e-9):d}%"


def summary(project_dir: Path = ProjectOption) -> None:
    """Print the feedback summary and write reports/klankbord/samenvatting.html and .md."""
    from verhalen.klankbord import feedback_summary, klankbord_dir
    from verhalen.klankbord.summary import ALL, SCOPE_LABELS

    project = Project.open(project_dir)
    result = feedback_summary(project)
    if not result.sessions:
        console.print(
            "no feedback sessions in data/feedback/ yet — import filled-in forms with "
            "`verhalen feedback import FILE.xlsx`"
        )
        return
    counts = ", ".join(f"{SCOPE_LABELS[g].lower()} {n}" for g, n in result.respondents.items())
    console.print(f"{len(result.sessions)} session(s); respondents: {counts}")
    pri = result.priorities
    scopes = [g for g in result.respondents if g != ALL] + [ALL]
    table = Table(title="Prioriteiten (Borda-punten / gemiddelde rang)")
    table.add_column("Factor")
    for scope in scopes:
        table.add_column(SCOPE_LABELS[scope], justify="right")
    for _, row in pri[pri["group"] == ALL].sort_values("place").iterrows():
        cells = []
        for scope in scopes:
            r = pri[(pri["group"] == scope) & (pri["factor_id"] == row["factor_id"])].iloc[0]
            mean = float(r["mean_rank"])
            cells.append(f"{int(r['borda'])} / {'–' if math.isnan(mean) else f'{mean:.1f}'}")
        table.add_row(str(row["factor_label"]), *cells)
    console.print(table)
    rec = result.recognition
    table = Table(title="Herkenning van de factor zelf (alle groepen)")
    for name in ("Factor", "ja", "deels", "nee", "ja (%)"):
        table.add_column(name, justify="left" if name == "Factor" else "right")
    for _, r in rec[(rec["group"] == ALL) & (rec["element_id"] == "")].iterrows():
        table.add_row(
            str(r["factor_label"]), str(r["ja"]), str(r["deels"]), str(r["nee"]),
            _pct(float(r["share_ja"])),
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(result.additions)} addition(s) listed in the summary")
    console.print(f"written: {klankbord_dir(project) / 'samenvatting.html'} and .md")


def register(app: typer.Typer) -> None:
    app.command("posters")(posters)
    feedback_app = typer.Typer(
        help="Klankbordgroep feedback: form templates, import of filled-in forms, summary.",
        no_args_is_help=True,
    )
    feedback_app.command("template")(template)
    feedback_app.command("import")(import_forms)
    feedback_app.command("summary")(summary)
    app.add_typer(feedback_app, name="feedback")
