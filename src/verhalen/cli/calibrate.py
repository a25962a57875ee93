"""``verhalen calibrate``: calibration rounds (new, import, report, decide, trend, list).

Registered by :mod:`verhalen.cli.agreement` (the agreement stage).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import typer

from verhalen.cli._common import ProjectOption
from verhalen.cli.coding import (
    PseudonymiseOption,
    load_codebook,
    print_frame,
    say,
    shown_corpus,
    split_list,
    suggest_fn_or_none,
)
from verhalen.errors import VerhalenError
from verhalen.project import Project

calibrate_app = typer.Typer(
    help="Calibration rounds: code one sample independently, compare, discuss, decide.",
    no_args_is_help=True,
)


def _parse_moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise VerhalenError(
            f"--session-date: {text!r} is not a date — write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@calibrate_app.command("new")
def new(
    coders: str = typer.Option(..., "--coders", help="Two to four coders, comma-separated."),
    sample: int = typer.Option(30, "--sample", min=1, help="Segments in the sample."),
    seed: int = typer.Option(1, "--seed", help="Seed of the sample (and of the intervals)."),
    stratify: str = typer.Option(
        "practice,role", "--stratify", help="Strata, comma-separated ('' for none)."
    ),
    suggestions: bool = typer.Option(
        False,
        "--suggestions/--no-suggestions",
        help="Show suggestions on the sheets (default: no).",
    ),
    include_previous: bool = typer.Option(
        False, "--include-previous", help="Allow segments of earlier rounds in the sample."
    ),
    pseudonymise: bool = PseudonymiseOption,
    session_date: str = typer.Option(
        None,
        "--session-date",
        help="Date (YYYY-MM-DD[THH:MM]) of the comparison meeting: coded-store codings count "
        "as they stood then.",
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Draw the sample and write one sheet per coder into calibration/<round>/."""
    from verhalen.calibrate.session import new_round, rounds_path

    project = Project.open(project_dir)
    codebook = load_codebook(project)
    names = split_list(coders)
    round_, paths = new_round(
        project,
        codebook,
        names,
        sample,
        seed=seed,
        stratify=split_list(stratify),
        suggest_fn=suggest_fn_or_none(project, codebook, suggestions),  # type: ignore[arg-type]
        exclude_previous=not include_previous,
        shown=shown_corpus(project, project.corpus(), pseudonymise),
        session_date=_parse_moment(session_date),
    )
    say(
        f"round {round_.id}: {len(round_.sample)} segments, coders "
        f"{', '.join(round_.coders)}, codebook {codebook.id} {codebook.version} "
        f"(recorded in {rounds_path(project)})"
    )
    for path in paths:
        say(f"  sheet: {path}")
    say(f"Hand out the sheets; then `verhalen calibrate import {round_.id} FILES...`")


@calibrate_app.command("import")
def import_(
    round_id: str = typer.Argument(..., help="The round, e.g. r1."),
    files: list[Path] = typer.Argument(..., help="The coders' filled-in sheets."),
    map_codes: bool = typer.Option(
        False,
        "--map-codes",
        help=("Accept sheets from an older codebook version: renamed/merged codes are mapped."),
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Import the round's sheets into data/coded/ and the round (each sheet all or nothing)."""
    from verhalen.calibrate.session import import_round, proposals_path

    project = Project.open(project_dir)
    report = import_round(project, load_codebook(project), round_id, files, map_codes=map_codes)
    for content, result in report.imported:
        say(
            f"{content.path.name}: coder {content.meta.coder}, "
            f"{len(content.segments)} segments, {len(content.codings)} codings "
            f"({result.added} new in data/coded), {len(content.empty_rows)} without code"
        )
        for m in content.mapped:
            say(f"  mapped: row {m.row} ({m.segment_id}) {m.old} → {m.new}")
        for note in content.notes:
            say(f"  [yellow]note[/]: {note}")
    if report.proposals_added:
        say(f"{report.proposals_added} new-code proposal(s) added to {proposals_path(project)}")
    missing = [c for c in report.round.coders if c not in report.round.imports]
    say(
        f"round {round_id}: status {report.round.status.value}"
        + (f"; still waiting for {', '.join(missing)}" if missing else "")
    )
    for exc in report.failed.values():
        typer.echo(f"Error: {exc}", err=True)
    if report.failed:
        raise typer.Exit(1)


@calibrate_app.command("report")
def report(
    round_id: str = typer.Argument(..., help="The round, e.g. r1."),
    n_boot: int = typer.Option(1000, "--n-boot", min=1, help="Bootstrap replicates."),
    seed: int = typer.Option(None, "--seed", help="Bootstrap seed (default: the round's)."),
    pseudonymise: bool = PseudonymiseOption,
    min_units: int = typer.Option(
        10, "--min-units", min=1, help="Warn when fewer segments were coded in common."
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Agreement per code and overall with 95% intervals, and the disagreements (HTML + MD)."""
    from verhalen.calibrate.notes import num
    from verhalen.calibrate.report import OVERALL_ROWS
    from verhalen.calibrate.session import report_round

    project = Project.open(project_dir)
    result, disagreements, paths = report_round(
        project,
        load_codebook(project),
        round_id,
        n_boot=n_boot,
        n_boot_cohen=min(n_boot, 200),
        seed=seed,
        min_units=min_units,
        shown=shown_corpus(project, project.corpus(), pseudonymise),
    )
    labels = dict(OVERALL_ROWS)
    rows = [
        {
            "maat": labels.get(key, key),
            "waarde": num(e.estimate),
            "95%-interval": f"[{num(e.low)}; {num(e.high)}]",
        }
        for key, e in sorted(result.overall.items(), key=lambda kv: list(labels).index(kv[0]))
    ]
    print_frame(pd.DataFrame(rows), f"round {round_id}: {result.n_units} segments coded in common")
    say(
        f"{sum(g.n for g in disagreements)} disagreement(s) over "
        f"{len(disagreements)} code(s); {len(result.notes)} note(s)"
    )
    for path in paths:
        say(f"wrote {path}")


@calibrate_app.command("decide")
def decide(
    round_id: str = typer.Argument(..., help="The round, e.g. r1."),
    text: str = typer.Option(..., "--text", help="What was decided, and why."),
    codebook_version: str = typer.Option(
        None, "--codebook-version", help="The codebook version that carries the change."
    ),
    codes: str = typer.Option("", "--codes", help="Codes concerned, comma-separated."),
    who: str = typer.Option("", "--by", help="Who decided (e.g. the team)."),
    project_dir: Path = ProjectOption,
) -> None:
    """Record a decision taken after discussing a round."""
    from verhalen.calibrate.session import decide as record

    project = Project.open(project_dir)
    codebook = load_codebook(project)
    updated = record(
        project,
        codebook,
        round_id,
        text,
        codebook_version=codebook_version,
        codes=split_list(codes),
        who=who,
    )
    decision = updated.decisions[-1]
    say(
        f"round {round_id}: decision {decision.number} recorded"
        + (f" (codebook {decision.codebook_version})" if decision.codebook_version else "")
    )
    known = {e.version for e in codebook.changelog} | {codebook.version}
    if codebook_version and codebook_version not in known:
        say(
            f"[yellow]note[/]: codebook version {codebook_version} is not in the "
            f"codebook's changelog yet (now {codebook.version})"
        )
    if updated.results:
        say(f"Run `verhalen calibrate report {round_id}` to show it in the round's report.")


@calibrate_app.command("trend")
def trend(
    measure: str = typer.Option(
        "krippendorff_alpha",
        "--measure",
        help="krippendorff_alpha | percent_agreement | fleiss_kappa | gwet_ac1 | brennan_prediger",
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Agreement per code and overall across rounds: table and plot."""
    from verhalen.calibrate.session import trend as make_trend

    project = Project.open(project_dir)
    frame, md_path, png_path = make_trend(project, measure)
    shown = frame.map(lambda v: "–" if pd.isna(v) else f"{v:.2f}").reset_index()
    print_frame(shown, f"{measure} per round")
    say(f"wrote {md_path}\nwrote {png_path}")


@calibrate_app.command("list")
def list_rounds(project_dir: Path = ProjectOption) -> None:
    """The rounds so far: coders, sample size, status, overall alpha, decisions."""
    from verhalen.calibrate.rounds import load_rounds
    from verhalen.calibrate.session import rounds_path

    project = Project.open(project_dir)
    rounds = load_rounds(rounds_path(project))
    if not rounds:
        raise VerhalenError("no calibration rounds yet — start one with `verhalen calibrate new`")
    rows = []
    for r in rounds:
        alpha = (r.results or {}).get("overall", {}).get("krippendorff_alpha") or {}
        value = alpha.get("estimate")
        rows.append(
            {
                "round": r.id,
                "created": r.created.date().isoformat(),
                "coders": ",".join(r.coders),
                "segments": len(r.sample),
                "codebook": r.codebook_version,
                "status": r.status.value,
                "alpha": "–" if value is None else f"{value:.2f}",
                "decisions": len(r.decisions),
            }
        )
    print_frame(pd.DataFrame(rows), "calibration rounds")


def register(app: typer.Typer) -> None:
    app.add_typer(calibrate_app, name="calibrate")
