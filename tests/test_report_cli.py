"""`verhalen report` in-process, and the report of the bundled example project."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_report_helpers import PEOPLE, make_codings, make_corpus
from verhalen.cli import app
from verhalen.codebook import bundled_text
from verhalen.coding.store import CodedStore
from verhalen.records import Coding

REPO = Path(__file__).resolve().parents[1]

CONFIG = """
[project]
name = "Klein testproject"

[roles]
moeder = "Moeder"
verzorger = "Verzorger"
vrijwilliger = "Vrijwilliger"
jeugdprofessional = "Jeugdprofessional"

[practices]
vve_hoogeveen = "VVE&O Hoogeveen"

[codebook]
files = ["codebook/zes_factoren.yaml"]

[report]
small_cell_k = 3
role_mapping = { verzorger = "moeder" }
"""


def _project(root: Path, with_corpus: bool = True) -> Path:
    (root / "codebook").mkdir(parents=True)
    (root / "verhalen.toml").write_text(CONFIG, encoding="utf-8")
    (root / "codebook" / "zes_factoren.yaml").write_text(
        bundled_text("zes_factoren"), encoding="utf-8"
    )
    corpus = make_corpus(PEOPLE[:5])
    if with_corpus:
        corpus.save(root / "data" / "corpus.jsonl")
    frame = make_codings(corpus)
    CodedStore(root / "data" / "coded").add(
        Coding(
            segment_id=r.segment_id,
            code_id=r.code_id,
            coder=r.coder,
            timestamp=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
        )
        for r in frame.itertuples()
    )
    return root


@pytest.fixture
def light_privacy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real privacy engine without its slow model-based detectors (deduce, NER)."""
    from verhalen.privacy.engine import PrivacyEngine

    original = PrivacyEngine.from_project.__func__  # type: ignore[attr-defined]

    def light(
        cls: type[PrivacyEngine], project: object, *args: object, **kwargs: object
    ) -> PrivacyEngine:
        kwargs.update(use_deduce=False, use_spacy=False, use_frog=False)
        return original(cls, project, *args, **kwargs)

    monkeypatch.setattr(PrivacyEngine, "from_project", classmethod(light))


def test_cli_writes_a_pseudonymised_report(tmp_path: Path, light_privacy: None) -> None:
    root = _project(tmp_path / "project")
    out = tmp_path / "rapport"
    result = CliRunner().invoke(
        app, ["report", "--project", str(root), "--out", str(out), "--k", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "report written" in result.output
    for name in (
        "index.html",
        "index.md",
        "praktijk_vve_hoogeveen.html",
        "vergelijking.md",
        "bijlagen/deelnemers.csv",
        "figuren/clusters_dendrogram.png",
    ):
        assert (out / name).is_file(), name
    index = (out / "index.md").read_text(encoding="utf-8")
    # --k 2: the single professional is hidden as "<2"; moeders = 3 mothers + 1 carer
    assert "| Jeugdprofessionals | <2 | – |" in index
    assert re.search(r"\| Moeders \| 4 \| ", index)
    texts = " ".join(
        p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.suffix in {".html", ".md", ".csv"}
    )
    for _, name, *_ in PEOPLE:
        for part in name.split():
            assert part not in texts
    assert "erzorger" not in texts.lower()
    assert "— moeder, VVE&amp;O Hoogeveen" in texts
    assert (root / "private" / "pseudoniemen.json").is_file()  # the key, kept apart


def test_cli_errors_are_one_line_messages(tmp_path: Path) -> None:
    root = _project(tmp_path / "project", with_corpus=False)
    runner = CliRunner()
    result = runner.invoke(app, ["report", "--project", str(root), "--pooling", "alles"])
    assert result.exit_code == 1 and "pooling rule 'alles' is unknown" in result.output
    result = runner.invoke(app, ["report", "--project", str(root)])
    assert result.exit_code == 1 and "verhalen ingest" in result.output
    assert not (root / "reports").exists()


@pytest.mark.skipif(
    not any((REPO / "data" / "coded").glob("*.jsonl")),
    reason="the example codings are not there yet",
)
def test_report_of_the_example_project(tmp_path: Path, example_project: Path) -> None:
    from verhalen.codebook import load_project_codebook
    from verhalen.project import Project
    from verhalen.report import build_report

    project = Project.open(example_project)
    codebook = load_project_codebook(project)
    codings = CodedStore(project.coded_dir).dataframe(codebook)
    corpus, _ = project.ingest()  # not pseudonymised: the participants' names are refused
    tmp_path = tmp_path / "out"
    manifest = build_report(corpus, codings, codebook, project.config, tmp_path)
    assert {f"praktijk_{p}.html" for p in project.config.practices} <= set(manifest.files)
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    # participants.csv: 11 mothers + 1 carer, 3 volunteers, 6 professionals
    assert re.search(r"\| Moeders \| 12 \| ", index)
    assert re.search(r"\| Vrijwilligers \| 3 \| ", index)
    assert re.search(r"\| Jeugdprofessionals \| 6 \| ", index)
    assert "| Totaal | 21 |" in index
    assert len(manifest.quotes) >= 30
    # no quote is signed with a role that fewer than k people in its practice have
    reported = [
        (p.practice, project.config.report_role(p.role)) for p in corpus.participants.values()
    ]
    for quote in manifest.quotes:
        assert reported.count((quote.practice, quote.role)) >= 3, quote.attribution
    texts = " ".join(
        (tmp_path / f).read_text(encoding="utf-8")
        for f in manifest.files
        if f.endswith((".html", ".md", ".csv"))
    )
    assert "erzorger" not in texts.lower()
    for participant in corpus.participants.values():
        assert participant.name and participant.name not in texts
