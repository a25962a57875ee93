"""Suggestions for a project: its codebook, corpus, coded store, cache and configuration.

Glue between :class:`~verhalen.project.Project` and :class:`CodeSuggester`, used by the CLI
(``verhalen suggest``) and available to notebooks::

    from verhalen import Project
    from verhalen.suggest import suggest_for_project
    results, info = suggest_for_project(Project.open("."), top_k=3)

:func:`project_suggester` stores the fitted suggester in the project's own cache folder,
``data/cache/suggest/model-<fingerprint>.pkl`` (:meth:`CodeSuggester.fingerprint`: codebook,
coded segments and their codes, settings, NLP pipeline, versions), and fits only when no
stored model has that fingerprint — after a coding, the codebook or the pipeline changed.
Changing or adding uncoded transcripts does not refit. The newest ``keep`` model files are
kept (a loaded one counts as new). The files are pickles, which run code when loaded: they
are only ever loaded from the project's own cache folder, written there by this function.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verhalen.coding.store import CodedStore
from verhalen.corpus import Corpus
from verhalen.errors import Problem, ValidationError, VerhalenError
from verhalen.ingest.folder import read_transcripts
from verhalen.ingest.manifest import Manifest, find_manifest, read_manifest
from verhalen.nlp.pipeline import PipelineInfo
from verhalen.project import Project
from verhalen.records import Codebook, Coding, Segment
from verhalen.suggest.suggester import (
    CodeSuggester,
    SegmentSuggestions,
    human_codings,
    learning_segments,
    unknown_codes_warning,
)

if TYPE_CHECKING:
    from verhalen.suggest.evaluate import EvaluationResult

logger = logging.getLogger("verhalen.suggest")

MODEL_FOLDER = "suggest"
KEEP_MODELS = 3


def project_codebook(project: Project) -> Codebook:
    """The project's codebook (:func:`verhalen.codebook.load_project_codebook`)."""
    from verhalen.codebook import load_project_codebook

    codebook: Codebook = load_project_codebook(project)
    return codebook


def project_codings(project: Project, codebook: Codebook) -> list[Coding]:
    """Human codings in ``data/coded/`` (merged codes resolved; the ``auto`` coder left out)."""
    return human_codings(CodedStore(project.coded_dir).codings(codebook=codebook))


def project_corpus(project: Project) -> Corpus | None:
    """The ingested corpus, or ``None`` when the project has not been ingested yet."""
    return project.corpus() if project.corpus_path.is_file() else None


def read_outside(project: Project, paths: Sequence[str | Path]) -> Corpus:
    """Read transcript files from anywhere with the project's configuration and manifest.

    The manifest of the project (``data/raw/participants.*``) is used when it exists;
    otherwise the files need their own front matter.

    Raises
    ------
    ValidationError
        Listing every problem in every file (missing files included).
    """
    files = [Path(p).expanduser() for p in paths]
    missing = [p for p in files if not p.is_file()]
    if missing:
        raise ValidationError(
            [Problem(str(p), "no such file", "check the path") for p in missing],
            summary="transcripts not found",
        )
    manifest = Manifest()
    problems: list[Problem] = []
    found = find_manifest(project.raw_dir) if project.raw_dir.is_dir() else None
    if found is not None:
        manifest, problems = read_manifest(found)
    corpus, _, file_problems = read_transcripts(files, project.config, manifest)
    problems = [*problems, *file_problems]
    if problems:
        raise ValidationError(problems, summary=f"{len(problems)} problem(s) in the transcripts")
    return corpus


def model_folder(project: Project) -> Path:
    """Where :func:`project_suggester` stores fitted models: ``data/cache/suggest/``."""
    return project.cache_dir / MODEL_FOLDER


def _iter_corpus(project: Project) -> Iterator[Segment]:
    if project.corpus_path.is_file():
        yield from project.corpus(stream=True).iter_segments()


def _fit_segments(
    project: Project, codings: Sequence[Coding], suggester: CodeSuggester
) -> list[Segment]:
    """The segments a fit reads (:func:`learning_segments`), segmenting as little as possible.

    When every coding names its transcript and enough segments are coded that no uncoded
    ones are drawn, only the coded transcripts are segmented.
    """
    if not project.corpus_path.is_file():
        return []
    coded = {c.segment_id for c in codings}
    transcripts = {c.transcript_id for c in codings}
    if None not in transcripts:
        corpus = project.corpus(stream=True)
        found = [
            s
            for t in corpus.iter_transcripts()
            if t.id in transcripts
            for s in corpus.segments_of(t)
            if s.id in coded
        ]
        if len(found) >= suggester.background:
            return found
    return learning_segments(
        _iter_corpus(project),
        codings,
        background=suggester.background,
        seed=suggester.random_state,
    )


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently used model files."""
    models = []
    for path in folder.glob("model-*.pkl"):
        with contextlib.suppress(FileNotFoundError):
            models.append((path.stat().st_mtime_ns, path.name, path))
    for _, _, path in sorted(models, reverse=True)[keep:]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def project_suggester(
    project: Project,
    codebook: Codebook | None = None,
    spacy_model: str | None = None,
    *,
    use_cache: bool = True,
    keep: int = KEEP_MODELS,
) -> CodeSuggester:
    """A :class:`CodeSuggester` fitted on the project's coded segments, codings and codebook.

    Works without an ingested corpus and without codings (codebook knowledge only). Only the
    coded segments are read into memory (the corpus is streamed).

    Parameters
    ----------
    project
        The project.
    codebook
        A codebook to use instead of the project's.
    spacy_model
        Pipeline name or path; default the project's ``[nlp] spacy_model``.
    use_cache
        Reuse a stored model with the same fingerprint from ``data/cache/suggest/`` and store
        a newly fitted one there (see the module docstring); ``False`` always fits and
        stores nothing.
    keep
        Model files to keep in the folder (the most recently used).

    Returns
    -------
    CodeSuggester
        Fitted; ``from_cache`` says whether it was loaded, ``fit_seconds`` how long a fit
        took (0 when loaded).
    """
    codebook = codebook or project_codebook(project)
    codings = project_codings(project, codebook)
    suggester = CodeSuggester(
        spacy_model=spacy_model or project.config.nlp.spacy_model,
        cache=project.cache_dir / "nlp",
        batch_size=project.config.nlp.batch_size,
        n_process=project.config.nlp.n_process,
    )
    segments = _fit_segments(project, codings, suggester)
    if not use_cache:
        return suggester.fit(segments, codings, codebook)
    folder = model_folder(project)
    path = folder / f"model-{suggester.fingerprint(segments, codings, codebook)}.pkl"
    if path.is_file():
        try:
            stored = CodeSuggester.load(path, suggester.nlp, cache=suggester.cache)
        except VerhalenError as exc:  # another version or a damaged file: fit again
            logger.warning("%s", exc)
        else:
            stored.pipeline_info = suggester.pipeline_info or stored.pipeline_info
            if stored.unknown_codes_:
                unknown_codes_warning(codebook.id, stored.unknown_codes_)
            with contextlib.suppress(OSError):
                os.utime(path)  # most recently used: kept by _prune
            _prune(folder, max(1, keep))
            return stored
    suggester.fit(segments, codings, codebook)
    suggester.save(path)
    _prune(folder, max(1, keep))
    return suggester


def suggest_for_project(
    project: Project,
    transcripts: Sequence[str | Path] = (),
    *,
    top_k: int = 3,
    spacy_model: str | None = None,
    codebook: Codebook | None = None,
) -> tuple[list[SegmentSuggestions], PipelineInfo | None]:
    """Suggestions for the project's segments, or for transcript files from anywhere.

    Parameters
    ----------
    project
        The project (codebook, configuration, coded store, cache).
    transcripts
        Files to suggest for; default: every segment of the ingested corpus.
    top_k
        Codes per segment.
    spacy_model
        Pipeline name or path; default the project's ``[nlp] spacy_model``.
    codebook
        A codebook to use instead of the project's.

    Returns
    -------
    results : list of SegmentSuggestions
        One entry per segment.
    info : PipelineInfo or None
        Which NLP pipeline ran.

    Raises
    ------
    VerhalenError
        If there is nothing to suggest for (no transcripts and no ingested corpus) or the
        transcripts have problems.
    """
    segments: Sequence[Segment] | Iterator[Segment]
    if transcripts:
        segments = read_outside(project, transcripts).segments
    else:
        if not project.corpus_path.is_file():
            raise VerhalenError(
                f"{project.corpus_path}: no ingested corpus and no transcript files given — "
                "run `verhalen ingest` first, or pass transcript files to `verhalen suggest`"
            )
        segments = _iter_corpus(project)
    suggester = project_suggester(project, codebook, spacy_model)
    return list(suggester.iter_suggest(segments, top_k=top_k)), suggester.pipeline_info


def evaluate_project(
    project: Project,
    *,
    folds: int = 5,
    group_by: str = "transcript",
    seed: int = 0,
    threshold: float = 0.4,
    spacy_model: str | None = None,
    progress: Any = None,
) -> tuple[EvaluationResult, PipelineInfo | None]:
    """Cross-validate the suggestions on the project's coded segments (with baselines)."""
    from verhalen.suggest.evaluate import evaluate
    from verhalen.suggest.suggester import CodeSuggester

    codebook = project_codebook(project)
    corpus = project_corpus(project)
    if corpus is None:
        raise VerhalenError(f"{project.corpus_path}: no ingested corpus — run `verhalen ingest`")
    suggester = CodeSuggester(
        spacy_model=spacy_model or project.config.nlp.spacy_model,
        cache=project.cache_dir / "nlp",
        random_state=seed,
        batch_size=project.config.nlp.batch_size,
        n_process=project.config.nlp.n_process,
    )
    result = evaluate(
        corpus.segments,
        project_codings(project, codebook),
        codebook,
        suggester=suggester,
        group_by=group_by,  # type: ignore[arg-type]
        n_splits=folds,
        seed=seed,
        threshold=threshold,
        progress=progress,
    )
    return result, suggester.pipeline_info


_METHODS = {
    "suggester": "Suggesties",
    "keywords": "Alleen trefwoorden",
    "most_frequent": "Meest gebruikte code",
}


def write_evaluation(result: EvaluationResult, out_dir: Path) -> list[Path]:
    """Write the evaluation as Markdown (figures per method and level) plus the plot."""
    from verhalen.io import atomic_write_text

    plot = result.plot(out_dir / "leercurve.png")
    lines = [
        "# Kwaliteit van de codesuggesties",
        "",
        f"{result.settings.get('n_splits')}-voudige kruisvalidatie per "
        f"{result.settings.get('group_by')}, {result.settings.get('n_coded_segments')} "
        "gecodeerde fragmenten. Twee vergelijkingen: de meest gebruikte code, en alleen "
        "trefwoorden uit het codeboek.",
        "",
        "| Methode | Niveau | Precisie@1 | Recall@3 | Macro-F1 |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for row in result.summary.itertuples(index=False):
        label = _METHODS.get(str(row.method), str(row.method))
        lines.append(
            f"| {label} | {row.level} | {row.precision_at_1:.2f} | {row.recall_at_3:.2f} | "
            f"{row.macro_f1:.2f} |"
        )
    lines += ["", f"![Leercurve]({plot.name})", ""]
    target = out_dir / "evaluatie.md"
    atomic_write_text(target, "\n".join(lines))
    return [target, plot]
