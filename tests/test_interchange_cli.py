"""`verhalen export qdpx` and `verhalen import qdpx`, in-process."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verhalen.cli import app
from verhalen.coding.store import CodedStore
from verhalen.corpus import Corpus
from verhalen.records import Code, Codebook, Coding, Factor

REPO = Path(__file__).parents[1]
SAMPLES = REPO.parent / "shared" / "refi-qda" / "samples"
runner = CliRunner()
NO = "--no-pseudonymise"  # exchange tests; the pseudonymised path has its own test


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def make_project(root: Path, transcripts: tuple[str, ...] = ("int01", "int02", "int03")) -> Path:
    """A small copy of the example project with a JSON codebook and two coders."""
    (root / "data" / "raw").mkdir(parents=True)
    config = (REPO / "verhalen.toml").read_text(encoding="utf-8")
    config = config.replace(
        'files = ["codebook/zes_factoren.yaml"]', 'files = ["codebook/cb.json"]'
    )
    (root / "verhalen.toml").write_text(config, encoding="utf-8")
    for tid in transcripts:
        source = next((REPO / "data" / "raw").glob(f"{tid}.*"))
        shutil.copy(source, root / "data" / "raw" / source.name)
    shutil.copy(REPO / "data" / "raw" / "participants.csv", root / "data" / "raw")
    result = runner.invoke(app, ["ingest", "--project", str(root)])
    assert result.exit_code == 0, result.output
    codebook = Codebook(
        id="cb",
        name="Codeboek",
        factors=[Factor(id="steun", label="Steun")],
        codes=[
            Code(
                id="hulp",
                label="Hulp",
                parent="steun",
                definition="Praktische hulp van andere ouders.",
                examples=["Samira paste op Yasmina toen ik naar de dokter moest."],
            ),
            Code(id="koffie", label="Koffie", definition="Samen koffie."),
        ],
    )
    (root / "codebook").mkdir()
    (root / "codebook" / "cb.json").write_text(codebook.model_dump_json(), encoding="utf-8")
    corpus = Corpus.load(root / "data" / "corpus.jsonl")
    stamp = dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.UTC)
    segments = corpus.segments
    CodedStore(root / "data" / "coded").add(
        [
            Coding(segment_id=s.id, code_id="hulp", coder="anna", timestamp=stamp)
            for s in segments[:4]
        ]
        + [
            Coding(
                segment_id=s.id,
                code_id="koffie",
                coder="bert",
                timestamp=stamp,
                transcript_id=s.transcript_id,
                start=s.start,
                end=s.start + 5,
            )
            for s in segments[2:6]
        ]
    )
    return root


def test_export_then_import_into_a_new_project(tmp_path: Path) -> None:
    source = make_project(tmp_path / "a")
    out = tmp_path / "studie.qdpx"
    result = runner.invoke(
        app, ["export", "qdpx", str(out), "--no-pseudonymise", "--project", str(source)]
    )
    assert result.exit_code == 0, result.output
    assert "NOT pseudonymised, written to" in flat(result.output)
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    assert "Samira El Amrani" not in qde  # participants' names never leave the tool

    target = tmp_path / "b"
    target.mkdir()
    shutil.copy(source / "verhalen.toml", target / "verhalen.toml")
    result = runner.invoke(app, ["import", "qdpx", str(out), "--project", str(target)])
    assert result.exit_code == 0, result.output
    assert "1 factors + 2 codes, 8 codings by 2 coder(s)" in flat(result.output)
    original = Corpus.load(source / "data" / "corpus.jsonl")
    imported = Corpus.load(target / "data" / "corpus.jsonl")
    assert imported.transcripts == original.transcripts
    codebook = (
        Codebook.model_validate_json((target / "codebook" / "cb.json").read_text())
        if (target / "codebook" / "cb.json").is_file()
        else None
    )
    assert codebook is None or [c.id for c in codebook.codes] == ["hulp", "koffie"]
    assert any(target.glob("codebook/cb.*"))
    store = CodedStore(target / "data" / "coded")
    assert store.coders() == ["anna", "bert"]
    codings = store.codings()
    assert all(c.source == "imported" and c.start is not None for c in codings)
    assert json.loads((target / "data" / "interchange" / "guids.json").read_text())

    # re-running is safe: nothing new, nothing duplicated
    again = runner.invoke(app, ["import", "qdpx", str(out), "--project", str(target)])
    assert again.exit_code == 0, again.output
    assert "codings: 0 new" in flat(again.output) and "unchanged" in flat(again.output)
    assert len(store.codings()) == len(codings)


def test_import_back_into_the_same_project_adds_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    out = tmp_path / "p.qdpx"
    assert runner.invoke(app, ["export", "qdpx", str(out), NO, "-p", str(root)]).exit_code == 0
    before = CodedStore(root / "data" / "coded").codings()
    result = runner.invoke(app, ["import", "qdpx", str(out), "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert "codings: 0 new" in flat(result.output)
    assert "0 transcript(s) added" in flat(result.output)
    assert CodedStore(root / "data" / "coded").codings() == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    out = tmp_path / "p.qdpx"
    assert runner.invoke(app, ["export", "qdpx", str(out), NO, "-p", str(root)]).exit_code == 0
    target = tmp_path / "leeg"
    target.mkdir()
    shutil.copy(root / "verhalen.toml", target / "verhalen.toml")
    result = runner.invoke(app, ["import", "qdpx", str(out), "--dry-run", "-p", str(target)])
    assert result.exit_code == 0, result.output
    assert "dry run: nothing written" in flat(result.output)
    assert sorted(p.name for p in target.iterdir()) == ["verhalen.toml"]


def test_conflicting_text_is_refused_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # not a pseudonymised round trip (that path has its own test): skip the privacy engine
    from verhalen.interchange import privacy_bridge

    monkeypatch.setattr(
        privacy_bridge, "map_back", lambda p, e, i, c: privacy_bridge.MappedBack(list(c))
    )
    root = make_project(tmp_path / "p")
    out = tmp_path / "p.qdpx"
    assert runner.invoke(app, ["export", "qdpx", str(out), NO, "-p", str(root)]).exit_code == 0
    corpus = Corpus.load(root / "data" / "corpus.jsonl")
    first = corpus.transcripts[0]
    corpus.transcripts[0] = first.model_copy(update={"text": first.text + " extra", "turns": []})
    corpus.save(root / "data" / "corpus.jsonl")
    result = runner.invoke(app, ["import", "qdpx", str(out), "-p", str(root)])
    assert result.exit_code == 1
    assert (
        "Error:" in result.output and "int01" in result.output and "--force" in flat(result.output)
    )
    forced = runner.invoke(app, ["import", "qdpx", str(out), "-p", str(root), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "1 replaced" in flat(forced.output)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"shared samples not found at {SAMPLES}")
def test_import_reports_drift_and_losses(tmp_path: Path) -> None:
    (tmp_path / "verhalen.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    sample = SAMPLES / "synthetic_all_elements" / "project.qde"
    result = runner.invoke(app, ["import", "qdpx", str(sample), "--dry-run", "-p", str(tmp_path)])
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "1 drift" in output and "Selections that drift" in output
    assert "not carried over" in output and "picture" in output


def test_unsafe_file_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "verhalen.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.qde", "<Project name='x'/>")
        zf.writestr("../../escape.txt", "x")
    result = runner.invoke(app, ["import", "qdpx", str(bad), "-p", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "path traversal" in flat(result.output)


def test_pseudonymised_export_and_the_way_back(tmp_path: Path) -> None:
    """The default export pseudonymises; coding done on that text comes back home."""
    root = make_project(tmp_path / "p", transcripts=("int01",))
    out = tmp_path / "p.qdpx"
    result = runner.invoke(app, ["export", "qdpx", str(out), "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert "— pseudonymised, written to" in flat(result.output)
    original = Corpus.load(root / "data" / "corpus.jsonl").transcripts[0]
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
        texts = [zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("sources/")]
    assert "Samira" not in qde and "Yasmina" not in qde  # not in the codebook's example either
    assert "Yasmina" not in texts[0] and "Yasmina" in original.text
    before = CodedStore(root / "data" / "coded").codings()
    back = runner.invoke(app, ["import", "qdpx", str(out), "-p", str(root)])
    assert back.exit_code == 0, back.output
    assert "moved back to the project's original text" in flat(back.output)
    assert "codings: 0 new" in flat(back.output) and "codebook: unchanged" in flat(back.output)
    assert CodedStore(root / "data" / "coded").codings() == before


def test_force_never_replaces_originals_with_their_pseudonymised_export(tmp_path: Path) -> None:
    """--force replaces transcripts that really differ, not the project's own export."""
    root = make_project(tmp_path / "p", transcripts=("int01",))
    out = tmp_path / "p.qdpx"
    assert runner.invoke(app, ["export", "qdpx", str(out), "-p", str(root)]).exit_code == 0
    original = Corpus.load(root / "data" / "corpus.jsonl").transcripts[0]
    before = CodedStore(root / "data" / "coded").codings()
    back = runner.invoke(app, ["import", "qdpx", str(out), "-p", str(root), "--force"])
    assert back.exit_code == 0, back.output
    assert "0 replaced" in flat(back.output) and "codings: 0 new" in flat(back.output)
    assert Corpus.load(root / "data" / "corpus.jsonl").transcripts[0].text == original.text
    assert CodedStore(root / "data" / "coded").codings() == before


def test_own_export_imports_after_the_codebook_was_reordered(tmp_path: Path) -> None:
    """`cluster apply` regroups codes; the export lists them per factor: same codebook."""
    root = make_project(tmp_path / "p")
    out = tmp_path / "p.qdpx"
    assert runner.invoke(app, ["export", "qdpx", str(out), NO, "-p", str(root)]).exit_code == 0
    path = root / "codebook" / "cb.json"
    book = Codebook.model_validate_json(path.read_text(encoding="utf-8"))
    path.write_text(
        book.model_copy(update={"codes": book.codes[::-1]}).model_dump_json(), encoding="utf-8"
    )
    result = runner.invoke(app, ["import", "qdpx", str(out), "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert "codebook: unchanged" in flat(result.output)
    # a real difference is still refused
    changed = [c.model_copy(update={"definition": "Anders."}) for c in book.codes]
    path.write_text(book.model_copy(update={"codes": changed}).model_dump_json(), encoding="utf-8")
    refused = runner.invoke(app, ["import", "qdpx", str(out), "-p", str(root)])
    assert refused.exit_code == 1 and "a different codebook" in flat(refused.output)
