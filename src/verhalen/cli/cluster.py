"""``verhalen cluster propose|apply``: from codes to factors."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from verhalen.cli._common import ProjectOption, console
from verhalen.project import Project

cluster_app = typer.Typer(help="Cluster codes into categories and compare them with the factors.")

DEFAULT_PROPOSAL = Path("cluster") / "voorstel.yaml"


@cluster_app.command("propose")
def propose(
    k: str = typer.Option("6", "--k", help="Number of categories, or 'auto' (silhouette)."),
    method: str = typer.Option("ward", "--method", help="Linkage: ward or average."),
    level: str = typer.Option(
        "segment", "--level", help="Co-occurrence unit: segment, window or participant."
    ),
    window: int = typer.Option(1, "--window", help="Turn window width for --level window."),
    practice: str = typer.Option(None, "--practice", help="Only this practice's codings."),
    n_boot: int = typer.Option(50, "--bootstrap", help="Bootstrap replicates for stability."),
    seed: int = typer.Option(0, "--seed"),
    out: Path = typer.Option(None, "--out", help="Proposal file. Default: cluster/voorstel.yaml"),
    figures: Path = typer.Option(
        None, "--figures", help="Folder for the figures. Default: reports/clusters/"
    ),
    project_dir: Path = ProjectOption,
) -> None:
    """Propose categories by clustering the codes; write an editable proposal and figures."""
    from verhalen.cluster.workflow import propose_categories

    project = Project.open(project_dir)
    result = propose_categories(
        project,
        k=None if k == "auto" else int(k),
        method=method,
        level=level,
        window=window,
        practice=practice,
        n_boot=n_boot,
        seed=seed,
        out=out,
        figures=figures,
    )
    table = Table(
        title=f"Voorstel ({result.proposal.scope}), ARI = {result.proposal.adjusted_rand_index}"
    )
    for col in ("cluster", "factor", "codes", "zwakke plaatsing (<0.5)"):
        table.add_column(col)
    for cat in result.proposal.categories:
        weak = [c.code for c in cat.codes if c.stability is not None and c.stability < 0.5]
        table.add_row(str(cat.cluster), cat.factor, str(len(cat.codes)), ", ".join(weak) or "—")
    console.print(table)
    console.print(f"Proposal: {result.path}  Figures: {result.figures_dir}")
    console.print("Edit the proposal, then run `verhalen cluster apply`.")


@cluster_app.command("apply")
def apply(
    proposal: Path = typer.Argument(None, help="Proposal file. Default: cluster/voorstel.yaml"),
    who: str = typer.Option(..., "--who", help="Who accepts the grouping (for the changelog)."),
    why: str = typer.Option("", "--why", help="Why (for the changelog)."),
    project_dir: Path = ProjectOption,
) -> None:
    """Write the accepted grouping into the codebook as a new version."""
    from verhalen.cluster.workflow import apply_categories

    project = Project.open(project_dir)
    change = apply_categories(project, proposal, who=who, why=why)
    console.print(
        f"Codebook {change.codebook.id} is now version {change.codebook.version}: "
        f"{change.entry.what}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(cluster_app, name="cluster")
