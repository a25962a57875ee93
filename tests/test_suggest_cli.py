"""``verhalen suggest``: JSON contract, table, files outside the project, evaluate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_nlp_shared import TEMPLATES, WHEN, blank, codebook, trained_pipeline
from verhalen.cli import app
from verhalen.codebook.yaml_io import dump_codebook
from verhalen.coding.store import CodedStore
from verhalen.project import Project
from verhalen.records import Coding

runner = CliRunner()

OUTSIDE = """---
id: elders01
participant: px
role: moeder
practice: vve_hoogeveen
---
I: Wat maakt dat u blijft komen?
R: Het is er gewoon gezellig, een kopje koffie met de andere moeders. (lacht)
I: En verder?
R: Een andere moeder gaf mij een goede tip over slapen. Ik ben niet de enige!
"""


def _outside(tmp_path: Path) -> Path:
    path = tmp_path / "elders" / "gesprek.txt"
    path.parent.mkdir(parents=True)
    path.write_text(OUTSIDE, encoding="utf-8")
    return path


def _json(result) -> list[dict]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_example_corpus_json_contract(example_project: Path, repo_root: Path) -> None:
    if (repo_root / "data" / "corpus.jsonl").is_file():
        shutil.copy(repo_root / "data" / "corpus.jsonl", example_project / "data")
    else:  # pragma: no cover - a fresh checkout
        Project.open(example_project).ingest()
    result = runner.invoke(
        app, ["suggest", "--format", "json", "-k", "2", "-p", str(example_project)]
    )
    data = _json(result)
    corpus = Project.open(example_project).corpus()
    assert [d["segment_id"] for d in data] == [s.id for s in corpus.segments]
    for d in data:
        assert set(d) == {"segment_id", "text", "suggestions"}
        assert 1 <= len(d["suggestions"]) <= 2
        assert all(set(s) == {"code", "factor", "score", "reasons"} for s in d["suggestions"])
    assert result.stderr.count("NLP: ") == 1  # said once, on stderr; stdout is pure JSON
    assert (example_project / "data" / "cache" / "nlp").is_dir()
    by_id = {d["segment_id"]: d for d in data}
    human = {
        c.code_id
        for c in CodedStore(example_project / "data" / "coded").codings()
        if c.segment_id == "int01-t017"
    } or {"gezelligheid"}  # coded example data, if any
    assert by_id["int01-t017"]["suggestions"][0]["code"] in human


def test_files_outside_the_project_without_corpus_or_codings(
    example_project: Path, tmp_path: Path, shared_pipeline: None
) -> None:
    assert not (example_project / "data" / "corpus.jsonl").exists()
    for coded in (example_project / "data" / "coded").glob("*.jsonl"):
        coded.unlink()  # nothing coded yet: codebook knowledge only
    path = _outside(tmp_path)
    data = _json(
        runner.invoke(
            app, ["suggest", str(path), "--format", "json", "-k", "5", "-p", str(example_project)]
        )
    )
    assert [d["segment_id"] for d in data] == ["elders01-t001", "elders01-t003"]
    first = data[0]["suggestions"][0]
    assert (first["code"], first["factor"]) == ("gezelligheid", "ontmoeten_en_steunen")
    assert any(r.startswith("trefwoorden: ") for r in first["reasons"])
    second = {s["code"]: s["reasons"] for s in data[1]["suggestions"]}
    assert {"tips_en_adviezen", "herkenning"} <= set(second)
    assert "lemmapatroon: 'niet de enige'" in second["herkenning"]


def test_table_output_and_a_trained_pipeline_from_a_path(
    example_project: Path, tmp_path: Path, tmp_path_factory
) -> None:
    model = trained_pipeline(tmp_path_factory)
    path = _outside(tmp_path)
    result = runner.invoke(
        app, ["suggest", str(path), "--spacy-model", str(model), "-p", str(example_project)]
    )
    assert result.exit_code == 0, result.output
    assert f"spaCy pipeline {model}" in result.stderr
    assert "Codesuggesties" in result.stdout and "gezelligheid" in result.stdout
    assert "elders01-t001" in result.stdout


def test_missing_corpus_and_files_are_clear_errors(example_project: Path) -> None:
    result = runner.invoke(app, ["suggest", "-p", str(example_project)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "verhalen ingest" in result.output
    result = runner.invoke(app, ["suggest", "bestaat-niet.txt", "-p", str(example_project)])
    assert result.exit_code == 1 and "bestaat-niet.txt" in result.output


def test_autocode_prints_suggested_codings(
    example_project: Path, tmp_path: Path, shared_pipeline: None
) -> None:
    path = _outside(tmp_path)
    coded = example_project / "data" / "coded"
    before = {p.name: p.read_bytes() for p in coded.iterdir()}
    data = _json(
        runner.invoke(
            app, ["suggest", "autocode", str(path), "--format", "json", "-p", str(example_project)]
        )
    )
    assert data and all(d["coder"] == "auto" and d["source"] == "suggested" for d in data)
    assert ("elders01-t001", "gezelligheid") in {(d["segment_id"], d["code_id"]) for d in data}
    assert {p.name: p.read_bytes() for p in coded.iterdir()} == before  # nothing written


@pytest.fixture
def shared_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reuse the session's blank pipeline instead of loading one per CLI call (speed)."""

    def load(name: str = "auto"):  # type: ignore[no-untyped-def]
        assert name in ("auto", "blank")
        return blank()

    monkeypatch.setattr("verhalen.suggest.suggester.load_pipeline", load)
    monkeypatch.setattr("verhalen.nlp.pipeline.load_pipeline", load)


@pytest.fixture(scope="module")
def coded_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project: the mini codebook, 6 interviews, one human coder."""
    root = tmp_path_factory.mktemp("klein")
    (root / "data" / "raw").mkdir(parents=True)
    (root / "codebook").mkdir()
    (root / "verhalen.toml").write_text(
        '[project]\nname = "klein"\n[codebook]\nfiles = ["codebook/mini.yaml"]\n',
        encoding="utf-8",
    )
    (root / "codebook" / "mini.yaml").write_text(dump_codebook(codebook()), encoding="utf-8")
    codes = sorted(TEMPLATES)
    truth: dict[str, str] = {}
    for t in range(6):
        lines = [
            "---",
            f"id: int{t:02d}",
            f"participant: p{t}",
            "role: moeder",
            "practice: vve_hoogeveen",
            "---",
        ]
        for k in range(6):
            code = codes[(t + k) % len(codes)]
            lines += ["I: Vertel eens?", f"R: {TEMPLATES[code][(t + k) % 3]} Week {k}."]
            truth[f"int{t:02d}-t{2 * k + 1:03d}"] = code
        (root / "data" / "raw" / f"int{t:02d}.txt").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    project = Project.open(root)
    corpus, _ = project.ingest()
    assert {s.id for s in corpus.segments} == set(truth)
    CodedStore(project.coded_dir).add(
        Coding(segment_id=sid, code_id=code, coder="anna", timestamp=WHEN)
        for sid, code in truth.items()
    )
    return root


def test_evaluate_prints_figures_and_writes_the_plot(
    coded_project: Path, tmp_path: Path, shared_pipeline: None
) -> None:
    out = tmp_path / "plots" / "curve.png"
    result = runner.invoke(
        app, ["suggest", "evaluate", "--folds", "3", "--out", str(out), "-p", str(coded_project)]
    )
    assert result.exit_code == 0, result.output
    for text in (
        "Precisie@1",
        "Recall@3",
        "Macro-F1",
        "codesuggesties",
        "meest voorkomende code",
        "alleen trefwoorden",
        "Leercurve",
        "voorlezen",
    ):
        assert text in result.stdout, text
    assert out.read_bytes()[:4] == b"\x89PNG"
    data = _json(
        runner.invoke(
            app,
            [
                "suggest",
                "evaluate",
                "--folds",
                "2",
                "--format",
                "json",
                "--group-by",
                "participant",
                "-p",
                str(coded_project),
            ],
        )
    )
    assert data["settings"]["group_by"] == "participant"
    assert Path(data["plot"]) == coded_project / "reports" / "suggest_leercurve.png"
    assert {row["method"] for row in data["summary"]} == {"suggester", "most_frequent", "keywords"}


def test_suggest_learns_from_the_coded_store(coded_project: Path, shared_pipeline: None) -> None:
    data = _json(
        runner.invoke(app, ["suggest", "--format", "json", "-k", "1", "-p", str(coded_project)])
    )
    reasons = [r for d in data for s in d["suggestions"] for r in s["reasons"]]
    assert any(r.startswith("geleerd uit ") for r in reasons)
    assert any(r.startswith("lijkt op int0") for r in reasons)
