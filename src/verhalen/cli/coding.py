"""``verhalen sheets`` (Excel coding sheets) and ``verhalen coded`` (what was coded)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from verhalen.cli._common import ProjectOption, console, err_console
from verhalen.corpus import Corpus
from verhalen.errors import ValidationError, VerhalenError
from verhalen.project import Project
from verhalen.records import Codebook

sheets_app = typer.Typer(
    help="Coding sheets (.xlsx) for coders who work in Excel: export and import.",
    no_args_is_help=True,
)
coded_app = typer.Typer(help="Show and count the codings in data/coded/.", no_args_is_help=True)


def say(text: str) -> None:
    """Print a message without wrapping it (paths stay copyable)."""
    console.print(text, soft_wrap=True)


def load_codebook(project: Project) -> Codebook:
    """The project's codebook (via the codebook stage)."""
    from verhalen.codebook import load_project_codebook

    codebook: Codebook = load_project_codebook(project)
    return codebook


def split_list(value: str | None) -> list[str]:
    """``"a, b,c"`` → ``["a", "b", "c"]``."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def suggest_fn_or_none(project: Project, codebook: Codebook, wanted: bool) -> object:
    """The project's suggester as a SuggestFn, or ``None`` (with a note if unavailable)."""
    if not wanted:
        return None
    try:
        from verhalen.coding.suggestions import project_suggest_fn

        return project_suggest_fn(project, codebook)
    except ModuleNotFoundError as exc:
        err_console.print(f"[yellow]note[/]: suggestions unavailable ({exc}); sheets without them")
        return None


def shown_corpus(project: Project, corpus: Corpus, wanted: bool) -> Corpus | None:
    """The pseudonymised corpus (privacy stage, project key) if ``wanted``, else ``None``."""
    if not wanted:
        return None
    from verhalen.privacy import pseudonymise_project

    pseudo, _maps = pseudonymise_project(project, corpus)
    return pseudo


PseudonymiseOption = typer.Option(
    False,
    "--pseudonymise/--original-text",
    help="Show pseudonymised text (names, places replaced with the project's key).",
)


def print_frame(frame: pd.DataFrame, title: str) -> None:
    """A DataFrame as a rich table."""
    table = Table(title=title, title_justify="left")
    for col in frame.columns:
        table.add_column(str(col), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    console.print(table)


@sheets_app.command("export")
def sheets_export(
    coder: str = typer.Option(..., "--coder", help="Coder name; several comma-separated."),
    sample: int = typer.Option(None, "--sample", help="Draw N segments (default: all)."),
    seed: int = typer.Option(1, "--seed", help="Seed of the sample."),
    stratify: str = typer.Option("", "--stratify", help="Strata, e.g. practice,role."),
    out: Path = typer.Option(
        None, "--out", help="Folder for the sheets. Default: data/sheets.", file_okay=False
    ),
    suggestions: bool = typer.Option(
        True, "--suggestions/--no-suggestions", help="Show the top suggestions with reasons."
    ),
    uncoded_only: bool = typer.Option(
        False, "--uncoded-only", help="Leave out segments the coder already coded."
    ),
    pseudonymise: bool = PseudonymiseOption,
    code_columns: int = typer.Option(
        5, "--code-columns", min=1, max=20, help="Code columns per row (codes per segment)."
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Write one coding sheet (.xlsx) per coder, with dropdowns of the active codes."""
    from verhalen.coding.sampling import draw_sample
    from verhalen.coding.sheets import export_sheets
    from verhalen.coding.store import CodedStore

    project = Project.open(project_dir)
    codebook = load_codebook(project)
    coders = split_list(coder)
    if not coders:
        raise VerhalenError("--coder: give at least one coder name")
    corpus = project.corpus()
    frame = corpus.segments_df()
    exclude: set[str] = set()
    if uncoded_only:
        store = CodedStore(project.coded_dir)
        exclude = {c.segment_id for name in coders for c in store.codings(name)}
    strata = split_list(stratify)
    if sample is not None:
        ids = draw_sample(frame, sample, seed, strata, exclude)
    else:
        ids = [s for s in frame["segment_id"] if s not in exclude]
    fn = suggest_fn_or_none(project, codebook, suggestions)
    paths = export_sheets(
        corpus,
        ids,
        codebook,
        coders,
        out or project.data_dir / "sheets",
        suggest_fn=fn,  # type: ignore[arg-type]
        role_label=project.config.report_role,
        practice_label=lambda p: project.config.practices.get(p, p),
        seed=seed if sample is not None else None,
        stratify=strata,
        n_code_columns=code_columns,
        shown=shown_corpus(project, corpus, pseudonymise),
    )
    for path in paths:
        say(f"wrote {path} ({len(ids)} segments)")


@sheets_app.command("import")
def sheets_import(
    files: list[Path] = typer.Argument(..., help="Filled-in sheets (.xlsx)."),
    map_codes: bool = typer.Option(
        False,
        "--map-codes",
        help=("Accept a sheet from an older codebook version: renamed/merged codes are mapped."),
    ),
    add_only: bool = typer.Option(
        False,
        "--add-only",
        help=("Only add codings; do not withdraw codings that are no longer on the sheet."),
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Read filled-in sheets into data/coded/ — each sheet all or nothing."""
    from verhalen.calibrate.session import proposals_path
    from verhalen.coding.proposals import save_proposals
    from verhalen.coding.sheet_import import read_sheet, store_sheet
    from verhalen.coding.store import CodedStore

    project = Project.open(project_dir)
    codebook = load_codebook(project)
    segments = project.corpus().segment_index()
    store = CodedStore(project.coded_dir)
    failed = 0
    proposals = []
    for file in files:
        try:
            content = read_sheet(file, segments=segments, codebook=codebook, map_codes=map_codes)
        except ValidationError as exc:
            failed += 1
            typer.echo(f"Error: {exc}", err=True)
            continue
        result = store_sheet(store, content, replace=not add_only)
        say(
            f"{file.name}: coder {content.meta.coder}, {len(content.segments)} rows, "
            f"{len(content.codings)} codings ({result.added} new, {result.removed} withdrawn, "
            f"{result.unchanged} unchanged), {len(content.empty_rows)} rows without a code"
        )
        for m in content.mapped:
            say(f"  mapped: row {m.row} ({m.segment_id}) {m.old} → {m.new}")
        for note in content.notes:
            say(f"  [yellow]note[/]: {note}")
        proposals.extend(content.proposals)
    if proposals:
        added = save_proposals(proposals_path(project), proposals)
        say(f"New-code proposals ({added} new, listed in {proposals_path(project)}):")
        for p in proposals:
            say(
                f"  - {p.proposal!r} by {p.coder} on {p.segment_id}"
                + (f": {p.memo}" if p.memo else "")
            )
    if failed:
        raise typer.Exit(1)


@coded_app.command("show")
def coded_show(
    coder: str = typer.Option(None, "--coder", help="Only this coder."),
    segment: str = typer.Option(None, "--segment", help="Only this segment (shows its text)."),
    code: str = typer.Option(None, "--code", help="Only this code."),
    limit: int = typer.Option(200, "--limit", min=1, help="Show at most N codings."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
    project_dir: Path = ProjectOption,
) -> None:
    """Show current codings (merged codes resolved), optionally filtered."""
    from verhalen.coding.stats import codings_frame, filter_codings
    from verhalen.coding.store import CodedStore

    project = Project.open(project_dir)
    codebook = load_codebook(project)
    store = CodedStore(project.coded_dir)
    if coder and coder not in store.coders():
        raise VerhalenError(
            f"--coder: no codings of {coder!r} in {project.coded_dir} "
            f"(coders: {', '.join(store.coders()) or 'none yet'})"
        )
    codings = filter_codings(
        store.codings(codebook=codebook), coder=coder, segment=segment, code=code
    )
    if segment:
        index = project.corpus().segment_index()
        if segment not in index:
            raise VerhalenError(f"--segment: no segment {segment!r} in the corpus")
        if not as_json:
            say(f"[bold]{segment}[/] ({index[segment].transcript_id})")
            console.print(index[segment].text, markup=False, highlight=False)
    frame = codings_frame(codings, codebook)
    if as_json:
        for c in sorted(codings, key=lambda c: (c.segment_id, c.coder, c.code_id))[:limit]:
            typer.echo(c.model_dump_json())
        return
    if frame.empty:
        say("no codings match")
        return
    shown = frame.drop(columns=["start", "end", "timestamp"]).head(limit)
    print_frame(
        shown, f"{len(frame)} coding(s)" + (f", first {limit}" if len(frame) > limit else "")
    )


@coded_app.command("stats")
def coded_stats(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    project_dir: Path = ProjectOption,
) -> None:
    """Codings per coder, per code, per factor and per source; segments coded."""
    from verhalen.coding.stats import coding_stats
    from verhalen.coding.store import CodedStore

    project = Project.open(project_dir)
    codebook = load_codebook(project)
    codings = CodedStore(project.coded_dir).codings(codebook=codebook)
    try:
        n_segments: int | None = len(project.corpus().segments)
    except VerhalenError:
        n_segments = None
    stats = coding_stats(codings, codebook, n_segments=n_segments)
    if as_json:
        out = {
            k: (v.to_dict(orient="records") if isinstance(v, pd.DataFrame) else v)
            for k, v in stats.items()
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    share = f" of {n_segments}" if n_segments else ""
    say(f"{stats['n_codings']} codings; {stats['segments_coded']}{share} segments coded")
    for key, title in (
        ("per_coder", "Per coder"),
        ("per_code", "Per code"),
        ("per_factor", "Per factor"),
        ("per_source", "Per source"),
    ):
        if not stats[key].empty:
            print_frame(stats[key], title)


def register(app: typer.Typer) -> None:
    app.add_typer(sheets_app, name="sheets")
    app.add_typer(coded_app, name="coded")
