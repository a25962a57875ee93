"""Project-level clustering workflow behind ``verhalen cluster propose|apply``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from verhalen.cluster.analysis import ClusterResult, ClusterSettings, analyse
from verhalen.cluster.compare import factor_presence
from verhalen.cluster.plots import plot_code_map, plot_dendrogram, plot_heatmap, plot_presence
from verhalen.cluster.proposal import Proposal, make_proposal, read_proposal, write_proposal
from verhalen.codebook.ops import Change
from verhalen.codebook.project import ProjectCodebooks
from verhalen.coding.store import CodedStore
from verhalen.errors import NotFoundError, Problem, ValidationError, VerhalenError
from verhalen.project import Project
from verhalen.records import Codebook, CodeStatus, Factor, FactorKind

PROPOSAL = Path("cluster") / "voorstel.yaml"


@dataclass
class ProposeResult:
    proposal: Proposal
    path: Path
    figures_dir: Path
    result: ClusterResult


def project_codings(project: Project, codebook: Codebook) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Current codings of every coder (merges resolved) and the corpus segments."""
    codings = CodedStore(project.coded_dir).dataframe(codebook)
    if codings.empty:
        raise VerhalenError(
            f"{project.coded_dir}: no codings yet — code segments first "
            "(`verhalen sheets export` / `verhalen sheets import`)"
        )
    return codings, project.corpus().segments_df()


def propose_categories(
    project: Project,
    k: int | None = 6,
    method: str = "ward",
    level: str = "segment",
    window: int = 1,
    practice: str | None = None,
    n_boot: int = 50,
    seed: int = 0,
    out: Path | None = None,
    figures: Path | None = None,
) -> ProposeResult:
    """Cluster the project's coded codes, write the editable proposal and the figures."""
    codebook = ProjectCodebooks.open(project).combined()
    codings, segments = project_codings(project, codebook)
    scope = "alle praktijken"
    if practice is not None:
        if practice not in project.config.practices:
            raise VerhalenError(
                f"unknown practice {practice!r} — use one of: {', '.join(project.config.practices)}"
            )
        segments = segments[segments["practice"] == practice]
        scope = project.config.practices[practice]
    settings = ClusterSettings(
        k=k,
        method=method,  # type: ignore[arg-type]
        level=level,  # type: ignore[arg-type]
        window=window,
        n_boot=n_boot,
        seed=seed,
    )
    result = analyse(codings, segments, codebook, settings)
    proposal = make_proposal(result, codebook, scope)
    path = write_proposal(proposal, out or project.root / PROPOSAL)
    fig_dir = figures or project.reports_dir / "clusters"
    suffix = f"_{practice}" if practice else ""
    plot_dendrogram(result, codebook, fig_dir / f"dendrogram{suffix}.png")
    plot_heatmap(result, codebook, fig_dir / f"heatmap{suffix}.png")
    plot_code_map(result, codebook, fig_dir / f"codekaart{suffix}.png")
    if practice is None:
        presence = factor_presence(codings, segments, codebook, "practice")
        presence.columns = [project.config.practices.get(c, c) for c in presence.columns]
        plot_presence(
            presence,
            codebook,
            fig_dir / "factoren_per_praktijk.png",
            "Deelnemers die een factor noemen, per praktijk",
            "praktijk",
        )
    return ProposeResult(proposal, path, fig_dir, result)


def regroup(codebook: Codebook, proposal: Proposal, who: str, why: str) -> Change:
    """The codebook change that puts every code of the proposal under its accepted factor."""
    from verhalen.codebook.ops import regroup_codes

    problems: list[Problem] = []
    new_factors: list[Factor] = []
    for cat in proposal.categories:
        if codebook.factor(cat.factor) is None and all(f.id != cat.factor for f in new_factors):
            if not cat.label:
                problems.append(
                    Problem(
                        f"categorie {cat.cluster}",
                        f"new factor {cat.factor!r} has no label",
                        "add `label:` (and `kind:`) to the category",
                    )
                )
                continue
            new_factors.append(
                Factor(id=cat.factor, label=cat.label, kind=cat.kind or FactorKind.inhoudelijk)
            )
        for item in cat.codes:
            code = codebook.code(item.code)
            if code is None:
                problems.append(
                    Problem(
                        f"categorie {cat.cluster}",
                        f"unknown code {item.code!r}",
                        "use code ids from `verhalen codebook show`",
                    )
                )
            elif code.status != CodeStatus.active:
                problems.append(
                    Problem(
                        f"categorie {cat.cluster}",
                        f"code {item.code!r} is {code.status.value}",
                        "remove it from the proposal",
                    )
                )
    if problems:
        raise ValidationError(problems, summary="the proposal does not fit the codebook")
    return regroup_codes(codebook, proposal.assignment(), new_factors, who=who, why=why)


def apply_categories(project: Project, path: Path | None, who: str, why: str = "") -> Change:
    """Write the accepted grouping of the proposal into the codebook as a new version."""
    proposal = read_proposal(path or project.root / PROPOSAL)
    books = ProjectCodebooks.open(project)
    target = next(((p, cb) for p, cb in books.files if cb.id == proposal.codebook), None)
    if target is None:
        raise NotFoundError(
            f"the proposal is for codebook {proposal.codebook!r}, which is not configured in "
            "verhalen.toml — run `verhalen cluster propose` again"
        )
    return books.apply(target[0], lambda cb: regroup(cb, proposal, who, why))
