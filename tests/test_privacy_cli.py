"""`verhalen pseudonymise`: copies in every format, the key, lookup and the review flow."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import docx
import pytest
from typer.testing import CliRunner

from verhalen.cli import app
from verhalen.privacy.deduce_backend import load_deduce
from verhalen.privacy.normalise import fold
from verhalen.project import Project

runner = CliRunner()

SRT = """1
00:00:01,000 --> 00:00:04,000
I: Hoe gaat het met Kacper?

2
00:00:05,000 --> 00:00:09,500
R: Goed. Ik ga met Ewa naar De Tweesprong in Krakeel.

3
00:00:10,000 --> 00:00:12,000
R: Marloes zegt dat het goed gaat.
"""
KEEP = ("int01.txt", "int02.docx", "int04.md", "int06.vtt")


@pytest.fixture(scope="session")
def deduce_instance() -> Any:
    """deduce, loaded once per test session (the library caches it per process)."""
    return load_deduce()


@pytest.fixture
def project(example_project: Path, deduce_instance: Any) -> Path:
    """The example project with six transcripts in six formats."""
    raw = example_project / "data" / "raw"
    record = Project.open(example_project).ingest(write=False)[0].transcript("int05")
    for path in raw.iterdir():
        if path.name not in KEEP and path.name != "participants.csv":
            path.unlink()
    (raw / "int03.srt").write_text(SRT, encoding="utf-8")
    (raw / "int05.json").write_text(record.model_dump_json(), encoding="utf-8")
    return example_project


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def texts(folder: Path, root: Path) -> dict[str, str]:
    corpus, _ = Project.open(root).ingest(folder, write=False)
    return {t.id: t.text for t in corpus.transcripts}


def test_copies_keep_names_formats_turns_and_labels(project: Path) -> None:
    result = run("pseudonymise", "--project", str(project))
    assert result.exit_code == 0, result.output
    out = project / "data" / "pseudo"
    raw = project / "data" / "raw"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in raw.iterdir())
    key_path = project / "private" / "pseudoniemen.json"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    with (out / "participants.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert "name" not in rows[0] and len(rows) == 21
    assert "Samira" not in (out / "participants.csv").read_text(encoding="utf-8")
    before = Project.open(project).ingest(raw, write=False)[0]
    after = Project.open(project).ingest(out, write=False)[0]
    for old, new in zip(before.transcripts, after.transcripts, strict=True):
        assert (old.id, old.source_format) == (new.id, new.source_format)
        assert [(t.speaker, t.role) for t in old.turns] == [(t.speaker, t.role) for t in new.turns]
    pseudo = {t.id: fold(t.text) for t in after.transcripts}
    for word in ("kacper", "ewa", "tweesprong", "krakeel", "marloes"):
        assert word not in pseudo["int03"]  # the .srt
    for tid, names in {
        "int01": ("yasmina", "zwaluwlaan"),
        "int02": ("joyce", "06-38517264"),
        "int04": ("gerda", "veldakkers"),
        "int05": ("hoekstra@", "kleine stappen"),
        "int06": ("anouk", "peter zwiers"),
    }.items():
        assert not any(name in pseudo[tid] for name in names), tid
    props = docx.Document(str(out / "int02.docx")).core_properties
    assert props.author == "" and props.last_modified_by == ""
    assert json.loads((out / "int05.json").read_text(encoding="utf-8"))["id"] == "int05"


def test_refuses_to_write_over_the_originals(project: Path) -> None:
    raw = project / "data" / "raw"
    result = runner.invoke(
        app, ["pseudonymise", str(raw), "--out", str(raw), "--project", str(project)]
    )
    assert result.exit_code == 1
    assert "Error:" in result.output and "originals must stay intact" in result.output


def test_lookup_finds_originals_and_pseudonyms(project: Path) -> None:
    assert run("pseudonymise", "--project", str(project)).exit_code == 0
    result = run("pseudonymise", "--lookup", "Marloes", "--project", str(project))
    assert result.exit_code == 0 and "[NAAM-5]" in result.output
    assert "Marloes Hoekstra" in result.output
    back = run("pseudonymise", "--lookup", "[NAAM-5]", "--project", str(project))
    assert "Marloes" in back.output
    missing = runner.invoke(
        app, ["pseudonymise", "--lookup", "Onbekend", "--project", str(project)]
    )
    assert missing.exit_code == 1 and "Error:" in missing.output


def test_review_reject_and_add(project: Path) -> None:
    listing = run("pseudonymise", "--review", "--project", str(project))
    assert listing.exit_code == 0
    line = next(li for li in listing.output.splitlines() if "'Krakeel'" in li)
    assert "[open]" in line and "«Krakeel»" in line and "int01:" in line
    assert not (project / "data" / "pseudo").exists()  # review writes nothing
    decided = run(
        "pseudonymise", "--reject", "Krakeel", "--add", "instelling:bieb", "--project", str(project)
    )
    assert decided.exit_code == 0 and "2 review decision(s)" in decided.output
    review = project / "private" / "review.json"
    assert stat.S_IMODE(review.stat().st_mode) == 0o600
    assert run("pseudonymise", "--project", str(project)).exit_code == 0
    text = (project / "data" / "pseudo" / "int01.txt").read_text(encoding="utf-8")
    assert "naar Krakeel" in text  # rejected: kept as written
    assert "de bieb" not in text and "[INSTELLING-" in text  # added: always replaced
    again = run("pseudonymise", "--review", "--project", str(project))
    assert "Rejected (kept as written): 'Krakeel'" in again.output
    assert any("[added]" in li and "'bieb'" in li for li in again.output.splitlines())
    bad = runner.invoke(app, ["pseudonymise", "--add", "buurt", "--project", str(project)])
    assert bad.exit_code == 1 and "KIND:TEXT" in bad.output


def test_new_transcripts_extend_the_key_without_changing_it(project: Path) -> None:
    raw = project / "data" / "raw"
    first = run(
        "pseudonymise",
        str(raw / "int01.txt"),
        "--out",
        str(project / "a"),
        "--project",
        str(project),
    )
    assert first.exit_code == 0, first.output
    key_path = project / "private" / "pseudoniemen.json"
    before = {e["id"]: e["pseudonym"] for e in json.loads(key_path.read_text())["entries"]}
    assert run("pseudonymise", "--project", str(project)).exit_code == 0
    after = {e["id"]: e["pseudonym"] for e in json.loads(key_path.read_text())["entries"]}
    assert len(after) > len(before)
    assert all(after[k] == v for k, v in before.items())


def test_interactive_review_records_answers(project: Path) -> None:
    result = runner.invoke(
        app,
        ["pseudonymise", "--review", "--interactive", "--project", str(project)],
        input="r\na\nq\n",
    )
    assert result.exit_code == 0, result.output
    decisions = json.loads((project / "private" / "review.json").read_text())["decisions"]
    assert sorted(d["decision"] for d in decisions) == ["accept", "reject"]
