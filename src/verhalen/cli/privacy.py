"""``verhalen pseudonymise`` and ``verhalen audit-privacy`` (and ``warmup`` if missing)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from verhalen.cli._common import ProjectOption, console, err_console, progress
from verhalen.corpus import Corpus
from verhalen.errors import NotFoundError, VerhalenError
from verhalen.privacy import (
    PrivacyEngine,
    ReviewStore,
    audit_project,
    load_key,
    pseudonymise_files,
    review_items,
)
from verhalen.privacy.normalise import allowed_kinds, parse_kind
from verhalen.project import Project


def _review_store(project: Project) -> tuple[ReviewStore, Path]:
    path = project.private_path(project.config.privacy.review_path)
    return ReviewStore.load(path), path


def _decide(project: Project, accept: list[str], reject: list[str], add: list[str]) -> int:
    store, path = _review_store(project)
    for text in accept:
        store.decide(text, "accept")
    for text in reject:
        store.decide(text, "reject")
    for item in add:
        kind_text, sep, text = item.partition(":")
        kind = parse_kind(kind_text) if sep else None
        if kind is None:
            raise VerhalenError(
                f"--add {item!r}: write KIND:TEXT with KIND one of "
                f"{allowed_kinds()}, e.g. --add 'wijk:De Wieken'"
            )
        store.decide(text, "add", kind)
    store.save(path)
    return len(accept) + len(reject) + len(add)


def _corpus(project: Project, inputs: list[Path]) -> Corpus:
    from verhalen.ingest.folder import read_transcripts
    from verhalen.privacy.files import expand_inputs, manifest_for

    if not inputs:
        corpus, _ = project.ingest(write=False)
        return corpus
    paths = expand_inputs(inputs)
    manifest, _ = manifest_for(paths, project.raw_dir)
    corpus, _, problems = read_transcripts(paths, project.config, manifest)
    if problems:
        from verhalen.errors import ValidationError

        raise ValidationError(problems, summary="cannot review: inputs have problems")
    return corpus


def _show_review(project: Project, inputs: list[Path], interactive: bool) -> None:
    corpus = _corpus(project, inputs)
    engine = PrivacyEngine.from_project(project, corpus.participants)
    key = load_key(project)
    items = review_items(corpus, engine, key)
    store, path = _review_store(project)
    for n, item in enumerate(items, start=1):
        where = f"{item.transcript_id}:{item.line}" if item.line else item.transcript_id
        line = (
            f"{n:4}. [{item.status}] {item.kind:10} {item.text!r} → {item.pseudonym}  "
            f"{where}  …{item.before}«{item.text}»{item.after}…"
        )
        console.print(escape(line), highlight=False, soft_wrap=True)
    rejected = [d for d in store.decisions if d.decision == "reject"]
    if rejected:
        console.print(
            "Rejected (kept as written): " + ", ".join(repr(d.text) for d in rejected),
            highlight=False,
        )
    console.print(
        f"{len(items)} replacements. Decide with --accept TEXT, --reject TEXT or "
        "--add KIND:TEXT (stored in "
        f"{project.config.privacy.review_path}).",
        highlight=False,
    )
    if not interactive:
        return
    asked: set[str] = set()
    for item in items:
        if item.status != "open" or item.text.casefold() in asked:
            continue
        asked.add(item.text.casefold())
        answer = (
            typer.prompt(
                f"{item.text!r} ({item.kind}) — [a]ccept, [r]eject, [s]kip, [q]uit", default="s"
            )
            .strip()
            .lower()[:1]
        )
        if answer == "q":
            break
        if answer in ("a", "r"):
            store.decide(item.text, "accept" if answer == "a" else "reject")
    store.save(path)


def pseudonymise(
    inputs: list[Path] = typer.Argument(
        None, help="Transcript files or folders. Default: the project's data/raw."
    ),
    out: Path = typer.Option(
        None,
        "--out",
        "-o",
        file_okay=False,
        help="Folder for the pseudonymised copies. Default: data/pseudo.",
    ),
    lookup: str = typer.Option(
        None, "--lookup", help="Look up an original or a pseudonym in the key and exit."
    ),
    review: bool = typer.Option(
        False, "--review", help="List every replacement with its context; write nothing."
    ),
    interactive: bool = typer.Option(
        False, "--interactive", help="With --review: ask accept/reject per open text."
    ),
    accept: list[str] = typer.Option([], "--accept", help="Accept a detected text (repeatable)."),
    reject: list[str] = typer.Option(
        [], "--reject", help="Never replace this text again (repeatable)."
    ),
    add: list[str] = typer.Option(
        [], "--add", help="Always replace this text: KIND:TEXT, e.g. 'wijk:De Wieken'."
    ),
    no_deduce: bool = typer.Option(False, "--no-deduce", help="Do not use deduce."),
    project_dir: Path = ProjectOption,
) -> None:
    """Replace names, places, addresses, institutions and numbers in transcripts.

    The same person gets the same pseudonym in every transcript; the key (original →
    pseudonym) is kept outside data/ and reports/ with file mode 600.
    """
    project = Project.open(project_dir)
    if lookup is not None:
        key = load_key(project)
        entries = key.lookup(lookup)
        if not entries:
            raise NotFoundError(
                f"{project.key_path}: no original or pseudonym matches "
                f"{lookup!r} — check the spelling, or list all with --review"
            )
        for entry in entries:
            variants = ", ".join(v.text for v in entry.variants)
            console.print(f"{entry.pseudonym}  ({entry.kind.value})  ← {variants}", highlight=False)
        return
    decided = _decide(project, accept, reject, add) if (accept or reject or add) else 0
    if decided:
        console.print(f"{decided} review decision(s) saved in {project.config.privacy.review_path}")
    if review:
        _show_review(project, list(inputs or []), interactive)
        return
    if decided and not inputs and out is None:
        return
    key = load_key(project)
    before = len(key.entries)
    engine = PrivacyEngine.from_project(project, use_deduce=not no_deduce)
    for note in engine.notes:
        err_console.print(f"[yellow]note[/]: {note}")
    target = out or project.data_dir / "pseudo"
    written = pseudonymise_files(
        list(inputs or [project.raw_dir]),
        target,
        engine,
        key,
        project.config,
        project.raw_dir,
        progress,
    )
    key.save(project.key_path)
    console.print(
        f"{len(written)} files written to {target}; key: {len(key.entries)} entries "
        f"({len(key.entries) - before} new) in {project.config.privacy.key_path}"
    )


def audit_privacy(
    paths: list[Path] = typer.Argument(..., help="Output files or folders to scan."),
    project_dir: Path = ProjectOption,
) -> None:
    """Scan outputs (HTML, Markdown, CSV, XLSX, DOCX, PDF, QDPX) for original identifiers.

    Exits with 1 and the locations if one is found. Identifiers are never shown in full.
    """
    project = Project.open(project_dir)
    report = audit_project(project, paths)
    for skipped in report.skipped:
        err_console.print(
            f"[yellow]not scanned[/]: {escape(skipped)}", highlight=False, soft_wrap=True
        )
    if report.clean:
        console.print(f"No identifiers found in {len(report.scanned)} file(s).")
        return
    for finding in report.findings:
        console.print(escape(str(finding)), highlight=False, soft_wrap=True)
    typer.echo(
        f"Error: {len(report.findings)} possible identifier(s) in "
        f"{len({f.path for f in report.findings})} file(s) — pseudonymise the source "
        "text and make the outputs again",
        err=True,
    )
    raise typer.Exit(1)


def warmup() -> None:
    """Prepare deduce's lookup tables (minutes, once) so later runs start fast."""
    from verhalen.privacy import warmup as build

    console.print(f"warm: privacy (deduce) in {build()}")


def register(app: typer.Typer) -> None:
    app.command("pseudonymise")(pseudonymise)
    app.command("audit-privacy")(audit_privacy)
    names = {c.name for c in app.registered_commands}
    if "warmup" not in names:  # cli/project.py normally provides it (privacy + NLP)
        app.command("warmup")(warmup)
