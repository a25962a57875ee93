"""Privacy stage: detect identifiers, pseudonymise consistently, audit every output.

Typical use (the pipeline does this before any report is made)::

    from verhalen import Project
    from verhalen.privacy import pseudonymise_project, audit_project

    project = Project.open(".")
    corpus, _ = project.ingest(write=False)
    pseudo, offset_maps = pseudonymise_project(project, corpus)   # key saved, mode 600
    ...                                                           # reports from `pseudo`
    report = audit_project(project, [project.reports_dir])
    assert report.clean

The lower-level pieces: :class:`PrivacyEngine` (detectors), :class:`PseudonymKey` (the
key), :func:`pseudonymise_corpus` (corpus → corpus + :class:`OffsetMap` per transcript),
:func:`pseudonymise_files` (copies in the original formats), :class:`ReviewStore` and
:func:`audit_paths`. :func:`warmup` builds deduce's lookup cache once.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verhalen.errors import VerhalenError
from verhalen.privacy.audit import AuditReport, Finding, Identifier, audit_paths
from verhalen.privacy.deduce_backend import warmup as _warmup
from verhalen.privacy.engine import PrivacyEngine
from verhalen.privacy.files import pseudonymise_files
from verhalen.privacy.key import KeyEntry, PseudonymKey
from verhalen.privacy.normalise import Kind, fold_key
from verhalen.privacy.replace import OffsetMap
from verhalen.privacy.review import ReviewStore
from verhalen.privacy.transcripts import (
    pseudonymise_corpus,
    pseudonymise_transcript,
    review_items,
)

if TYPE_CHECKING:
    from verhalen.corpus import Corpus
    from verhalen.project import Project

__all__ = [
    "AuditReport",
    "Finding",
    "Identifier",
    "KeyEntry",
    "Kind",
    "OffsetMap",
    "PrivacyEngine",
    "PseudonymKey",
    "ReviewStore",
    "audit_paths",
    "audit_project",
    "load_key",
    "pseudonymise_corpus",
    "pseudonymise_files",
    "pseudonymise_project",
    "pseudonymise_transcript",
    "review_items",
    "warmup",
]


def warmup() -> Path:
    """Build deduce's lookup cache into a writable cache folder (minutes, once).

    Returns the folder. Called by ``verhalen warmup`` (``make`` runs it at install).
    """
    return _warmup()


def load_key(project: Project) -> PseudonymKey:
    """The project's pseudonym key (empty if none yet), in the configured style."""
    return PseudonymKey.load(project.key_path, project.config.privacy.style)


def pseudonymise_project(
    project: Project, corpus: Corpus, progress: Any = None, **engine_options: Any
) -> tuple[Corpus, dict[str, OffsetMap]]:
    """Pseudonymise an ingested corpus with the project's key, lists and review.

    The key is extended and saved (mode 600) at ``privacy.key_path``; earlier pseudonyms
    never change. Detection runs in ``privacy.n_process`` processes (for large corpora;
    the result is the same). ``engine_options`` go to :meth:`PrivacyEngine.from_project`.
    """
    key = load_key(project)
    engine = PrivacyEngine.from_project(project, corpus.participants, **engine_options)
    n_process = project.config.privacy.n_process
    pseudo, maps = pseudonymise_corpus(corpus, engine, key, progress, n_process)
    key.save(project.key_path)
    return pseudo, maps


def project_identifiers(project: Project) -> list[Identifier]:
    """What the audit searches for: every original in the key and every manifest name."""
    from verhalen.ingest.manifest import find_manifest, read_manifest
    from verhalen.privacy.lists import name_variants

    key = load_key(project)
    pairs = [(text, entry.kind.value) for text, entry in key.originals()]
    manifest_path = find_manifest(project.raw_dir) if project.raw_dir.is_dir() else None
    if manifest_path is not None:
        manifest, _ = read_manifest(manifest_path)
        for participant in manifest.participants.values():
            if participant.name:
                pairs += [(text, Kind.naam.value) for text, _ in name_variants(participant.name)]
    review = ReviewStore.load(project.private_path(project.config.privacy.review_path))
    rejected = review.rejected
    return [
        Identifier(text, kind)
        for text, kind in dict.fromkeys(pairs)
        if fold_key(text) not in rejected
    ]


def audit_project(project: Project, paths: Iterable[Path]) -> AuditReport:
    """Audit outputs for any identifier of the project (see :mod:`verhalen.privacy.audit`).

    The practices' and roles' ids and labels and the report title are public and not
    reported: practices are named openly in the study (and their ids name output files).

    Raises
    ------
    VerhalenError
        If there is nothing to search for (no key and no names in the manifest).
    """
    identifiers = project_identifiers(project)
    if not identifiers:
        raise VerhalenError(
            f"{project.key_path}: no pseudonym key and no names in the manifest, so there is "
            "nothing to audit against — run `verhalen pseudonymise` first"
        )
    config = project.config
    public = [
        *config.practices,
        *(practice.replace("_", " ") for practice in config.practices),
        *config.practices.values(),
        *config.roles.values(),
        config.report.title,
        config.project.name,
    ]
    return audit_paths(paths, identifiers, public)
