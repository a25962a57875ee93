"""The benchmark code itself (benchmarks/run.py) on a tiny generated corpus: runs, not timed."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
WORDS = 1000  # per interview: small, the stages only have to run


def _load(name: str) -> ModuleType:
    path = REPO / "benchmarks" / f"{name}.py"
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"verhalen_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("run")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generate = _load("generate")
    root, reused = generate.ensure_corpus(3, tmp_path_factory.mktemp("bench") / "c3", words=WORDS)
    assert not reused
    return Path(root)


def test_generator_is_deterministic_and_reused(corpus: Path, tmp_path: Path) -> None:
    generate = _load("generate")
    again, reused = generate.ensure_corpus(3, corpus, words=WORDS)
    assert reused and again == corpus
    other = generate.generate(3, tmp_path / "c3", words=WORDS)
    for name in ("b00001.txt", "b00003.txt", "participants.csv"):
        assert (other / "data" / "raw" / name).read_bytes() == (
            corpus / "data" / "raw" / name
        ).read_bytes()
    stamp = generate.read_stamp(corpus)
    assert stamp["interviews"] == 3 and stamp["total_words"] >= 3 * WORDS
    _, reused = generate.ensure_corpus(3, tmp_path / "c3", words=WORDS, seed=14)
    assert not reused  # another seed regenerates


def test_every_stage_runs_in_process(bench: ModuleType, corpus: Path) -> None:
    ingest = bench.run_stage("ingest", corpus)
    assert ingest["transcripts"] == 3 and ingest["segments"] > 0
    assert bench.run_stage("ingest-mem", corpus)["segments"] == ingest["segments"]
    nlp = bench.run_stage("nlp", corpus, {"repeats": 1})
    assert nlp["texts"] == ingest["segments"] and nlp["ratio"] > 0
    codings = bench.run_stage("codings", corpus)
    assert codings["codings_a"] > 0 and codings["codings_b"] > 0
    suggest = bench.run_stage("suggest", corpus)
    assert suggest["suggested_segments"] == ingest["segments"]
    agreement = bench.run_stage("agreement", corpus, {"n_boot": 20})
    assert agreement["coders"] == 2 and agreement["units"] > 0
    cluster = bench.run_stage("cluster", corpus, {"n_boot": 0})
    assert cluster["codes"] >= 3
    report = bench.run_stage("report", corpus)
    assert report["files"] > 0 and (corpus / "reports" / "bench" / "index.html").is_file()
    synthetic = bench.run_stage(
        "agreement-synthetic", corpus, {"units": 200, "codes": 5, "n_boot": 20}
    )
    assert synthetic["units"] == 200
    for result in (ingest, nlp, codings, suggest, agreement, cluster, report):
        assert result["seconds"] >= 0 and result["peak_rss_mb"] > 0
    rerun = bench.run_stage("incremental-step", corpus, {"step": "ingest"})
    assert rerun["segments"] == ingest["segments"]
    step = bench.run_stage("incremental-step", corpus, {"step": "nlp"})
    assert step["processed"] == 0 and step["cached"] == ingest["segments"]
    # the suggest stage stored its model: a re-run for one transcript loads it, fits nothing
    assert not suggest["model_cached"]
    again = bench.run_stage("incremental-step", corpus, {"step": "suggest", "transcript": "b00002"})
    assert again["model_cached"] and 0 < again["suggested_segments"] < suggest["suggested_segments"]
    text = bench.table(
        {"sizes": {"3": {"_words": 6000, "ingest": ingest, "nlp": nlp, "suggest": suggest}}}
    )
    assert "| ingest (stream, cold cache) | 3 |" in text


def test_simulated_coders_are_deterministic(bench: ModuleType, corpus: Path) -> None:
    from verhalen.coding.store import CodedStore
    from verhalen.project import Project
    from verhalen.suggest import project_codebook

    project = Project.open(corpus)
    store = CodedStore(project.coded_dir)
    if not store.coders():
        bench.run_stage("ingest", corpus)
        bench.run_stage("codings", corpus)
    first = {p.name: p.read_bytes() for p in project.coded_dir.glob("*.jsonl")}
    bench.run_stage("codings", corpus)
    assert {p.name: p.read_bytes() for p in project.coded_dir.glob("*.jsonl")} == first
    codebook = project_codebook(project)
    a = {(c.segment_id, c.code_id) for c in store.codings("codeur_a")}
    b = {(c.segment_id, c.code_id) for c in store.codings("codeur_b")}
    assert a != b and len(a & b) > len(a) / 2  # they mostly agree
    assert all(codebook.code(code) is not None for _, code in a | b)


# --------------------------------------------------------------------------- scale changes
# What the benchmarks needed in the library: the ingest cache and streaming ingest give the
# same corpus, the file-backed corpus the same tables, the vectorised window level the
# same matrix.


def _ingest_bytes(project_root: Path, **options: object) -> tuple[bytes, object]:
    from verhalen.project import Project

    project = Project.open(project_root)
    corpus, report = project.ingest(**options)  # type: ignore[arg-type]
    return project.corpus_path.read_bytes(), (report, type(corpus).__name__)


def test_ingest_cache_and_streaming_give_the_same_corpus(example_project: Path) -> None:
    plain, _ = _ingest_bytes(example_project, cache=False)
    cold, _ = _ingest_bytes(example_project)
    cache = example_project / "data" / "cache" / "ingest"
    assert len(list(cache.glob("*.ingest"))) == len(
        list((example_project / "data" / "raw").glob("int*"))
    )
    warm, _ = _ingest_bytes(example_project)
    streamed, (report, kind) = _ingest_bytes(example_project, stream=True)
    assert plain == cold == warm == streamed and kind == "CorpusFile"
    assert report.segments > 0 and report.transcripts >= 18
    # one changed file: only it is parsed again, and the result is a fresh ingest's
    raw = example_project / "data" / "raw" / "int01.txt"
    raw.write_text(raw.read_text(encoding="utf-8").replace("R: ", "R: Nou. ", 1), "utf-8")
    changed, _ = _ingest_bytes(example_project, stream=True)
    fresh, _ = _ingest_bytes(example_project, cache=False)
    assert changed == fresh != plain


def test_ingest_cache_never_hides_a_problem(
    mini_project: Path, write_transcript: Callable[..., Path]
) -> None:
    from verhalen.errors import ValidationError
    from verhalen.project import Project

    write_transcript("a.txt", "I: Vraag?\nR: Antwoord.\n")
    write_transcript("b.txt", "I: Vraag?\nR: Antwoord.\n", tid="c", participant="p2")
    project = Project.open(mini_project)
    project.ingest()
    write_transcript("b.txt", "I: Vraag?\nR: Antwoord.\n", tid="c", participant="p2", role="oma")
    for _ in range(2):  # the good file comes from the cache; the bad one is read each time
        with pytest.raises(ValidationError, match="unknown role 'oma'"):
            project.ingest()
    write_transcript("c.txt", "I: Vraag?\nR: Antwoord.\n", tid="a", participant="p3")
    with pytest.raises(ValidationError, match="duplicate transcript id 'a'"):
        project.ingest()  # a.txt comes from the cache: its id still counts


def test_corpus_file_streams_the_same_tables(example_project: Path) -> None:
    import pandas as pd

    from verhalen.corpus import Corpus, CorpusFile
    from verhalen.errors import VerhalenError
    from verhalen.project import Project

    project = Project.open(example_project)
    project.ingest()
    loaded = project.corpus()
    streamed = project.corpus(stream=True)
    assert isinstance(streamed, CorpusFile) and "streamed" in repr(streamed)
    pd.testing.assert_frame_equal(loaded.segments_df(), streamed.segments_df())
    pd.testing.assert_frame_equal(loaded.transcripts_df(), streamed.transcripts_df())
    assert list(streamed.iter_segments()) == loaded.segments == streamed.segments
    assert streamed.participants == loaded.participants
    assert streamed.transcript("int03") == loaded.transcript("int03")
    assert streamed.transcripts == loaded.transcripts and "loaded" in repr(streamed)
    again = Corpus.open(project.corpus_path)
    project.corpus_path.write_text(project.corpus_path.read_text() + "\n")
    with pytest.raises(VerhalenError, match="changed after it was opened"):
        next(again.iter_transcripts())
    target = example_project / "copy.jsonl"
    streamed.save(target)
    assert Corpus.load(target).transcripts == loaded.transcripts


def test_window_cooccurrence_matches_the_definition(example_project: Path) -> None:
    import pandas as pd

    from verhalen.cluster import unit_code_matrix
    from verhalen.coding.store import CodedStore
    from verhalen.project import Project

    project = Project.open(example_project)
    segments = project.ingest(write=False)[0].segments_df()
    codings = CodedStore(project.coded_dir).dataframe()
    meta = segments.set_index("segment_id")
    for window in (0, 1, 3):
        rows = []
        coded = codings[["segment_id", "code_id"]].drop_duplicates()
        for centre in sorted(set(coded["segment_id"])):
            tid, turn = meta.loc[centre, "transcript_id"], meta.loc[centre, "turn_index"]
            near = meta[
                (meta["transcript_id"] == tid) & ((meta["turn_index"] - turn).abs() <= window)
            ]
            for code in coded.loc[coded["segment_id"].isin(near.index), "code_id"]:
                rows.append((centre, code))
        expected = (
            pd.DataFrame(rows, columns=["unit", "code_id"])
            .drop_duplicates()
            .assign(v=1)
            .pivot(index="unit", columns="code_id", values="v")
            .fillna(0)
            .astype("int64")
        )
        got = unit_code_matrix(codings, segments, "window", window)
        assert got.shape == expected.shape
        assert (got.to_numpy() == expected.loc[got.index, got.columns].to_numpy()).all()
