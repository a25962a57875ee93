"""Codebooks in and out of a project: import into ``codebook/``, export documents.

The REFI-QDA ``.qdc`` reader and writer live in :mod:`verhalen.interchange.qdc`; the CLI
imports them lazily and hands the codebook to :func:`import_codebook`.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from verhalen.codebook.ops import Change, next_version, now, version_key
from verhalen.codebook.versions import commit, read_codebook, snapshot_path, write_codebook
from verhalen.codebook.yaml_io import dump_codebook
from verhalen.corpus import Corpus
from verhalen.errors import NotFoundError, VerhalenError
from verhalen.ingest.manifest import find_manifest, read_manifest
from verhalen.io import atomic_write_text
from verhalen.project import Project
from verhalen.records import ChangeEntry, Codebook


def import_codebook(
    project: Project,
    codebook: Codebook,
    source: str,
    output: Path | None = None,
    force: bool = False,
    who: str = "onbekend",
) -> tuple[Path, Change]:
    """Write an imported codebook to ``codebook/<id>.yaml`` (or ``output``) with a snapshot.

    Parameters
    ----------
    project
        The project whose ``codebook/`` folder receives the file.
    codebook
        The codebook read from a bundled name, a YAML file or a ``.qdc`` file.
    source
        Where it came from, for the changelog.
    output, force, who
        Target file (default ``codebook/<id>.yaml``); an existing file is only replaced with
        ``force`` and the replacement becomes its next version (with an ``import`` entry), so
        the old versions stay retrievable; ``who`` is recorded in the changelog.
    """
    target = output or project.codebook_dir / f"{codebook.id}.yaml"
    for other in sorted(target.parent.glob("*.y*ml")):
        if other.resolve() == target.resolve():
            continue
        try:
            same_id = read_codebook(other).id == codebook.id
        except VerhalenError:
            continue
        if same_id:
            raise VerhalenError(
                f"{other} already holds codebook {codebook.id!r} — replace that file "
                f"(--output {other} --force) or import into another folder; two files with "
                "one id would share one version history"
            )
    if target.exists():
        if not force:
            raise VerhalenError(
                f"{target} already exists — use --force to replace it (its "
                "versions stay retrievable), or --output for another file"
            )
        old = read_codebook(target)
        version = next_version(max(old.version, codebook.version, key=version_key))
        entry = ChangeEntry(
            version=version,
            when=now(),
            who=who,
            action="import",
            what=f"Vervangen door import uit {source}",
            details={"source": source, "codes": len(codebook.codes)},
        )
        new = codebook.model_copy(update={"version": version, "changelog": [*old.changelog, entry]})
        return target, commit(target, old, Change(new, entry))
    version = codebook.version
    snapshot = snapshot_path(target, codebook.id, version)
    if snapshot.exists() and read_codebook(snapshot) != codebook:
        # an earlier codebook with this id was recorded here: continue its numbering
        recorded = [p.stem for p in snapshot.parent.glob("*.yaml")]
        version = next_version(max([*recorded, version], key=version_key))
        snapshot = snapshot_path(target, codebook.id, version)
    entry = ChangeEntry(
        version=version,
        when=now(),
        who=who,
        action="import",
        what=f"Geïmporteerd uit {source}",
        details={"source": source},
    )
    if version != codebook.version or not codebook.changelog:
        codebook = codebook.model_copy(
            update={"version": version, "changelog": [*codebook.changelog, entry]}
        )
    atomic_write_text(snapshot, dump_codebook(codebook))
    write_codebook(codebook, target)
    return target, Change(codebook, codebook.changelog[-1])


def participant_names(project: Project) -> list[str]:
    """Real names from the participants manifest (to redact them from exports)."""
    path = find_manifest(project.raw_dir)
    if path is None:
        return []
    manifest, _ = read_manifest(path)
    return sorted(p.name for p in manifest.participants.values() if p.name)


def export_document(
    project: Project,
    codebook: Codebook,
    fmt: str,
    output: Path | None = None,
    feedback: bool = False,
) -> Path:
    """Write the codebook as ``md``, ``html`` (participants' names redacted) or ``yaml``.

    Returns the path written (default ``reports/codeboek.<fmt>``).
    """
    from verhalen.codebook.render import name_redactor, render_html, render_markdown

    output = output or project.reports_dir / f"codeboek.{fmt}"
    if fmt == "yaml":
        atomic_write_text(output, dump_codebook(codebook))
    elif fmt in ("md", "html"):
        render = render_html if fmt == "html" else render_markdown
        redact = name_redactor(participant_names(project))
        atomic_write_text(output, render(codebook, feedback=feedback, redact=redact))
    else:
        raise VerhalenError(f"unknown format {fmt!r} — choose md, html, yaml or qdc")
    return output


def segment_quote(corpus: Corpus, segment_id: str, quote: str | None = None) -> str:
    """The quote for an in-vivo code: ``quote`` checked against the segment, or its text."""
    index = corpus.segment_index()
    segment = index.get(segment_id)
    if segment is None:
        close = difflib.get_close_matches(segment_id, list(index), n=3)
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else ("segment ids look like int01-t5; run `verhalen ingest`")
        )
        raise NotFoundError(f"segment {segment_id!r} is not in the corpus — {hint}")
    if quote is None:
        return segment.text if len(segment.text) <= 300 else segment.text[:299] + "…"
    if " ".join(quote.split()).casefold() not in " ".join(segment.text.split()).casefold():
        raise VerhalenError(
            f"quote {quote!r} does not occur in segment {segment_id} — copy the "
            "words exactly as they are in the transcript"
        )
    return quote


def read_for_import(file: Path | None, bundled: str | None) -> tuple[Codebook, str]:
    """The codebook to import and a description of its source for the changelog.

    ``bundled`` names a bundled codebook; otherwise ``file`` is a ``.yaml`` codebook or a
    REFI-QDA ``.qdc`` file (read by :func:`verhalen.interchange.qdc.read_qdc`, imported
    lazily so the rest works without it).
    """
    if (file is None) == (bundled is None):
        raise VerhalenError("give either a file to import or --bundled NAME (not both)")
    if bundled is not None:
        from verhalen.codebook.project import load_bundled

        return load_bundled(bundled), f"gebundeld codeboek {bundled}"
    assert file is not None
    suffix = file.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_codebook(file), file.name
    if suffix != ".qdc":
        raise VerhalenError(
            f"{file}: cannot import {suffix or 'a file without extension'} — "
            "give a .qdc (REFI-QDA) or a .yaml codebook, or use --bundled NAME"
        )
    try:
        from verhalen.interchange.qdc import read_qdc
    except ModuleNotFoundError as exc:
        raise VerhalenError(
            f"REFI-QDA import is not available ({exc.name} is missing) — "
            "import a .yaml codebook instead"
        ) from None
    if not file.is_file():
        raise NotFoundError(f"{file}: file not found")
    return read_qdc(file), file.name


def code_origin(
    project: Project, segment: str | None, quote: str | None, source: str | None
) -> dict[str, str | None]:
    """Origin fields for a new code: deductive with ``source``, or inductive from a segment."""
    if not segment:
        return {"kind": "deductive", "source": source}
    corpus = project.corpus() if project.corpus_path.is_file() else project.ingest(write=False)[0]
    return {
        "kind": "inductive",
        "source": source,
        "segment_id": segment,
        "quote": segment_quote(corpus, segment, quote),
    }
