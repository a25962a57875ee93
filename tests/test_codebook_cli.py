"""``verhalen codebook …`` in-process: exit codes, messages and what ends up on disk."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verhalen.cli import app
from verhalen.codebook import bundled_text, list_versions, read_codebook
from verhalen.codebook.split import pending_split_codings
from verhalen.coding.store import CodedStore
from verhalen.records import Coding

runner = CliRunner()
HAS_QDC = importlib.util.find_spec("verhalen.interchange.qdc") is not None


def cb(project: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["codebook", *args, "--project", str(project)], env={"VERHALEN_WHO": "tester"}
    )
    return result.exit_code, result.output


def codebook_file(project: Path) -> Path:
    return project / "codebook" / "zes_factoren.yaml"


def bump(version: str, steps: int) -> str:
    """The version ``steps`` changes after ``version`` (the example codebook evolves)."""
    major, minor = version.split(".")
    return f"{major}.{int(minor) + steps}"


def test_validate_ok_and_bundled(example_project: Path) -> None:
    code, out = cb(example_project, "validate")
    version = read_codebook(codebook_file(example_project)).version
    assert code == 0 and "ok" in out and f"zes_factoren version {version}" in out
    result = runner.invoke(app, ["codebook", "validate", "--bundled"])
    assert result.exit_code == 0 and result.output.count("ok  ") == 4


def test_validate_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    text = bundled_text("zes_factoren")
    text = text.replace("parent: structuur", "parent: structur", 1)
    text = text.replace("    definition: ", "    defnition: ", 1)
    bad = tmp_path / "kapot.yaml"
    bad.write_text(text, encoding="utf-8")
    parent_line = text[: text.index("parent: structur")].count("\n") + 1
    result = runner.invoke(app, ["codebook", "validate", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert f"kapot.yaml:{parent_line} (codes." in result.output
    assert "unknown parent 'structur' — did you mean 'structuur'?" in result.output
    assert "did you mean 'definition'?" in result.output


def test_show_tree_one_code_and_unknown(example_project: Path) -> None:
    code, out = cb(example_project, "show")
    assert code == 0 and "Groepsdynamiek (groepsdynamiek)" in out and "  herkenning  " in out
    code, out = cb(example_project, "show", "herkenning")
    assert code == 0 and "definition: Een deelnemer beschrijft" in out
    assert "keywords: herkennen, herkenning" in out
    code, out = cb(example_project, "show", "herkening")
    assert code == 1 and "Error: 'herkening' is not a code or factor" in out


def test_inductive_add_and_change_commands_keep_history(example_project: Path) -> None:
    p = example_project
    base = read_codebook(codebook_file(p)).version
    code, out = cb(
        p,
        "add",
        "--label",
        "Mijn uitje",
        "--definition",
        "De groep als uitje.",
        "--parent",
        "ontspannen_en_opladen",
        "--from-segment",
        "int01-t017",
        "--quote",
        "dat is mijn uitje",
        "--example",
        "Samira: dat is mijn uitje.",
        "--why",
        "in-vivo uit interview 1",
    )
    assert code == 0, out
    assert f"is now version {bump(base, 1)}" in out
    added = read_codebook(codebook_file(p)).code("mijn_uitje")
    assert added is not None and added.origin.kind.value == "inductive"
    assert added.origin.segment_id == "int01-t017" and added.origin.quote == "dat is mijn uitje"
    code, out = cb(
        p,
        "add",
        "--label",
        "X",
        "--definition",
        "d",
        "--from-segment",
        "int01-t017",
        "--quote",
        "dit staat er niet",
    )
    assert code == 1 and "does not occur in segment int01-t017" in out
    code, out = cb(p, "add", "--label", "X", "--definition", "d", "--from-segment", "int01-t17")
    assert code == 1 and "is not in the corpus" in out
    assert cb(p, "edit", "herkenning", "--add-keyword", "herkenbaar")[0] == 0
    assert cb(p, "merge", "even_geen_moeder", "--into", "tijd_voor_jezelf")[0] == 0
    code, out = cb(p, "merge", "even_geen_moeder", "--into", "gezelligheid")
    assert code == 1 and "is merged into 'tijd_voor_jezelf', not active" in out
    assert cb(p, "rename", "gezelligheid", "--label", "Gezellig samen")[0] == 0
    assert cb(p, "rename", "eruit_zijn", "--to", "het_huis_uit")[0] == 0
    code, out = cb(p, "retire", "locatie", "--why", "nauwelijks gebruikt")
    assert code == 0 and f"version {bump(base, 6)}" in out
    assert list_versions(codebook_file(p)) == [bump("1.0", i) for i in range(int(base[2:]) + 7)]
    code, out = cb(p, "log")
    assert code == 0 and "retire [locatie]" in out and "nauwelijks gebruikt" in out
    assert "recorded versions of zes_factoren: 1.0, 1.1" in out
    code, out = cb(p, "diff", base)
    assert code == 0 and "+ mijn_uitje" in out
    assert "~ eruit_zijn → het_huis_uit: renamed" in out and "~ locatie: retired" in out
    code, out = cb(p, "diff", "0.9", "1.2")
    assert code == 1 and "version '0.9'" in out
    # exports never carry a participant's real name
    code, out = cb(p, "export", "--format", "md")
    assert code == 0
    md = (p / "reports" / "codeboek.md").read_text(encoding="utf-8")
    assert "Mijn uitje" in md and "Samira" not in md and "[naam]: dat is mijn uitje." in md


def test_split_leaves_codings_for_review_then_applies_a_mapping(example_project: Path) -> None:
    p = example_project
    store = CodedStore(p / "data" / "coded")
    if not store.coders():
        store.add(
            [
                Coding(
                    segment_id="int01-t017",
                    code_id="emotionele_steun",
                    coder="x",
                    timestamp="2025-02-01T09:00:00",
                )
            ]
        )  # type: ignore[arg-type]
    code, out = cb(
        p,
        "split",
        "emotionele_steun",
        "--into",
        "troost=Troost",
        "--into",
        "luisterend_oor=Een luisterend oor",
        "--definition",
        "troost=Iemand troost.",
        "--definition",
        "luisterend_oor=Iemand luistert.",
    )
    assert code == 0, out
    current = read_codebook(codebook_file(p))
    waiting = pending_split_codings(current, store)
    assert waiting and "still need a decision" in out
    code, out = cb(p, "pending")
    assert code == 0 and f"{len(waiting)} coding(s) need a decision" in out
    mapping = p / "verdeling.csv"
    mapping.write_text(f"segment_id,code_id\n{waiting[0].segment_id},troost\n", encoding="utf-8")
    code, out = cb(p, "split", "emotionele_steun", "--mapping", str(mapping))
    assert code == 0 and "coding(s) moved" in out
    left = pending_split_codings(read_codebook(codebook_file(p)), store)
    assert waiting[0].segment_id not in {c.segment_id for c in left}
    code, out = cb(p, "split", "emotionele_steun", "--into", "a=A")
    assert code == 1 and "already split" in out


@pytest.mark.parametrize("fmt", ["md", "html", "yaml"])
def test_export_formats(example_project: Path, fmt: str) -> None:
    target = example_project / "out" / f"boek.{fmt}"
    code, out = cb(
        example_project, "export", "--format", fmt, "--output", str(target), "--feedback"
    )
    assert code == 0 and "written to" in out
    text = target.read_text(encoding="utf-8")
    assert "herkenning" in text
    if fmt == "yaml":
        assert text == codebook_file(example_project).read_text(encoding="utf-8")
    else:
        assert "Herkent u deze code?" in text


def test_export_rejects_unknown_format(example_project: Path) -> None:
    code, out = cb(example_project, "export", "--format", "pdf")
    assert code == 1 and "unknown format 'pdf'" in out


def test_import_bundled_and_yaml(example_project: Path) -> None:
    p = example_project
    code, out = cb(p, "import", "--bundled", "beschermende_factoren")
    assert code == 0 and 'add "codebook/beschermende_factoren.yaml"' in out
    target = p / "codebook" / "beschermende_factoren.yaml"
    assert target.read_text(encoding="utf-8") == bundled_text("beschermende_factoren")
    code, out = cb(p, "import", "--bundled", "beschermende_factoren")
    assert code == 1 and "already exists" in out
    code, out = cb(p, "import", str(target), "--force")
    assert code == 0 and "version 1.1" in out
    assert list_versions(target) == ["1.0", "1.1"]
    code, out = cb(p, "import", str(p / "verhalen.toml"))
    assert code == 1 and "cannot import" in out
    code, out = cb(p, "import")
    assert code == 1 and "either a file" in out


@pytest.mark.skipif(not HAS_QDC, reason="verhalen.interchange.qdc (REFI-QDA) is not installed")
def test_qdc_export_and_import_round_trip(example_project: Path) -> None:
    qdc = example_project / "reports" / "codeboek.qdc"
    code, out = cb(example_project, "export", "--format", "qdc")
    assert code == 0 and qdc.is_file()
    code, out = cb(
        example_project,
        "import",
        str(qdc),
        "--output",
        str(example_project / "codebook" / "terug.yaml"),
    )
    assert code == 1 and "already holds codebook 'zes_factoren'" in out
    elsewhere = example_project / "andere_map" / "terug.yaml"
    code, out = cb(example_project, "import", str(qdc), "--output", str(elsewhere))
    assert code == 0, out
    back = read_codebook(elsewhere)
    original = read_codebook(codebook_file(example_project))
    assert {c.id for c in back.active_codes} == {c.id for c in original.active_codes}
