"""Every real sample in ../shared/refi-qda/samples imports (the invalid codebook fails
clearly), and the bundled example corpus survives export and re-import unchanged."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from verhalen.coding.store import CodedStore
from verhalen.interchange.qdpx_export import export_qdpx
from verhalen.interchange.qdpx_import import import_qdpx
from verhalen.interchange.schema import shared_schema_dir
from verhalen.project import Project
from verhalen.records import Code, Codebook, Coding, Factor

REPO = Path(__file__).parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "refi-qda" / "samples"
needs_shared = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"shared REFI-QDA samples not found at {SAMPLES}"
)


@needs_shared
@pytest.mark.parametrize(
    "name", sorted(p.name for p in SAMPLES.glob("*.qdpx")) if SAMPLES.is_dir() else []
)
def test_every_project_sample_imports(name: str) -> None:
    result = import_qdpx(SAMPLES / name)
    assert result.coders  # every sample has users
    assert result.drift.items == []


@needs_shared
def test_atlasti_codes_sample() -> None:
    result = import_qdpx(SAMPLES / "atlasti-win-23.2.3_codes.qdpx")
    assert [(c.label, c.parent) for c in result.codebook.codes] == [
        ("Commits", None),
        ("2022-05-10T02:05:59Z 19e4dce", "commits"),
        ("2022-02-11T10:39:25Z cdbfd92", "commits"),
    ]
    assert result.guids["code:commits"] == "a182cd3a-d83c-4d8c-bc80-26d9103ec6d6"
    assert sorted(result.coders.values()) == ["ATLAS.ti", "Enric_Llagostera"]


@needs_shared
def test_nvivo_sample_duplicate_names_and_lowercase_sources() -> None:
    result = import_qdpx(SAMPLES / "nvivo-mac-15.0.0_reexport-of-qc.qdpx")
    ids = [c.id for c in result.codebook.codes]
    assert len(ids) == 262 == len(set(ids))
    programming = [c for c in result.codebook.codes if c.label == "programming"]
    assert [c.id for c in programming] == ["programming", "programming_2"]
    assert {c.parent for c in programming} == {"competencies", "cs_as_programming"}
    assert len(result.corpus.transcripts) == 2
    assert result.loss.counts() == {"rich text": 2}


@needs_shared
def test_synthetic_sample_with_every_element() -> None:
    result = import_qdpx(SAMPLES / "synthetic_all_elements" / "project.qde")
    (transcript,) = result.corpus.transcripts
    assert transcript.id == "Interview 1"
    assert transcript.participants == ["Participant 1"]
    participant = result.corpus.participants["Participant 1"]
    assert participant.attributes == {"Age": 34, "Consented": True}
    assert [f.id for f in result.codebook.factors] == ["topics"]
    health = next(c for c in result.codings if c.code_id == "health")
    assert (health.start, health.end, health.coder) == (0, 15, "Researcher_A")
    assert health.memo == "Remember to follow up on diet-related comments."  # NVivo-style link
    assert [i.found_at for i in result.drift.items] == [(9, 27)]
    counts = result.loss.counts()
    for kind in ("picture", "pdf", "audio", "video", "graph", "case coding", "set"):
        assert counts.get(kind), kind


@needs_shared
def test_shared_schema_is_the_one_used() -> None:
    assert shared_schema_dir() == SHARED / "refi-qda" / "schema"


def test_packaged_schemas_match_shared() -> None:
    packaged = REPO / "src" / "verhalen" / "data" / "refi-qda"
    assert (packaged / "LICENSE.md").is_file()
    for name in ("Project-mrt2019.xsd", "Codebook.xsd"):
        assert (packaged / name).is_file()
        if (SHARED / "refi-qda" / "schema" / name).is_file():
            assert (packaged / name).read_bytes() == (
                SHARED / "refi-qda" / "schema" / name
            ).read_bytes()


def example_codebook(codes: set[str]) -> Codebook:
    return Codebook(
        id="voorbeeld",
        name="Voorbeeld",
        version="1.1",
        factors=[Factor(id="factor", label="Factor")],
        codes=[
            Code(id=c, label=c.replace("_", " ").capitalize(), parent="factor")
            for c in sorted(codes)
        ],
    )


def test_example_corpus_round_trip(tmp_path: Path) -> None:
    """The bundled fictional project: export and re-import give the same corpus and codings."""
    for part in ("verhalen.toml", "data/raw"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part)
        else:
            shutil.copy(source, tmp_path / part)
    project = Project.open(tmp_path)
    corpus, _ = project.ingest(write=False)
    codings = []
    coded = REPO / "data" / "coded"
    if coded.is_dir() and any(coded.glob("*.jsonl")):
        codings = CodedStore(coded).codings()
    stamp = dt.datetime(2025, 4, 14, 11, 0, tzinfo=dt.UTC)
    segments = corpus.segments
    codings += [
        Coding(segment_id=s.id, code_id="steun", coder="codeur_c", timestamp=stamp)
        for s in segments[::7]
    ]
    codings += [
        Coding(
            segment_id=s.id,
            code_id="tips",
            coder="codeur_c",
            timestamp=stamp,
            transcript_id=s.transcript_id,
            start=s.start + 1,
            end=s.end - 1,
            memo="binnen de beurt",
        )
        for s in segments[::11]
        if s.end - s.start > 2
    ]
    codebook = example_codebook({c.code_id for c in codings})
    export_qdpx(
        tmp_path / "voorbeeld.qdpx",
        corpus,
        codebook,
        codings,
        project_name=project.config.project.name,
    )
    result = import_qdpx(tmp_path / "voorbeeld.qdpx")
    assert result.corpus.transcripts == corpus.transcripts
    assert result.corpus.participants == {
        pid: p.model_copy(update={"name": None}) for pid, p in corpus.participants.items()
    }
    assert result.codebook == codebook

    def key(c: Coding) -> tuple[object, ...]:
        seg = corpus.segment_index().get(c.segment_id)
        start = c.start if c.start is not None else seg.start if seg else None
        end = c.end if c.end is not None else seg.end if seg else None
        tid = c.transcript_id or (seg.transcript_id if seg else None)
        return (c.coder, c.code_id, tid, start, end, c.memo, c.timestamp)

    assert sorted(map(key, result.codings), key=str) == sorted(set(map(key, codings)), key=str)
    assert {c.segment_id for c in result.codings} <= set(corpus.segment_index()) | {
        t.id for t in corpus.transcripts
    }
    assert result.drift.items == [] and not result.loss
