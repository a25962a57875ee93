"""The report of a whole project: codings pooled, clusters analysed, report written.

Shared by ``verhalen report`` and ``verhalen run``; the corpus passed in must already be
pseudonymised (see :func:`verhalen.privacy.pseudonymise_project`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from verhalen.cluster import ClusterResult, ClusterSettings, CrossCase, analyse, analyse_cross_case
from verhalen.codebook import load_project_codebook
from verhalen.coding.store import CodedStore
from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.project import Project
from verhalen.report.build import ExtraSection, ReportManifest, build_report
from verhalen.report.pages import ReportOptions
from verhalen.report.pooling import check_pooling, pool_codings


@dataclass
class ProjectAnalysis:
    """Codings and cluster results the report (and other outputs) are made from."""

    codings: pd.DataFrame
    cluster: ClusterResult | None = None
    cross_case: CrossCase | None = None
    notes: list[str] = field(default_factory=list)


def analyse_project(
    project: Project,
    corpus: Corpus,
    pooling: str = "any",
    cluster: bool = True,
    n_boot: int = 0,
    seed: int = 0,
) -> ProjectAnalysis:
    """Pool the coders' codings and run the per-practice and overall cluster analysis.

    Roles are mapped for reporting first (``report.role_mapping``), so no analysis groups
    by a role that the reports may not show.
    """
    check_pooling(pooling)
    codebook = load_project_codebook(project)
    codings = CodedStore(project.coded_dir).dataframe(codebook)
    out = ProjectAnalysis(codings)
    if codings.empty:
        out.codings = pd.DataFrame(columns=["segment_id", "code_id"])
        out.notes.append(
            f"no codings in {project.coded_dir}: the report shows the participants only"
        )
        return out
    if not cluster:
        return out
    segments = corpus.segments_df()
    segments["role"] = [project.config.report_role(r) for r in segments["role"]]
    pooled = pool_codings(codings, codebook, pooling)
    pooled = pooled[pooled["segment_id"].isin(segments["segment_id"])]
    settings = ClusterSettings(n_boot=n_boot, seed=seed)
    try:
        out.cross_case = analyse_cross_case(pooled, segments, codebook, settings)
        out.cluster = analyse(pooled, segments, codebook, settings)
    except VerhalenError as exc:
        out.notes.append(f"cluster analysis skipped ({exc})")
    return out


def build_project_report(
    project: Project,
    corpus: Corpus,
    out: Path | None = None,
    *,
    k: int | None = None,
    pooling: str = "any",
    cluster: bool = True,
    n_boot: int = 0,
    analysis: ProjectAnalysis | None = None,
    extra_sections: Sequence[ExtraSection] | None = None,
) -> ReportManifest:
    """Write the project's research report from a pseudonymised corpus."""
    analysis = analysis or analyse_project(project, corpus, pooling, cluster, n_boot)
    manifest = build_report(
        corpus,
        analysis.codings,
        load_project_codebook(project),
        project.config,
        out or project.reports_dir,
        cluster=analysis.cluster,
        cross_case=analysis.cross_case,
        extra_sections=extra_sections,
        options=ReportOptions(k=k, pooling=pooling),
    )
    manifest.notes[:0] = analysis.notes
    return manifest
