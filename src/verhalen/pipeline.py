"""``verhalen run``: the whole pipeline, stage after stage, on one project.

Each step is a small function taking the project and a shared :class:`RunContext`; steps
run in pipeline order (ingest → privacy → codebook → coding/suggest → agreement → cluster
→ report → audit). The library never prints: steps return a one-line summary that the
CLI shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verhalen.corpus import Corpus
from verhalen.project import Project


@dataclass
class RunContext:
    """What earlier steps hand to later ones."""

    corpus: Corpus | None = None
    extras: dict[str, Any] = field(default_factory=dict)


Step = Callable[[Project, RunContext], str]


def step_ingest(project: Project, ctx: RunContext) -> str:
    corpus, report = project.ingest()
    ctx.corpus = corpus
    return f"{report.transcripts} transcripts, {report.segments} segments"


STEPS: list[tuple[str, Step]] = [
    ("ingest", step_ingest),
]


def run_pipeline(
    project: Project,
    only: list[str] | None = None,
    on_step: Callable[[str, str], None] | None = None,
) -> list[tuple[str, str]]:
    """Run every step (or the named ones) in order; returns (step, summary) pairs."""
    ctx = RunContext()
    done: list[tuple[str, str]] = []
    for name, step in STEPS:
        if only and name not in only:
            continue
        summary = step(project, ctx)
        done.append((name, summary))
        if on_step:
            on_step(name, summary)
    return done
