"""``verhalen suggest``: ranked code suggestions, auto-coding and their evaluation.

``verhalen suggest [TRANSCRIPTS...]`` is short for ``verhalen suggest show [TRANSCRIPTS...]``.
Which NLP pipeline runs is said once, on stderr, so ``--format json`` output on stdout stays
clean for scripts. Library modules are imported inside the commands so ``verhalen --help``
stays fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from verhalen.cli._common import ProjectOption, console, err_console, progress

if TYPE_CHECKING:
    from verhalen.nlp.pipeline import PipelineInfo

DEFAULT_COMMAND = "show"


class _DefaultShowGroup(TyperGroup):
    """Run ``show`` when the first argument is not a subcommand (``verhalen suggest a.txt``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


suggest_app = typer.Typer(
    cls=_DefaultShowGroup,
    help="Suggest codes with reasons, auto-code, and evaluate the suggestions. "
    "`verhalen suggest [TRANSCRIPTS]...` is short for `verhalen suggest show`.",
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class GroupBy(StrEnum):
    transcript = "transcript"
    participant = "participant"


FormatOption = typer.Option(OutputFormat.table, "--format", "-f", help="table or json.")
SpacyOption = typer.Option(
    None,
    "--spacy-model",
    help="spaCy pipeline: auto, blank, a package name or a folder. Default: spacy_model in "
    "verhalen.toml (auto: nl_core_news_sm if installed, else blank Dutch + simplemma).",
)
TranscriptsArgument = typer.Argument(
    None, help="Transcript files (anywhere on disk). Default: the ingested corpus."
)


def _say_pipeline(info: PipelineInfo | None) -> None:
    if info is not None:
        err_console.print(escape(info.describe()), highlight=False, soft_wrap=True)


def _short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@suggest_app.command(DEFAULT_COMMAND)
def show(
    transcripts: list[Path] = TranscriptsArgument,
    output: OutputFormat = FormatOption,
    top: int = typer.Option(3, "--top", "-k", min=1, help="Codes per segment."),
    spacy_model: str = SpacyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Ranked codes per segment, with scores and reasons (codebook + coding so far)."""
    from verhalen.project import Project
    from verhalen.suggest.project import suggest_for_project

    project = Project.open(project_dir)
    results, info = suggest_for_project(
        project, transcripts or (), top_k=top, spacy_model=spacy_model
    )
    _say_pipeline(info)
    if output == OutputFormat.json:
        typer.echo(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
        return
    table = Table(title="Codesuggesties", show_lines=True)
    table.add_column("Fragment", no_wrap=True)
    table.add_column("Tekst", ratio=2, overflow="fold")
    table.add_column("Code", no_wrap=True)
    table.add_column("Factor", overflow="fold")
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Redenen", ratio=2, overflow="fold")
    for item in results:
        first = True
        for s in item.suggestions or ():
            table.add_row(
                item.segment_id if first else "",
                escape(_short(item.text)) if first else "",
                s.code,
                s.factor or "",
                f"{s.score:.2f}",
                escape("; ".join(s.reasons)),
            )
            first = False
        if first:
            table.add_row(item.segment_id, escape(_short(item.text)), "—", "", "", "")
    console.print(table)


@suggest_app.command("autocode")
def autocode_command(
    transcripts: list[Path] = TranscriptsArgument,
    min_keywords: int = typer.Option(
        2, "--min-keywords", min=1, help="Distinct keywords needed when no pattern matches."
    ),
    output: OutputFormat = FormatOption,
    spacy_model: str = SpacyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Rule-based codes (keywords, lemma patterns, regexes) as suggestions by coder 'auto'.

    Nothing is written: the codings are printed, marked source=suggested.
    """
    from verhalen.nlp.pipeline import load_pipeline
    from verhalen.project import Project
    from verhalen.suggest.project import project_codebook, project_corpus, read_outside
    from verhalen.suggest.rules import autocode

    project = Project.open(project_dir)
    codebook = project_codebook(project)
    corpus = read_outside(project, transcripts) if transcripts else project_corpus(project)
    if corpus is None:
        from verhalen.errors import VerhalenError

        raise VerhalenError(
            f"{project.corpus_path}: no ingested corpus and no transcript files given — run "
            "`verhalen ingest` first, or pass transcript files"
        )
    nlp, info = load_pipeline(spacy_model or project.config.nlp.spacy_model)
    _say_pipeline(info)
    from verhalen.nlp.cache import DocCache

    codings = autocode(
        corpus.segments,
        codebook,
        min_keywords=min_keywords,
        nlp=nlp,
        cache=DocCache(project.cache_dir / "nlp"),
    )
    if output == OutputFormat.json:
        typer.echo(
            json.dumps([c.model_dump(mode="json") for c in codings], ensure_ascii=False, indent=2)
        )
        return
    table = Table(title=f"Automatische codes (voorstellen, {len(codings)})")
    for name in ("Fragment", "Code", "Waarom"):
        table.add_column(name, overflow="fold")
    for c in codings:
        table.add_row(c.segment_id, c.code_id, escape(c.memo))
    console.print(table)


def _table(title: str, frame: Any, columns: dict[str, str]) -> Table:
    table = Table(title=title)
    for label in columns.values():
        table.add_column(label)
    for row in frame.to_dict(orient="records"):
        cells = []
        for key in columns:
            value = row[key]
            if key == "n_coded":
                cells.append(f"{value:.0f}")
            elif isinstance(value, float):
                cells.append(f"{value:.2f}")
            else:
                cells.append(escape(str(value)))
        table.add_row(*cells)
    return table


@suggest_app.command("evaluate")
def evaluate_command(
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    group_by: GroupBy = typer.Option(
        GroupBy.transcript, "--group-by", help="Keep whole transcripts or participants together."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for folds, samples and models."),
    threshold: float = typer.Option(
        0.4, "--threshold", min=0.0, max=1.0, help="Score from which a code counts (for F1)."
    ),
    out: Path = typer.Option(
        None, "--out", help="Learning-curve plot. Default: reports/suggest_leercurve.png."
    ),
    output: OutputFormat = FormatOption,
    spacy_model: str = SpacyOption,
    project_dir: Path = ProjectOption,
) -> None:
    """Cross-validated precision@1, recall@3 and macro-F1 against human codes, with baselines."""
    from verhalen.project import Project
    from verhalen.suggest.project import evaluate_project

    project = Project.open(project_dir)
    result, info = evaluate_project(
        project,
        folds=folds,
        group_by=group_by.value,
        seed=seed,
        threshold=threshold,
        spacy_model=spacy_model,
        progress=progress,
    )
    _say_pipeline(info)
    plot = result.plot(out or project.reports_dir / "suggest_leercurve.png")
    if output == OutputFormat.json:
        typer.echo(
            json.dumps(
                result.to_dict() | {"plot": str(plot)}, ensure_ascii=False, indent=2, default=str
            )
        )
        return
    metrics = {"precision_at_1": "Precisie@1", "recall_at_3": "Recall@3", "macro_f1": "Macro-F1"}
    console.print(
        _table(
            f"Kwaliteit van de suggesties ({result.settings['n_splits']}-voudige "
            f"kruisvalidatie per {group_by.value}, "
            f"{result.settings['n_coded_segments']} gecodeerde fragmenten)",
            result.summary,
            {"label": "Methode", "level": "Niveau", **metrics},
        )
    )
    per_factor = result.per_factor[result.per_factor["method"] == "suggester"]
    console.print(
        _table(
            "Per factor (codesuggesties)",
            per_factor,
            {
                "factor": "Factor",
                "support": "n",
                "precision": "Precisie",
                "recall": "Recall",
                "f1": "F1",
            },
        )
    )
    per_code = result.per_code[
        (result.per_code["method"] == "suggester") & (result.per_code["support"] > 0)
    ]
    console.print(
        _table(
            "Per code (codesuggesties)",
            per_code,
            {
                "code": "Code",
                "factor": "Factor",
                "support": "n",
                "precision": "Precisie",
                "recall": "Recall",
                "f1": "F1",
            },
        )
    )
    console.print(
        _table(
            "Leercurve",
            result.learning_curve.assign(n_coded=result.learning_curve["n_coded"].round()),
            {"n_coded": "Gecodeerde fragmenten", **metrics},
        )
    )
    console.print(f"Plot: {plot}")


def register(app: typer.Typer) -> None:
    app.add_typer(suggest_app, name="suggest")
