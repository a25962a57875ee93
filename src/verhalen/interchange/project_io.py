"""Where an exchange reads and writes inside a project (used by the CLI).

* the codebook to export: ``--codebook``, else the project's configured codebook(s)
  (through :mod:`verhalen.codebook` when it is installed), else the only file in
  ``codebook/``, else codes made from the coded code ids;
* an imported codebook is written as ``codebook/<id>.yaml`` through
  :func:`verhalen.codebook.exchange.import_codebook` when available, else as
  ``codebook/<id>.json``;
* GUIDs of imported records: ``data/interchange/guids.json`` (reused by exports).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from verhalen.errors import VerhalenError
from verhalen.interchange.qdc import read_qdc
from verhalen.io import atomic_write_json
from verhalen.project import Project
from verhalen.records import Code, Codebook, Coding

CODEBOOK_SUFFIXES = (".yaml", ".yml", ".json", ".qdc")


def guid_map_path(project: Project) -> Path:
    """``data/interchange/guids.json``."""
    return project.data_dir / "interchange" / "guids.json"


def _codebook_api(module: str, name: str) -> Callable[..., Any] | None:
    """A function of the codebook package, or ``None`` where it is not available."""
    try:
        found = getattr(importlib.import_module(f"verhalen.codebook.{module}"), name, None)
    except ImportError:
        return None
    return found if callable(found) else None


def read_codebook_file(path: Path) -> Codebook:
    """Read a codebook from ``.yaml`` (the codebook package), ``.json`` or ``.qdc``."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise VerhalenError(
            f"{path}: no such codebook file — check --codebook or [codebook] files in verhalen.toml"
        )
    try:
        if suffix == ".json":
            return Codebook.model_validate_json(path.read_text(encoding="utf-8"))
        if suffix == ".qdc":
            return read_qdc(path)
        reader = _codebook_api("versions", "read_codebook")
        if reader is not None:
            loaded = reader(path)
            if isinstance(loaded, Codebook):
                return loaded
        return Codebook.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (PydanticValidationError, yaml.YAMLError, ValueError) as exc:
        raise VerhalenError(
            f"{path}: not a readable codebook ({str(exc).splitlines()[0]}) — "
            "check it with `verhalen codebook validate` or pass another file "
            "with --codebook"
        ) from None


def project_codebook(
    project: Project, explicit: Path | None, codings: list[Coding]
) -> tuple[Codebook, list[str]]:
    """The codebook to export and notes on how it was found."""
    notes: list[str] = []
    if explicit is not None:
        return read_codebook_file(explicit), notes
    if any(p.is_file() for p in project.codebook_paths):
        loader = _codebook_api("project", "load_project_codebook")
        if loader is not None:
            loaded = loader(project)
            if isinstance(loaded, Codebook):
                return loaded, notes
        configured = [p for p in project.codebook_paths if p.is_file()]
        if len(configured) > 1:
            notes.append(
                f"exported codebook {configured[0].name}; pass --codebook to choose another"
            )
        return read_codebook_file(configured[0]), notes
    found = sorted(
        p
        for p in project.codebook_dir.glob("*")
        if p.suffix.lower() in CODEBOOK_SUFFIXES and p.is_file()
    )
    if len(found) == 1:
        notes.append(f"no configured codebook; exported {found[0].name}")
        return read_codebook_file(found[0]), notes
    if len(found) > 1:
        raise VerhalenError(
            f"{project.codebook_dir}: several codebooks and none configured — "
            "pass one with --codebook"
        )
    ids = sorted({c.code_id for c in codings})
    notes.append("no codebook found; codes were made from the coded code ids")
    return Codebook(id="codes", name="Codes", codes=[Code(id=i, label=i) for i in ids]), notes


def same_content(a: Codebook, b: Codebook, ignore_quotes: bool = False) -> bool:
    """Whether two codebooks hold the same factors and codes (versions may differ).

    Order does not matter: a REFI-QDA export writes codes grouped under their factor, so a
    codebook regrouped by ``verhalen cluster apply`` comes back in another order. With
    ``ignore_quotes`` examples and in-vivo quotes are not compared: an export pseudonymises
    them, so they come back changed.
    """
    if ignore_quotes:
        a, b = _without_quotes(a), _without_quotes(b)

    def by_id(book: Codebook) -> tuple[dict[str, Any], dict[str, Any]]:
        return {f.id: f for f in book.factors}, {c.id: c for c in book.codes}

    return by_id(a) == by_id(b)


def _without_quotes(codebook: Codebook) -> Codebook:
    codes = [
        c.model_copy(update={"examples": [], "origin": c.origin.model_copy(update={"quote": None})})
        for c in codebook.codes
    ]
    return codebook.model_copy(update={"codes": codes})


def save_codebook(
    project: Project, codebook: Codebook, source: str, force: bool, ignore_quotes: bool = False
) -> tuple[Path, bool]:
    """Store an imported codebook; returns the path and whether it was written.

    An existing ``codebook/<id>.*`` with the same factors and codes is left alone (so
    re-running an import is safe); a different one is only replaced with ``force``.
    Through the codebook package (``codebook/<id>.yaml`` with a version snapshot and a
    changelog entry) when available, else as ``codebook/<id>.json``.
    """
    folder = project.codebook_dir
    for candidate in (folder / f"{codebook.id}{s}" for s in CODEBOOK_SUFFIXES):
        if not candidate.is_file():
            continue
        try:
            same = same_content(read_codebook_file(candidate), codebook, ignore_quotes)
        except VerhalenError:
            same = False
        if same:
            return candidate, False
        if not force:
            raise VerhalenError(
                f"{candidate}: a different codebook with id {codebook.id!r} exists — pass "
                "--codebook-id to import under another id, or --force to replace it"
            )
    importer = _codebook_api("exchange", "import_codebook")
    if importer is not None:
        target, _ = importer(project, codebook, source, force=force, who="import")
        return Path(target), True
    target = folder / f"{codebook.id}.json"
    atomic_write_json(target, json.loads(codebook.model_dump_json()))
    return target, True


def export_project_qdpx(
    project: Project,
    target: Path,
    *,
    codebook_file: Path | None = None,
    coders: list[str] | None = None,
    pseudonymise: bool = True,
    include_metadata: bool = True,
) -> tuple[Any, list[str]]:
    """Export a project as ``.qdpx``: pseudonymised (by default), validated, atomically.

    Returns the :class:`~verhalen.interchange.qdpx_export.ExportResult` and notes. Shared by
    ``verhalen export qdpx`` and ``verhalen run``.
    """
    from verhalen.coding.store import CodedStore
    from verhalen.interchange.guids import GuidMap
    from verhalen.interchange.qdpx_export import export_qdpx

    corpus = project.corpus()
    store = CodedStore(project.coded_dir)
    codebook, notes = project_codebook(project, codebook_file, store.codings())
    codings = store.codings(codebook=codebook)
    if coders:
        codings = [c for c in codings if c.coder in set(coders)]
    if pseudonymise:
        from verhalen.interchange.privacy_bridge import pseudonymise_for_export

        corpus, codebook, codings = pseudonymise_for_export(project, corpus, codebook, codings)
    else:
        notes.append(
            "not pseudonymised (--no-pseudonymise): the transcripts are exported as ingested; "
            "do not share this file unless the data may leave the project"
        )
    result = export_qdpx(
        target,
        corpus,
        codebook,
        codings,
        project_name=project.config.project.name,
        guids=GuidMap.load(guid_map_path(project)),
        practice_labels=project.config.practices,
        include_metadata=include_metadata,
    )
    return result, notes
