"""``verhalen run``: the whole pipeline, stage after stage, on one project.

Each step is a small function taking the project and a shared :class:`RunContext`; steps
run in pipeline order::

    ingest → privacy → codebook → suggest → calibrate → cluster → klankbord → report
           → export → audit

The corpus is pseudonymised right after ingest, and every later step that writes
something a reader sees gets the pseudonymised corpus; the last step audits everything
under ``reports/`` for any original name or place and fails the run if one is found. The
library never prints: steps return a one-line summary that the CLI shows.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.project import Project
from verhalen.records import Codebook


@dataclass
class RunContext:
    """What earlier steps hand to later ones."""

    corpus: Corpus | None = None  # as ingested (stays inside the tool)
    shown: Corpus | None = None  # pseudonymised: the only text that reaches an output
    extras: dict[str, Any] = field(default_factory=dict)

    def codebook(self, project: Project) -> Codebook:
        if "codebook" not in self.extras:
            from verhalen.codebook import load_project_codebook

            self.extras["codebook"] = load_project_codebook(project)
        book: Codebook = self.extras["codebook"]
        return book

    def pseudonymised(self) -> Corpus:
        if self.shown is None:
            raise VerhalenError("the privacy step must run before any output is written")
        return self.shown


Step = Callable[[Project, RunContext], str]


def step_ingest(project: Project, ctx: RunContext) -> str:
    corpus, report = project.ingest(stream=True)  # file-backed: bounded memory at any size
    ctx.corpus = corpus
    return f"{report.transcripts} transcripts, {report.segments} segments"


def step_privacy(project: Project, ctx: RunContext) -> str:
    from verhalen.privacy import pseudonymise_project

    corpus = ctx.corpus or project.corpus()
    ctx.shown, ctx.extras["offset_maps"] = pseudonymise_project(project, corpus)
    replaced = sum(len(m.replacements) for m in ctx.extras["offset_maps"].values())
    return f"{replaced} identifiers replaced; key in {project.key_path.relative_to(project.root)}"


def step_codebook(project: Project, ctx: RunContext) -> str:
    from verhalen.codebook import load_project_codebook
    from verhalen.codebook.exchange import export_document

    codebook = load_project_codebook(project)
    ctx.extras["codebook"] = codebook
    for fmt in ("html", "md"):
        export_document(project, codebook, fmt, project.reports_dir / f"codeboek.{fmt}", False)
    n = len(codebook.active_codes)
    return f"{codebook.id} {codebook.version}: {n} codes → reports/codeboek.html"


def step_suggest(project: Project, ctx: RunContext) -> str:
    from verhalen.suggest.project import evaluate_project, write_evaluation

    result, info = evaluate_project(project)
    write_evaluation(result, project.reports_dir / "suggesties")
    row = result.summary[
        (result.summary["method"] == "suggester") & (result.summary["level"] == "code")
    ].iloc[0]
    pipeline = info.describe() if info is not None else "?"
    return (
        f"precision@1 {row.precision_at_1:.2f}, recall@3 {row.recall_at_3:.2f} "
        f"({pipeline}) → reports/suggesties/"
    )


def step_calibrate(project: Project, ctx: RunContext) -> str:
    from verhalen.calibrate.rounds import load_rounds
    from verhalen.calibrate.session import report_round, rounds_path, trend

    rounds = load_rounds(rounds_path(project)) if rounds_path(project).is_file() else []
    if not rounds:
        return "no calibration rounds recorded (start one with `verhalen calibrate new`)"
    codebook = ctx.codebook(project)
    figures = []
    for round_ in rounds:
        result, _, _ = report_round(project, codebook, round_.id, shown=ctx.pseudonymised())
        overall = result.summary().get("overall", {})
        alpha = overall.get("krippendorff_alpha", {}).get("estimate")
        figures.append(f"{round_.id} α={alpha:.2f}" if isinstance(alpha, float) else round_.id)
    if len(rounds) > 1:
        trend(project)
    return ", ".join(figures) + " → reports/calibratie/"


def step_cluster(project: Project, ctx: RunContext) -> str:
    from verhalen.cluster.plots import plot_code_map, plot_dendrogram, plot_heatmap
    from verhalen.cluster.proposal import make_proposal, write_proposal
    from verhalen.report.project import analyse_project

    analysis = analyse_project(project, ctx.pseudonymised(), n_boot=20)
    ctx.extras["analysis"] = analysis
    if analysis.cluster is None:
        return "; ".join(analysis.notes) or "no cluster analysis"
    codebook = ctx.codebook(project)
    out = project.reports_dir / "clusters"
    proposal = make_proposal(analysis.cluster, codebook)
    write_proposal(proposal, out / "voorstel.yaml")
    plot_dendrogram(analysis.cluster, codebook, out / "dendrogram.png")
    plot_heatmap(analysis.cluster, codebook, out / "heatmap.png")
    plot_code_map(analysis.cluster, codebook, out / "codekaart.png")
    common = []
    if analysis.cross_case is not None:
        summary = analysis.cross_case.summary
        common = list(summary.index[summary["status"] == "gemeenschappelijk"])
    return (
        f"k={proposal.k}, ARI vs factors {proposal.adjusted_rand_index}; "
        f"{len(common)} factors common to all practices"
    )


def step_klankbord(project: Project, ctx: RunContext) -> str:
    from verhalen import klankbord

    posters = klankbord.project_posters(project, ctx.pseudonymised())
    written = klankbord.write_posters(project, posters)
    klankbord.write_forms(project, klankbord.form_specs(posters))
    summary = klankbord.feedback_summary(project)
    ctx.extras["feedback_section"] = klankbord.report_section(summary)
    klankbord.write_klankbord_index(project)
    n_posters = sum(len(p) for p in posters.values())
    sessions = len(summary.sessions)
    return f"{n_posters} posters ({len(written)} files), forms, feedback of {sessions} sessions"


def step_report(project: Project, ctx: RunContext) -> str:
    from verhalen.report.project import build_project_report

    sections = [s for s in (ctx.extras.get("feedback_section"),) if s is not None]
    manifest = build_project_report(
        project,
        ctx.pseudonymised(),
        analysis=ctx.extras.get("analysis"),
        extra_sections=sections,
    )
    return f"{len(manifest.files)} files, {len(manifest.quotes)} quotes → reports/index.html"


def step_export(project: Project, ctx: RunContext) -> str:
    from verhalen.interchange.project_io import export_project_qdpx

    target = project.reports_dir / "export" / "project.qdpx"
    result, _ = export_project_qdpx(project, target)
    return f"{result.summary()} → reports/export/project.qdpx"


def step_audit(project: Project, ctx: RunContext) -> str:
    from verhalen.privacy import audit_project

    report = audit_project(project, [project.reports_dir])
    if not report.clean:
        raise VerhalenError(
            f"privacy audit failed: {len(report.findings)} possible identifier(s) under "
            f"{project.reports_dir} — run `verhalen audit-privacy reports/` to see where"
        )
    return f"clean: {len(report.scanned)} files scanned, no original name or place found"


STEPS: list[tuple[str, Step]] = [
    ("ingest", step_ingest),
    ("privacy", step_privacy),
    ("codebook", step_codebook),
    ("suggest", step_suggest),
    ("calibrate", step_calibrate),
    ("cluster", step_cluster),
    ("klankbord", step_klankbord),
    ("report", step_report),
    ("export", step_export),
    ("audit", step_audit),
]


def run_pipeline(
    project: Project,
    only: list[str] | None = None,
    on_step: Callable[[str, str], None] | None = None,
    clean: bool = False,
) -> list[tuple[str, str]]:
    """Run every step (or the named ones) in order; returns (step, summary) pairs.

    ``clean`` empties ``reports/`` first, so no page of an earlier run stays behind.
    """
    known = [name for name, _ in STEPS]
    unknown = [name for name in only or [] if name not in known]
    if unknown:
        raise VerhalenError(f"unknown step(s) {', '.join(unknown)} — steps: {', '.join(known)}")
    if clean and project.reports_dir.is_dir():
        for child in project.reports_dir.iterdir():
            if child.name.startswith("."):
                continue
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    ctx = RunContext()
    done: list[tuple[str, str]] = []
    for name, step in STEPS:
        if only and name not in only and name not in ("ingest", "privacy"):
            continue
        summary = step(project, ctx)
        done.append((name, summary))
        if on_step:
            on_step(name, summary)
    return done
