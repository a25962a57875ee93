"""``verhalen posters`` and ``verhalen feedback …`` in-process (CliRunner)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from verhalen.cli import klankbord as cli_klankbord
from verhalen.cli._common import VerhalenGroup
from verhalen.corpus import Corpus
from verhalen.klankbord.feedback_form import FIRST_ROW, PRIORITY_SHEET
from verhalen.project import Project

REPO = Path(__file__).resolve().parents[1]
PRACTICE = "alleenstaande_moeders_veendam"


def _app() -> typer.Typer:
    app = typer.Typer(cls=VerhalenGroup, add_completion=False, pretty_exceptions_enable=False)
    cli_klankbord.register(app)
    return app


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "voorbeeld"
    root.mkdir()
    shutil.copy(REPO / "verhalen.toml", root / "verhalen.toml")
    shutil.copytree(REPO / "codebook", root / "codebook", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(REPO / "data" / "coded", root / "data" / "coded")
    corpus, _ = Project.open(root).ingest(write=False)

    # The privacy stage is tested elsewhere (and takes a while): stand in for it here.
    def stand_in(_: Project) -> Corpus:
        return corpus

    monkeypatch.setattr(cli_klankbord, "safe_corpus", stand_in)
    # PDFs are tested in test_klankbord_posters/feedback; here only the commands matter.
    monkeypatch.setattr("verhalen.klankbord.build.posters_pdf", lambda *a, **k: b"%PDF-1.4\n")
    monkeypatch.setattr("verhalen.klankbord.build.form_pdf", lambda *a, **k: b"%PDF-1.4\n")
    return root


def _flat(text: str) -> str:
    """Output without rich's line wrapping."""
    return " ".join(text.split())


def _fill(path: Path) -> None:
    wb = load_workbook(path)
    for name in wb.sheetnames[1:-2]:  # the factor sheets
        wb[name].cell(FIRST_ROW, 2, "ja")
    first = wb[wb.sheetnames[2]]
    first.cell(FIRST_ROW, 2, "deels")
    first.cell(FIRST_ROW, 3, "Thuis zit ik alleen, hier niet.")
    ranks = wb[PRIORITY_SHEET]
    for j in range(6):
        ranks.cell(FIRST_ROW, 2 + j, j + 1)
    wb.save(path)


def test_template_import_summary(project: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    app = _app()
    args = ["--project", str(project)]
    result = runner.invoke(app, ["feedback", "summary", *args])
    assert result.exit_code == 0, result.output
    assert "no feedback sessions" in result.output

    result = runner.invoke(
        app, ["feedback", "template", "--practice", PRACTICE, "--group", "moeders", *args]
    )
    assert result.exit_code == 0, result.output
    forms = project / "reports" / "klankbord" / "formulieren"
    template = forms / f"{PRACTICE}_moeders.xlsx"
    assert template.is_file() and (forms / f"{PRACTICE}_moeders.pdf").is_file()
    assert not (forms / f"{PRACTICE}_vrijwilligers.xlsx").exists()

    filled = tmp_path / "ingevuld.xlsx"
    shutil.copy(template, filled)
    _fill(filled)
    broken = tmp_path / "kapot.xlsx"
    shutil.copy(filled, broken)
    wb = load_workbook(broken)
    wb[wb.sheetnames[1]].cell(FIRST_ROW, 2, "soms")
    wb.save(broken)

    result = runner.invoke(app, ["feedback", "import", str(filled), str(broken), *args])
    assert result.exit_code == 1
    assert "1 respondent(s) stored as" in _flat(result.output)
    assert "kapot.xlsx: not imported" in result.output and "'soms' is not one of" in result.output
    stored = sorted((project / "data" / "feedback").glob("*.json"))
    assert [p.name for p in stored] == [f"{PRACTICE}_moeders_1.json"]

    result = runner.invoke(app, ["feedback", "import", str(filled), *args])
    assert result.exit_code == 0 and "already imported" in _flat(result.output)

    result = runner.invoke(app, ["feedback", "summary", *args])
    assert result.exit_code == 0, result.output
    assert "Prioriteiten" in result.output and "Ontmoeten en steunen" in result.output
    assert (project / "reports" / "klankbord" / "samenvatting.html").is_file()
    assert (project / "reports" / "klankbord" / "index.html").is_file()


def test_posters_command_and_errors(project: Path) -> None:
    runner = CliRunner()
    app = _app()
    result = runner.invoke(app, ["posters", "--practice", "nergens", "--project", str(project)])
    assert result.exit_code == 1
    assert "Error: practice 'nergens' is not in the corpus" in result.output
    result = runner.invoke(
        app, ["feedback", "template", "--group", "opa", "--project", str(project)]
    )
    assert result.exit_code == 1 and "group 'opa' is unknown" in result.output
    result = runner.invoke(app, ["posters", "--practice", PRACTICE, "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "6 posters for 1 practice(s)" in _flat(result.output)
    assert (project / "reports" / "posters" / PRACTICE / "alle_posters.pdf").is_file()
