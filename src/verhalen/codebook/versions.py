"""Codebook files on disk and their version snapshots.

Every version of a codebook stays retrievable without git: each change writes
``<codebook folder>/.versions/<codebook id>/<version>.yaml`` (atomically) before the
codebook file itself is replaced. An existing snapshot is never overwritten, so the record
of a version cannot change afterwards; hand edits made to the YAML file since its last
recorded version show up in :func:`unrecorded_changes` and are recorded with the next change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from verhalen.codebook.ops import Change, version_key
from verhalen.codebook.validate import parse_codebook
from verhalen.codebook.yaml_io import dump_codebook
from verhalen.errors import NotFoundError, Problem, ValidationError, VerhalenError
from verhalen.io import atomic_write_text
from verhalen.records import Codebook

VERSIONS_DIR = ".versions"


def read_codebook(path: str | Path) -> Codebook:
    """Read and validate one codebook YAML file (every problem reported at once)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(
            f"{path}: codebook file not found — check [codebook] files in "
            "verhalen.toml, or copy a bundled one with "
            "`verhalen codebook import --bundled zes_factoren`"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise VerhalenError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}) — save the file as UTF-8"
        ) from None
    return parse_codebook(text, path)


def read_codebooks(paths: Sequence[str | Path]) -> list[tuple[Path, Codebook]]:
    """Read several codebook files; the problems of all files are raised together."""
    found: list[tuple[Path, Codebook]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            found.append((Path(path), read_codebook(path)))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(
            problems,
            summary=f"{len(problems)} problem(s) in the codebook "
            "files — fix them and run `verhalen codebook validate`",
        )
    return found


def write_codebook(codebook: Codebook, path: str | Path) -> None:
    """Write a codebook as YAML, atomically, in the stable diff-friendly layout.

    The text is read back before writing; if it would not load as the same codebook the
    file is left untouched.
    """
    atomic_write_text(path, _checked_dump(codebook, path))


def _checked_dump(codebook: Codebook, path: str | Path) -> str:
    text = dump_codebook(codebook)
    if parse_codebook(text, path) != codebook:
        raise VerhalenError(
            f"{path}: the codebook does not survive a YAML round trip — "
            "nothing was written; please report this as a bug"
        )
    return text


def snapshot_dir(path: str | Path, codebook_id: str) -> Path:
    """Folder holding the version snapshots of the codebook file at ``path``."""
    return Path(path).parent / VERSIONS_DIR / codebook_id


def snapshot_path(path: str | Path, codebook_id: str, version: str) -> Path:
    return snapshot_dir(path, codebook_id) / f"{version}.yaml"


def _ensure_snapshot(path: Path, codebook: Codebook) -> bool:
    """Write the snapshot of ``codebook``'s version unless it exists; True if it differs."""
    target = snapshot_path(path, codebook.id, codebook.version)
    if not target.exists():
        atomic_write_text(target, _checked_dump(codebook, target))
        return False
    return read_codebook(target) != codebook


def commit(path: str | Path, before: Codebook, change: Change) -> Change:
    """Write a change: snapshot of the old and the new version, then the codebook file.

    If the file was edited by hand since its recorded version, the entry's ``details``
    note it (``hand_edits_since``) so the audit trail shows where those edits came in.
    """
    path = Path(path)
    new, entry = change
    if _ensure_snapshot(path, before):
        entry = entry.model_copy(
            update={"details": {**entry.details, "hand_edits_since": before.version}}
        )
        new = new.model_copy(update={"changelog": [*new.changelog[:-1], entry]})
    existing = snapshot_path(path, new.id, new.version)
    if existing.exists() and read_codebook(existing) != new:
        raise VerhalenError(
            f"{existing}: version {new.version} was already recorded with other content — "
            f"the version in {path} was lowered by hand; set it back to the latest version "
            f"({max(list_versions(path), key=version_key)}) and try again"
        )
    text = _checked_dump(new, path)
    atomic_write_text(existing, text)
    atomic_write_text(path, text)
    return Change(new, entry)


def list_versions(path: str | Path) -> list[str]:
    """Every retrievable version of the codebook at ``path``, oldest first."""
    current = read_codebook(path)
    folder = snapshot_dir(path, current.id)
    found = {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()
    found.add(current.version)
    return sorted((v for v in found if _is_version(v)), key=version_key)


def _is_version(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def load_version(path: str | Path, version: str) -> Codebook:
    """The codebook at ``path`` as it was at ``version`` (from its snapshot)."""
    current = read_codebook(path)
    target = snapshot_path(path, current.id, version)
    if target.is_file():
        return read_codebook(target)
    if version == current.version:
        return current
    raise NotFoundError(
        f"{path}: version {version!r} of codebook {current.id!r} is not "
        f"recorded — available: {', '.join(list_versions(path))}"
    )


def resolve_versions(
    path: str | Path, old: str | None = None, new: str | None = None
) -> tuple[str, str]:
    """The two versions to compare: ``new`` defaults to the current, ``old`` to the one before."""
    versions = list_versions(path)
    new = new or versions[-1]
    if old is None:
        earlier = versions[: versions.index(new)] if new in versions else []
        if not earlier:
            raise VerhalenError(
                f"{path}: no version before {new} is recorded — versions: {', '.join(versions)}"
            )
        old = earlier[-1]
    return old, new


def unrecorded_changes(path: str | Path) -> bool:
    """True if the file differs from the snapshot of the version it claims to be."""
    current = read_codebook(path)
    target = snapshot_path(path, current.id, current.version)
    if not target.is_file():
        return False
    return read_codebook(target) != current
