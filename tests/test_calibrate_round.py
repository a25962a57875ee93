"""A whole calibration round (and a second one) on a tiny project, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.test_sheets_helpers import fill_sheet, make_project
from verhalen.calibrate.rounds import load_rounds
from verhalen.cli import app
from verhalen.coding.store import CodedStore
from verhalen.records import Coding

runner = CliRunner()


def run(*args: str, ok: bool = True) -> str:
    result = runner.invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
    return result.output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def answers(sample: list[str], coder: str) -> dict[str, dict[str, object]]:
    """Two coders who agree on gezelligheid and disagree on tips_en_advies."""
    out: dict[str, dict[str, object]] = {}
    for i, seg in enumerate(sample):
        row: dict[str, object] = {}
        if i % 2 == 0:
            row["code 1"] = "gezelligheid"
        if (coder == "anna" and i < 3) or (coder == "bert" and i == 0):
            row["code 2"] = "tips_en_advies"
        if coder == "bert" and i == 1:
            row["memo"] = "Geen tip: ze vertelt alleen wat ze deed."
        out[seg] = row
    return out


def test_a_full_round_then_a_second_round_and_the_trend(project: Path) -> None:
    p = str(project)
    out = run(
        "calibrate",
        "new",
        "--coders",
        "anna,bert",
        "--sample",
        "6",
        "--seed",
        "3",
        "--stratify",
        "practice,role",
        "-p",
        p,
    )
    assert "round r1: 6 segments" in out
    (round1,) = load_rounds(project / "calibration" / "rounds.json")
    assert round1.coders == ["anna", "bert"] and round1.seed == 3 and len(round1.sample) == 6
    assert (round1.codebook_id, round1.codebook_version) == ("test_boek", "1.0")
    assert round1.status.value == "open" and round1.stratify == ["practice", "role"]
    sheets = [project / "calibration" / "r1" / f"r1_{c}.xlsx" for c in ("anna", "bert")]
    headers = [c.value for c in load_workbook(sheets[0])["Coderen"][1]]
    assert "suggesties" not in headers  # no suggestions in calibration unless asked

    for coder, sheet in zip(("anna", "bert"), sheets, strict=True):
        fill_sheet(sheet, answers(round1.sample, coder))
    out = run("calibrate", "import", "r1", *map(str, sheets), "-p", p)
    assert "status coded" in out
    (round1,) = load_rounds(project / "calibration" / "rounds.json")
    assert set(round1.imports) == {"anna", "bert"}
    assert round1.imports["bert"].memos == {
        round1.sample[1]: "Geen tip: ze vertelt alleen wat ze deed."
    }
    store = CodedStore(project / "data" / "coded")
    assert {e.note for e in store.history("anna")} == {"calibratie r1"}
    assert len(store.codings("anna")) == 3 + 3

    out = run("calibrate", "report", "r1", "--n-boot", "100", "-p", p)
    assert "wrote" in out and "r1.html" in out
    md = (project / "reports" / "calibratie" / "r1.md").read_text(encoding="utf-8")
    html = (project / "reports" / "calibratie" / "r1.html").read_text(encoding="utf-8")
    assert "# Kalibratieronde r1" in md and "gestratificeerd naar praktijk × rol" in md
    assert "| Krippendorffs alfa (per code aanwezig/afwezig) | " in md
    assert "[" in md.split("## Per code")[0]  # overall figures carry intervals
    assert "### `tips_en_advies` — Tips en advies (2 fragmenten)" in md
    assert "Geen tip: ze vertelt alleen wat ze deed." in md and "Geen tip:" in html
    assert "Slechts 6 fragment(en)" in md  # too few units, in Dutch
    assert "`gezelligheid`" in md and "1,00 [1,00; 1,00]" in md
    assert "<blockquote>" in html and "Testnaam" not in html + md
    (round1,) = load_rounds(project / "calibration" / "rounds.json")
    assert round1.status.value == "reported"
    assert (
        round1.results
        and round1.results["per_code"]["gezelligheid"]["percent_agreement"]["estimate"] == 1.0
    )

    out = run(
        "calibrate",
        "decide",
        "r1",
        "--text",
        "Tips alleen bij een concreet advies.",
        "--codebook-version",
        "1.1",
        "--codes",
        "tips_en_advies",
        "--by",
        "team",
        "-p",
        p,
    )
    assert "decision 1 recorded (codebook 1.1)" in out and "not in the codebook's changelog" in out
    err = run("calibrate", "decide", "r1", "--text", "x", "--codes", "onbekend", "-p", p, ok=False)
    assert "unknown code id 'onbekend'" in err

    # round 2 draws new segments; its codings arrive in data/coded without sheets
    run("calibrate", "new", "--coders", "anna,bert", "--sample", "4", "--seed", "3", "-p", p)
    rounds = load_rounds(project / "calibration" / "rounds.json")
    round2 = rounds[1]
    assert round2.id == "r2" and not set(round2.sample) & set(round1.sample)
    when = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    store.add(
        [
            Coding(segment_id=s, code_id="gezelligheid", coder=c, timestamp=when)
            for s in round2.sample[:2]
            for c in ("anna", "bert")
        ]
    )
    run("calibrate", "report", "r2", "--n-boot", "50", "-p", p)
    md2 = (project / "reports" / "calibratie" / "r2.md").read_text(encoding="utf-8")
    assert "Geen verschillen" in md2

    out = run("calibrate", "trend", "-p", p)
    assert "r1" in out and "r2" in out and "(alle codes)" in out
    trend = (project / "reports" / "calibratie" / "trend.md").read_text(encoding="utf-8")
    assert "| Code | r1 | r2 |" in trend and "Besluiten na ronde r1" in trend
    assert "1. Tips alleen bij een concreet advies. → codeboek 1.1" in trend
    png = (project / "reports" / "calibratie" / "trend.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    out = run("calibrate", "list", "-p", p)
    assert "reported" in out and "r2" in out
    data = json.loads((project / "calibration" / "rounds.json").read_text(encoding="utf-8"))
    assert data["format"] == "verhalen-calibration" and len(data["rounds"]) == 2


def test_import_refuses_bad_sheets_but_keeps_the_good_ones(project: Path) -> None:
    p = str(project)
    run("calibrate", "new", "--coders", "anna,bert", "--sample", "4", "-p", p)
    (round1,) = load_rounds(project / "calibration" / "rounds.json")
    anna, bert = (project / "calibration" / "r1" / f"r1_{c}.xlsx" for c in ("anna", "bert"))
    fill_sheet(anna, {round1.sample[0]: {"code 1": "gezelligheid"}})
    fill_sheet(bert, {round1.sample[0]: {"code 1": "niet_bestaand"}})
    err = run("calibrate", "import", "r1", str(anna), str(bert), "-p", p, ok=False)
    assert "unknown code id 'niet_bestaand'" in err
    (round1,) = load_rounds(project / "calibration" / "rounds.json")
    assert set(round1.imports) == {"anna"} and round1.status.value == "open"
    assert CodedStore(project / "data" / "coded").coders() == ["anna"]
    # a sheet of another round, and an ordinary sheet, are refused
    run("calibrate", "new", "--coders", "anna,carla", "--sample", "2", "-p", p)
    carla = project / "calibration" / "r2" / "r2_carla.xlsx"
    err = run("calibrate", "import", "r1", str(carla), "-p", p, ok=False)
    assert "not from calibration round r1 (it is round r2)" in err
    err = run("calibrate", "report", "r9", "-p", p, ok=False)
    assert "no calibration round 'r9' (rounds: r1, r2)" in err


def test_new_round_needs_two_distinct_coders(project: Path) -> None:
    p = str(project)
    err = run("calibrate", "new", "--coders", "anna", "-p", p, ok=False)
    assert "at least two coders" in err
    err = run("calibrate", "new", "--coders", "anna,anna", "-p", p, ok=False)
    assert "contains a coder twice" in err
    err = run("calibrate", "trend", "-p", p, ok=False)
    assert "no calibration round has results yet" in err
