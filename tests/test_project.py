"""Project scaffolding and paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from verhalen.cli import app
from verhalen.errors import ConfigError
from verhalen.project import Project

runner = CliRunner()


def test_init_scaffolds_a_working_project(tmp_path: Path) -> None:
    target = tmp_path / "studie"
    result = runner.invoke(app, ["init", str(target), "--name", "Mijn studie"])
    assert result.exit_code == 0, result.output
    for sub in ("codebook", "data/raw", "data/coded", "notebooks", "reports", "private"):
        assert (target / sub).is_dir()
    project = Project.open(target)
    assert project.config.project.name == "Mijn studie"
    assert "private/" in (target / ".gitignore").read_text()
    # an empty project gives a clear error, not a crash
    result = runner.invoke(app, ["ingest", "--check", "--project", str(target)])
    assert result.exit_code == 1 and "no transcripts found" in result.output
    # init refuses to overwrite
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_key_path_must_stay_outside_data_and_reports(mini_project: Path) -> None:
    cfg = mini_project / "verhalen.toml"
    cfg.write_text(cfg.read_text() + '\n[privacy]\nkey_path = "data/sleutel.json"\n')
    with pytest.raises(ConfigError, match="keep the pseudonym key apart"):
        _ = Project.open(mini_project).key_path
