"""``verhalen agreement table FILE.csv``: every coefficient, JSON keys, nulls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verhalen.cli import app

runner = CliRunner()
KEYS = {
    "percent_agreement",
    "krippendorff_alpha",
    "fleiss_kappa",
    "cohen_kappa",
    "gwet_ac1",
    "brennan_prediger",
}


def table(path: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(app, ["agreement", "table", str(path), *args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_two_coders_json_has_every_key_and_a_single_cohen(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,anna,bert\nu1,a,a\nu2,b,b\nu3,a,b\nu4,b,b\n")
    data = table(path)
    assert set(data) >= KEYS
    assert data["percent_agreement"] == pytest.approx(0.75)
    assert data["cohen_kappa"] == pytest.approx(0.5)  # po = .75, pe = .5
    assert data["brennan_prediger"] == pytest.approx(0.5)
    assert isinstance(data["krippendorff_alpha"], float)
    assert data["n_units"] == 4 and data["n_coders"] == 2 and data["level"] == "nominal"


def test_three_coders_with_missing_values_gives_cohen_per_pair(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,a,b,c\nu1,1,1,\nu2,2,2,2\nu3,1,2,1\nu4,3,3,3\n")
    data = table(path)
    assert data["cohen_kappa"] == {"a|b": pytest.approx(7 / 11), "a|c": 1.0, "b|c": 0.5}
    assert data["n_pairable_values"] == 11


def test_undefined_coefficients_are_null_with_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1,1\n1,1\n1,\n")
    data = table(path)
    assert data["percent_agreement"] == 1.0
    for key in KEYS - {"percent_agreement"}:
        assert data[key] is None, key
    assert any("undefined" in w for w in data["warnings"])  # type: ignore[union-attr]


def test_levels_change_alpha(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1,2\n2,3\n3,3\n4,5\n5,5\n")
    nominal = table(path, "--level", "nominal")["krippendorff_alpha"]
    interval = table(path, "--level", "interval")["krippendorff_alpha"]
    ordinal = table(path, "--level", "ordinal")["krippendorff_alpha"]
    assert nominal < ordinal and nominal < interval  # type: ignore[operator]
    assert table(path, "--level", "ratio")["level"] == "ratio"


def test_readable_table_by_default(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,a,b,c\nu1,1,1,\nu2,2,2,2\nu3,1,2,1\n")
    result = runner.invoke(app, ["agreement", "table", str(path)])
    assert result.exit_code == 0, result.output
    for label in (
        "Percent agreement",
        "Krippendorff's alpha (nominal)",
        "Fleiss' kappa",
        "Cohen's kappa (a – b)",
        "Gwet's AC1",
        "Brennan-Prediger",
    ):
        assert label in result.output


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("a,b\n1,1\n", ("--level", "metric"), "is not one of nominal, ordinal, interval, ratio"),
        ("a,b\nx,1\n2,2\n", ("--level", "interval"), "'x' is not a number"),
        ("a\n1\n2\n", (), "agreement needs at least 2"),
    ],
)
def test_errors(tmp_path: Path, text: str, args: tuple[str, ...], message: str) -> None:
    path = write(tmp_path, text)
    result = runner.invoke(app, ["agreement", "table", str(path), *args])
    assert result.exit_code == 1
    assert message in result.output
    missing = runner.invoke(app, ["agreement", "table", str(tmp_path / "weg.csv")])
    assert missing.exit_code == 1 and "file not found" in missing.output
