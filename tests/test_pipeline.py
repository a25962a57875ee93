"""`verhalen run` end to end on a copy of the example project (the `make demo` job)."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from typer.testing import CliRunner

from verhalen.cli import app
from verhalen.pipeline import STEPS, run_pipeline
from verhalen.project import Project


def test_run_writes_every_output_and_passes_the_privacy_audit(example_project: Path) -> None:
    handlers = list(logging.getLogger().handlers)
    result = CliRunner().invoke(app, ["run", "--project", str(example_project)])
    assert result.exit_code == 0, result.output
    for name, _ in STEPS:
        assert f"✓ {name}:" in result.output
    assert "audit: clean" in result.output
    reports = example_project / "reports"
    for rel in (
        "index.html",
        "index.md",
        "vergelijking.html",
        "codeboek.html",
        "calibratie/r1.html",
        "calibratie/r2.html",
        "clusters/voorstel.yaml",
        "clusters/dendrogram.png",
        "export/project.qdpx",
        "klankbord/samenvatting.html",
    ):
        assert (reports / rel).is_file(), rel
    assert len(list(reports.glob("posters/*/*.pdf"))) >= 18
    # the key lives outside data/ and reports/, readable by the owner only
    key = Project.open(example_project).key_path
    assert key.is_file() and "reports" not in key.parts and "data" not in key.parts
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # no dependency was allowed to reconfigure logging (deduce tries to on import)
    assert logging.getLogger().handlers == handlers or all(
        getattr(h, "stream", None) is not None and h.level >= 0
        for h in logging.getLogger().handlers
    )
    assert "DEBUG" not in result.output
    # a rerun of the steps behind the report gives the same bytes
    before = (reports / "index.html").read_bytes()
    run_pipeline(Project.open(example_project), only=["cluster", "klankbord", "report"])
    assert (reports / "index.html").read_bytes() == before


def test_unknown_step_is_a_clear_error(example_project: Path) -> None:
    result = CliRunner().invoke(app, ["run", "--only", "raport", "--project", str(example_project)])
    assert result.exit_code == 1 and "unknown step(s) raport" in result.output
