"""``verhalen export qdpx`` and ``verhalen import qdpx``: REFI-QDA project exchange.

The library does the work (:mod:`verhalen.interchange`); this module reads the project,
prints the reports and writes the results.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from verhalen.cli._common import ProjectOption, console
from verhalen.coding.store import CodedStore
from verhalen.corpus import Corpus
from verhalen.ingest.turns import SpeakerLabels
from verhalen.interchange.guids import GuidMap
from verhalen.interchange.merge import conflicts, drop_known, merge_into
from verhalen.interchange.project_io import (
    export_project_qdpx,
    guid_map_path,
    save_codebook,
)
from verhalen.interchange.qdpx_import import ImportResult, import_qdpx
from verhalen.project import Project

export_app = typer.Typer(help="Export the project for other programs.", no_args_is_help=True)
import_app = typer.Typer(help="Import a project from another program.", no_args_is_help=True)

SHOW = 20


@export_app.command("qdpx")
def export_qdpx_command(
    target: Path = typer.Argument(..., help="The .qdpx file to write.", dir_okay=False),
    codebook_file: Path = typer.Option(
        None, "--codebook", help="Codebook file (.yaml/.json/.qdc). Default: the configured one."
    ),
    coders: list[str] = typer.Option(None, "--coder", help="Only these coders (repeatable)."),
    pseudonymise: bool = typer.Option(
        True,
        "--pseudonymise/--no-pseudonymise",
        help="Pseudonymise transcripts, memos and quotes with the project's key (default), "
        "moving every coded span along. Only switch it off for data that may be shared.",
    ),
    no_metadata: bool = typer.Option(
        False, "--no-metadata", help="Leave transcript metadata (front matter) out."
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Export the project as REFI-QDA (.qdpx) for ATLAS.ti, MAXQDA, NVivo or QualCoder.

    Sources, codebook, every coder's codings, participants (never their names) and
    practices; pseudonymised with the project's key unless --no-pseudonymise.
    """
    project = Project.open(project_dir)
    result, notes = export_project_qdpx(
        project,
        target,
        codebook_file=codebook_file,
        coders=coders,
        pseudonymise=pseudonymise,
        include_metadata=not no_metadata,
    )
    for note in [*notes, *result.notes]:
        console.print(f"[yellow]note[/]: {note}")
    state = "pseudonymised" if pseudonymise else "NOT pseudonymised"
    console.print(f"{result.summary()} — {state}, written to {result.path} (valid REFI-QDA 1.0)")


def _print_report(result: ImportResult) -> None:
    drift = result.drift
    console.print(drift.summary())
    if drift.items:
        table = Table(
            "transcript",
            "span",
            "name",
            "text there",
            "found at",
            "why",
            title="Selections that drift",
        )
        for item in drift.items[:SHOW]:
            table.add_row(
                item.transcript_id,
                f"{item.start}–{item.end}",
                item.name or "",
                item.text,
                f"{item.found_at[0]}–{item.found_at[1]}" if item.found_at else "",
                item.reason,
            )
        console.print(table)
        if len(drift.items) > SHOW:
            console.print(f"… and {len(drift.items) - SHOW} more")
    if result.loss:
        counts = ", ".join(f"{n} {kind}" for kind, n in result.loss.counts().items())
        console.print(f"[yellow]not carried over[/]: {counts}")
        for lost in result.loss.items[:SHOW]:
            console.print(f"  - {lost.kind}: {lost.where}: {lost.what}")
        if len(result.loss.items) > SHOW:
            console.print(f"  … and {len(result.loss.items) - SHOW} more")
    for note in result.notes:
        console.print(f"[yellow]note[/]: {note}")


@import_app.command("qdpx")
def import_qdpx_command(
    source: Path = typer.Argument(
        ..., help="A .qdpx archive or a bare .qde project file.", exists=True, dir_okay=False
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only report; write nothing."),
    force: bool = typer.Option(
        False, "--force", help="Replace transcripts and a codebook that differ from the import."
    ),
    codebook_id: str = typer.Option(
        None, "--codebook-id", help="Import the codebook under this id (default: from the file)."
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Import a REFI-QDA project (.qdpx or .qde) from ATLAS.ti, MAXQDA, NVivo and others.

    Transcripts, participants, the codebook and every coder's codings (source=imported)
    are merged into the project, with a report of selections that drift and of what
    could not be carried over. Coding done on a pseudonymised export comes back to the
    original text.
    """
    project = Project.open(project_dir)
    speakers = project.config.speakers
    seg = project.config.segmentation
    result = import_qdpx(
        source,
        labels=SpeakerLabels.build(speakers.interviewer, speakers.respondent, speakers.other),
        unit=seg.unit,
        respondent_only=seg.respondent_only,
        min_chars=seg.min_chars,
    )
    codebook = result.codebook
    if codebook_id:
        codebook = codebook.model_copy(update={"id": codebook_id})
    codings = [c.model_copy(update={"codebook_version": codebook.version}) for c in result.codings]
    console.print(
        f"{source.name} ({result.origin or 'unknown program'}): "
        f"{len(result.corpus.transcripts)} transcripts, {len(result.corpus.participants)} "
        f"participants, {len(codebook.factors)} factors + {len(codebook.codes)} codes, "
        f"{len(codings)} codings by {len({c.coder for c in codings})} coder(s)"
    )
    _print_report(result)
    if dry_run:
        console.print("dry run: nothing written")
        return
    existing = Corpus.load(project.corpus_path) if project.corpus_path.is_file() else None
    equivalent: set[str] = set()
    if existing is not None and conflicts(existing, result.corpus):
        # coded elsewhere on the pseudonymised export? move the spans back to the original;
        # such a transcript is never replaced by its pseudonymised text, not even with --force
        from verhalen.interchange.privacy_bridge import map_back

        back = map_back(project, existing, result.corpus, codings)
        codings, equivalent = back.codings, set(back.transcripts)
        if equivalent:
            console.print(
                f"{len(equivalent)} transcript(s) were imported in pseudonymised form; their "
                "codings were moved back to the project's original text"
            )
    merged = merge_into(
        existing,
        result.corpus,
        codings,
        force=force,
        where=str(project.corpus_path),
        equivalent=equivalent,
    )
    codebook_path, written = save_codebook(
        project, codebook, source.name, force, ignore_quotes=bool(equivalent)
    )
    merged.corpus.save(project.corpus_path)
    store = CodedStore(project.coded_dir)
    fresh = drop_known(merged.codings, store.codings(codebook=codebook), merged.corpus)
    added = store.add(fresh, who="import", note=f"imported from {source.name}")
    guids = GuidMap.load(guid_map_path(project))
    guids.update(result.guids)
    guids.save(guid_map_path(project))
    for note in merged.notes:
        console.print(f"[yellow]note[/]: {note}")
    console.print(
        f"corpus: {len(merged.added_transcripts)} transcript(s) added, "
        f"{len(merged.replaced_transcripts)} replaced → {project.corpus_path}\n"
        f"codebook: {'written to' if written else 'unchanged in'} {codebook_path}\n"
        f"codings: {added} new in {project.coded_dir}"
    )
    if codebook_path not in project.codebook_paths:
        console.print(
            f"[yellow]note[/]: add {codebook_path.relative_to(project.root)} to "
            "\\[codebook] files in verhalen.toml to use it"
        )


def register(app: typer.Typer) -> None:
    """Add the ``export`` and ``import`` command groups."""
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")
