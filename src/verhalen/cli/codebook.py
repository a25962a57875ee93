"""``verhalen codebook``: validate, show, export, import, diff and change codebooks.

A thin layer over :mod:`verhalen.codebook`; library modules are imported inside the
commands so ``verhalen --help`` stays fast.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from verhalen.cli._common import ProjectOption, console
from verhalen.errors import VerhalenError

if TYPE_CHECKING:
    from verhalen.codebook.ops import Change
    from verhalen.codebook.project import ProjectCodebooks
    from verhalen.project import Project

codebook_app = typer.Typer(
    help="Validate, show, export, import, compare and change the codebook (versioned YAML).",
    no_args_is_help=True,
)

WhoOption = typer.Option(
    None, "--who", help="Who makes the change. Default: $VERHALEN_WHO or the login name."
)
WhyOption = typer.Option("", "--why", help="Why: recorded in the changelog.")
CodebookOption = typer.Option(
    None, "--codebook", "-c", help="Codebook id, when the project combines several files."
)


def _who(who: str | None) -> str:
    return who or os.environ.get("VERHALEN_WHO") or getpass.getuser()


def _open(project_dir: Path) -> tuple[Project, ProjectCodebooks]:
    from verhalen.codebook.project import ProjectCodebooks
    from verhalen.project import Project

    project = Project.open(project_dir)
    return project, ProjectCodebooks.open(project)


def _print(lines: list[str]) -> None:
    for line in lines:
        console.print(escape(line), highlight=False, soft_wrap=True)


def _done(change: Change, path: Path) -> None:
    _print([f"{change.entry.what} — {path.name} is now version {change.codebook.version}"])


@codebook_app.command("validate")
def validate(
    files: list[Path] = typer.Argument(None, help="Codebook YAML files. Default: the project's."),
    bundled: bool = typer.Option(False, "--bundled", help="Validate the bundled codebooks."),
    project_dir: Path = ProjectOption,
) -> None:
    """Check codebook files; every problem is listed with its file and line."""
    from verhalen.codebook.project import BUNDLED, load_bundled
    from verhalen.codebook.versions import read_codebooks, unrecorded_changes

    if bundled:
        for name in BUNDLED:
            cb = load_bundled(name)
            _print([f"ok  {name}: {len(cb.factors)} factors, {len(cb.codes)} codes"])
        return
    found = read_codebooks(files) if files else _open(project_dir)[1].files
    for path, cb in found:
        _print(
            [
                f"ok  {path}: {cb.id} version {cb.version}, {len(cb.factors)} factors, "
                f"{len(cb.active_codes)} active codes ({len(cb.codes)} in total)"
            ]
        )
        if unrecorded_changes(path):
            _print(
                [
                    f"note: {path} was edited by hand since version {cb.version}; the edits "
                    "are recorded with the next change"
                ]
            )


@codebook_app.command("show")
def show(
    item_id: str = typer.Argument(None, help="A code or factor id to show in full."),
    all_codes: bool = typer.Option(False, "--all", help="Also list merged and retired codes."),
    project_dir: Path = ProjectOption,
) -> None:
    """List factors and codes as a tree, or show one code or factor in full."""
    from verhalen.codebook.describe import item_lines, tree_lines

    cb = _open(project_dir)[1].combined()
    _print(item_lines(cb, item_id) if item_id else tree_lines(cb, all_codes))


@codebook_app.command("export")
def export(
    fmt: str = typer.Option("md", "--format", "-f", help="md, html, yaml or qdc (REFI-QDA)."),
    output: Path = typer.Option(None, "--output", "-o", help="Default: reports/codeboek.<format>."),
    feedback: bool = typer.Option(
        False, "--feedback", help="Add a recognition line per code for practitioners (md, html)."
    ),
    codebook_id: str = CodebookOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Write a readable codebook document (Dutch), the YAML, or a REFI-QDA .qdc file."""
    from verhalen.codebook.exchange import export_document

    project, books = _open(project_dir)
    cb = books.select(codebook_id)[1] if codebook_id else books.combined()
    if fmt == "qdc":
        try:
            from verhalen.interchange.qdc import write_qdc
        except ModuleNotFoundError as exc:
            raise VerhalenError(
                f"REFI-QDA export is not available ({exc.name} is missing) — "
                "export md, html or yaml instead"
            ) from None
        output = output or project.reports_dir / "codeboek.qdc"
        write_qdc(cb, output)
    else:
        output = export_document(project, cb, fmt, output, feedback)
    _print(
        [
            f"codebook {cb.id} version {cb.version} ({len(cb.active_codes)} active codes) "
            f"written to {output}"
        ]
    )


@codebook_app.command("import")
def import_(
    file: Path = typer.Argument(None, help="A REFI-QDA .qdc or a codebook .yaml file."),
    bundled: str = typer.Option(
        None,
        "--bundled",
        help="Copy a bundled codebook instead: "
        "zes_factoren, beschermende_factoren, ouders_als_partners, "
        "peer_support_zelfeffectiviteit.",
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Default: codebook/<id>.yaml."),
    force: bool = typer.Option(
        False,
        "--force",
        help="Replace an existing codebook file (its old versions stay retrievable).",
    ),
    who: str = WhoOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Import a codebook into the project's codebook/ folder."""
    from verhalen.codebook.exchange import import_codebook, read_for_import
    from verhalen.project import Project

    project = Project.open(project_dir)
    codebook, source = read_for_import(file, bundled)
    path, change = import_codebook(project, codebook, source, output, force, _who(who))
    _print(
        [
            f"codebook {change.codebook.id} version {change.codebook.version} "
            f"({len(change.codebook.codes)} codes) written to {path}"
        ]
    )
    if path.resolve() not in {p.resolve() for p in project.codebook_paths}:
        rel = os.path.relpath(path.resolve(), project.root)
        _print([f'note: to use it, add "{rel}" to [codebook] files in verhalen.toml'])


@codebook_app.command("diff")
def diff(
    old: str = typer.Argument(None, help="Earlier version. Default: the one before NEW."),
    new: str = typer.Argument(None, help="Later version. Default: the current version."),
    codebook_id: str = CodebookOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Show added, removed, renamed and redefined codes between two versions."""
    from verhalen.codebook.diff import diff_codebooks
    from verhalen.codebook.versions import load_version, resolve_versions

    path, current = _open(project_dir)[1].select(codebook_id)
    old, new = resolve_versions(path, old, new)
    result = diff_codebooks(load_version(path, old), load_version(path, new))
    _print([f"{current.id}: {old} → {new}", *(result.lines() or ["no differences"])])


@codebook_app.command("add")
def add(
    label: str = typer.Option(None, "--label", "-l", help="Dutch label. In-vivo: the quote."),
    definition: str = typer.Option(..., "--definition", "-d", help="When to apply the code."),
    parent: str = typer.Option(None, "--parent", help="Factor or code id it belongs under."),
    code_id: str = typer.Option(None, "--id", help="Stable id. Default: made from the label."),
    segment: str = typer.Option(
        None,
        "--from-segment",
        help="Inductive: the segment it came "
        "from (records origin: inductive, segment id and quote).",
    ),
    quote: str = typer.Option(None, "--quote", help="The participant's words (in-vivo)."),
    source: str = typer.Option(None, "--source", help="Deductive: the literature source."),
    inclusion: list[str] = typer.Option(None, "--inclusion", help="Apply when … (repeatable)."),
    exclusion: list[str] = typer.Option(None, "--exclusion", help="Not when … (repeatable)."),
    example: list[str] = typer.Option(None, "--example", help="An example quote (repeatable)."),
    keyword: list[str] = typer.Option(None, "--keyword", help="A lemma cue (repeatable)."),
    codebook_id: str = CodebookOption,
    who: str = WhoOption,
    why: str = WhyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Add a code: deductive (--source) or inductive / in-vivo (--from-segment, --quote)."""
    from verhalen.codebook.exchange import code_origin
    from verhalen.codebook.ops import add_code, new_code, slugify

    project, books = _open(project_dir)
    origin = code_origin(project, segment, quote, source)
    label = label or quote
    if not label:
        raise VerhalenError("give --label (or --quote for an in-vivo code)")
    code = new_code(
        id=code_id or slugify(label),
        label=label,
        definition=definition,
        parent=parent,
        inclusion=inclusion or [],
        exclusion=exclusion or [],
        examples=example or [],
        keywords=keyword or [],
        origin=origin,
    )
    path = books.owner(parent)[0] if parent and not codebook_id else books.select(codebook_id)[0]
    _done(books.apply(path, lambda cb: add_code(cb, code, _who(who), why)), path)


@codebook_app.command("edit")
def edit(
    code_id: str = typer.Argument(..., help="The code to change."),
    definition: str = typer.Option(None, "--definition", "-d", help="New definition."),
    parent: str = typer.Option(None, "--parent", help="Move under another factor or code."),
    inclusion: list[str] = typer.Option(None, "--add-inclusion", help="Add an inclusion rule."),
    exclusion: list[str] = typer.Option(None, "--add-exclusion", help="Add an exclusion rule."),
    example: list[str] = typer.Option(None, "--add-example", help="Add an example quote."),
    keyword: list[str] = typer.Option(None, "--add-keyword", help="Add a lemma cue."),
    who: str = WhoOption,
    why: str = WhyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Sharpen a code (e.g. after a calibration session): definition, criteria, cues."""
    from verhalen.codebook.ops import edit_code

    _, books = _open(project_dir)
    path, cb = books.owner(code_id)
    code = cb.code(code_id)
    changes: dict[str, object] = {
        k: v for k, v in (("definition", definition), ("parent", parent)) if v is not None
    }
    for name, extra in (
        ("inclusion", inclusion),
        ("exclusion", exclusion),
        ("examples", example),
        ("keywords", keyword),
    ):
        if extra and code is not None:
            have = getattr(code, name)
            changes[name] = [*have, *(e for e in extra if e not in have)]
    _done(books.apply(path, lambda c: edit_code(c, code_id, changes, _who(who), why)), path)


@codebook_app.command("merge")
def merge(
    sources: list[str] = typer.Argument(..., help="Codes to merge."),
    into: str = typer.Option(..., "--into", help="The code that carries on."),
    who: str = WhoOption,
    why: str = WhyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Merge codes into another; their codings follow (history is kept)."""
    from verhalen.codebook.ops import merge_codes

    _, books = _open(project_dir)
    path = books.owner(into)[0]
    for source in sources:
        if books.owner(source)[0] != path:
            raise VerhalenError(
                f"{source!r} and {into!r} are in different codebook files — "
                "merge codes within one file"
            )
    _done(books.apply(path, lambda cb: merge_codes(cb, sources, into, _who(who), why)), path)


@codebook_app.command("split")
def split(
    code_id: str = typer.Argument(..., help="The code to split."),
    into: list[str] = typer.Option(
        None,
        "--into",
        help="ID=Label for a new code, or the id of an existing code (at least two).",
    ),
    definition: list[str] = typer.Option(
        None, "--definition", help="ID=definition of a new code (repeatable)."
    ),
    mapping: Path = typer.Option(
        None,
        "--mapping",
        help="CSV (segment_id,code_id) or YAML: "
        "which codings go where. Without it they wait for review.",
    ),
    who: str = WhoOption,
    why: str = WhyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Split a code; move its codings with --mapping (now or later) or leave them for review."""
    from verhalen.codebook import split as sp
    from verhalen.codebook.ops import split_code
    from verhalen.coding.store import CodedStore

    project, books = _open(project_dir)
    path, cb = books.owner(code_id)
    if code_id not in sp.split_targets(cb):
        targets = sp.parse_split_specs(into or [], definition or [])
        change = books.apply(path, lambda c: split_code(c, code_id, targets, _who(who), why))
        _done(change, path)
        cb = change.codebook
    elif into:
        raise VerhalenError(
            f"{code_id!r} was already split into "
            f"{', '.join(sp.split_targets(cb)[code_id])}; give only --mapping"
        )
    store = CodedStore(project.coded_dir)
    if mapping is not None:
        mapped = sp.read_split_mapping(mapping)
        moved = sp.apply_split_mapping(cb, store, code_id, mapped, _who(who))
        _print([f"{moved} coding(s) moved"])
    left = [c for c in sp.pending_split_codings(cb, store) if c.code_id == code_id]
    if left:
        _print(
            [
                f"{len(left)} coding(s) of {code_id} still need a decision — see "
                "`verhalen codebook pending`"
            ]
        )


@codebook_app.command("pending")
def pending(
    coder: str = typer.Option(None, "--coder", help="Only this coder."),
    project_dir: Path = ProjectOption,
) -> None:
    """List codings of split codes that still need a decision (segment, coder, code)."""
    from verhalen.codebook.split import pending_split_codings, split_targets
    from verhalen.coding.store import CodedStore

    project, books = _open(project_dir)
    cb = books.combined()
    rows = pending_split_codings(cb, CodedStore(project.coded_dir), coder)
    targets = split_targets(cb)
    _print(
        [f"{c.segment_id}\t{c.coder}\t{c.code_id} → {' | '.join(targets[c.code_id])}" for c in rows]
        + [f"{len(rows)} coding(s) need a decision"]
    )


@codebook_app.command("rename")
def rename(
    code_id: str = typer.Argument(..., help="The code to rename."),
    label: str = typer.Option(None, "--label", "-l", help="New label."),
    to: str = typer.Option(None, "--to", help="New id (the old id is recorded as merged into it)."),
    who: str = WhoOption,
    why: str = WhyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Rename a code's label, or give it a new id; codings follow."""
    from verhalen.codebook.ops import rename_code

    _, books = _open(project_dir)
    path = books.owner(code_id)[0]
    _done(books.apply(path, lambda c: rename_code(c, code_id, _who(who), label, to, why)), path)


@codebook_app.command("retire")
def retire(
    code_id: str = typer.Argument(..., help="The code to retire."),
    who: str = WhoOption,
    why: str = WhyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Retire a code: kept for the record (with its codings), no longer applied."""
    from verhalen.codebook.ops import retire_code

    _, books = _open(project_dir)
    path = books.owner(code_id)[0]
    _done(books.apply(path, lambda c: retire_code(c, code_id, _who(who), why)), path)


@codebook_app.command("log")
def log(
    codebook_id: str = CodebookOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Show the changelog (version, when, who, what, why) and the recorded versions."""
    from verhalen.codebook.describe import log_lines
    from verhalen.codebook.versions import list_versions

    path, cb = _open(project_dir)[1].select(codebook_id)
    _print([*log_lines(cb), f"recorded versions of {cb.id}: {', '.join(list_versions(path))}"])


def register(app: typer.Typer) -> None:
    """Add the ``codebook`` command group."""
    app.add_typer(codebook_app, name="codebook")
