"""Ingestion: every format, every listed error, encodings, offsets, stable ids, atomicity."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from verhalen.cli import app
from verhalen.corpus import Corpus
from verhalen.errors import ValidationError
from verhalen.ingest import ingest_folder
from verhalen.project import Project
from verhalen.records import SegmentUnit

from .conftest import TranscriptWriter

runner = CliRunner()

BODY = """I: Kunt u een situatie beschrijven waarin u positief was?
R: Nou, eh... (lacht) ja. Vorige week nog.
Toen had Daan voor het eerst zelf zijn jas opgehangen.

Dat was echt mooi.
[00:12:31] I: En wat maakt dat u blijft komen?
R: De andere moeders. Ik ben niet de enige.
"""


def _ingest(root: Path) -> Corpus:
    corpus, _ = Project.open(root).ingest(write=False)
    return corpus


def test_txt_turns_paragraphs_timestamps(
    mini_project: Path, write_transcript: TranscriptWriter
) -> None:
    write_transcript("a.txt", BODY)
    corpus = _ingest(mini_project)
    (t,) = corpus.transcripts
    assert [turn.speaker for turn in t.turns] == ["I", "R", "I", "R"]
    assert t.turns[1].text.startswith("Nou, eh... (lacht) ja.")
    assert "\n\nDat was echt mooi." in t.turns[1].text  # paragraph kept inside the turn
    assert t.turns[2].time_start == 12 * 60 + 31
    assert t.turns[2].is_interviewer and not t.turns[3].is_interviewer
    # respondent turns only by default
    assert [s.id for s in corpus.segments] == ["a-t001", "a-t003"]
    assert corpus.participants["p1"].role == "moeder"


def test_offsets_round_trip_to_exact_text(example_project: Path) -> None:
    corpus = _ingest(example_project)
    assert len(corpus.transcripts) >= 18
    for t in corpus.transcripts:
        for turn in t.turns:
            assert t.text[turn.start : turn.end] == turn.text
    for seg in corpus.segments:
        t = corpus.transcript(seg.transcript_id)
        assert t.text[seg.start : seg.end] == seg.text
        assert seg.text.strip() == seg.text and seg.text


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
def test_other_units_stay_inside_turns(
    write_transcript: TranscriptWriter, mini_project: Path, unit: str
) -> None:
    write_transcript("a.txt", BODY)
    cfg = mini_project / "verhalen.toml"
    cfg.write_text(cfg.read_text() + f'\n[segmentation]\nunit = "{unit}"\n')
    corpus = _ingest(mini_project)
    t = corpus.transcripts[0]
    segs = corpus.segments
    assert all(s.unit == SegmentUnit(unit) for s in segs)
    for s in segs:
        turn = t.turns[s.turn_index]
        assert turn.start <= s.start < s.end <= turn.end
        assert t.text[s.start : s.end] == s.text
    if unit == "paragraph":
        assert [s.id for s in segs] == ["a-t001-p1", "a-t001-p2", "a-t003-p1"]
    else:
        assert len(segs) >= 5
        assert segs[0].text == "Nou, eh... (lacht) ja."


def test_segment_ids_stable_across_runs(example_project: Path) -> None:
    first = [s.id for s in _ingest(example_project).segments]
    second = [s.id for s in _ingest(example_project).segments]
    assert first == second and len(set(first)) == len(first)


def test_every_format_reads_the_same_turns(mini_project: Path) -> None:
    raw = mini_project / "data" / "raw"
    (raw / "participants.csv").write_text(
        "id,name,role,practice,transcript,age\n"
        "p1,Anna Test,moeder,vve_hoogeveen,md1,30\n"
        "p2,,moeder,vve_hoogeveen,docx1,\n"
        "p3,,vrijwilliger,huiskamer_groningen,vtt1,\n"
        "p4,,jeugdprofessional,huiskamer_groningen,srt1,\n",
        encoding="utf-8",
    )
    (raw / "md1.md").write_text("I: Vraag één?\nR: Antwoord één.\n", encoding="utf-8")
    d = docx.Document()
    for line in ["---", "id: docx1", "---"]:
        d.add_paragraph(line)
    p = d.add_paragraph()
    p.add_run("Interviewer:").bold = True
    p.add_run(" Vraag één?")
    p = d.add_paragraph()
    p.add_run("R").bold = True
    p.add_run(": Antwoord één.")
    d.save(str(raw / "docx1.docx"))
    (raw / "vtt1.vtt").write_text(
        "WEBVTT\n\nNOTE\nid: vtt1\n\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>Vraag één?\n\n"
        "00:00:03.500 --> 00:00:05.000\n<v Respondent>Antwoord\n\n"
        "00:00:05.000 --> 00:00:06.250\n<v Respondent>één.\n",
        encoding="utf-8",
    )
    (raw / "srt1.srt").write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nI: Vraag één?\n\n2\n00:00:03,500 --> 00:00:05,000\n"
        "R: Antwoord één.\n",
        encoding="utf-8",
    )
    corpus = _ingest(mini_project)
    by_id = {t.id: t for t in corpus.transcripts}
    assert set(by_id) == {"md1", "docx1", "vtt1", "srt1"}
    for t in by_id.values():
        assert [turn.text for turn in t.turns] == ["Vraag één?", "Antwoord één."], t.id
        assert t.turns[0].is_interviewer
    assert by_id["vtt1"].turns[1].time_start == 3.5 and by_id["vtt1"].turns[1].time_end == 6.25
    assert by_id["docx1"].source_format == "docx"
    assert corpus.participants["p1"].attributes["age"] == 30
    assert corpus.participants["p3"].role == "vrijwilliger"
    # JSON: the record itself round-trips
    (raw / "json1.json").write_text(
        by_id["md1"].model_copy(update={"id": "json1"}).model_dump_json(), encoding="utf-8"
    )
    again = {t.id: t for t in _ingest(mini_project).transcripts}
    assert again["json1"].text == by_id["md1"].text


@pytest.mark.parametrize(
    ("encoding", "newline", "expected"),
    [("utf-8", "\n", "utf-8"), ("utf-8-sig", "\r\n", "utf-8-sig"), ("cp1252", "\r\n", "cp1252")],
)
def test_encodings_and_line_endings(
    write_transcript: TranscriptWriter,
    mini_project: Path,
    encoding: str,
    newline: str,
    expected: str,
) -> None:
    write_transcript(
        "a.txt",
        "I: Hoe gaat het?\nR: Goed, één café… ’s ochtends.\n",
        encoding=encoding,
        newline=newline,
    )
    corpus, report = Project.open(mini_project).ingest(write=False)
    t = corpus.transcripts[0]
    assert t.encoding == expected
    assert "\r" not in t.text
    assert t.turns[1].text == "Goed, één café… ’s ochtends."
    assert any("cp1252" in n for n in report.notes) == (expected == "cp1252")


def test_check_reports_every_problem_at_once(
    mini_project: Path, write_transcript: TranscriptWriter
) -> None:
    raw = mini_project / "data" / "raw"
    write_transcript("missing_role.txt", BODY, role=None)
    write_transcript("bad_practice.txt", BODY, participant="p2", practice="amsterdam")
    write_transcript("dup1.txt", BODY, tid="same", participant="p3")
    write_transcript("dup2.txt", BODY, tid="same", participant="p3")
    write_transcript("empty.txt", "I: Alleen een vraag?\n", participant="p4")
    write_transcript("unlabelled.txt", "Zomaar een zin.\nR: Antwoord.\n", participant="p5")
    write_transcript("badlabel.txt", "I: Vraag?\nX: Wie is dit?\n", participant="p6")
    (raw / "bytes.txt").write_bytes(b"---\nid: bytes\n---\nR: caf\x81 \xff\n")
    result = runner.invoke(app, ["ingest", "--check", "--project", str(mini_project)])
    assert result.exit_code == 1
    out = result.output
    assert "missing_role.txt:2 (role): missing role" in out
    assert "unknown practice 'amsterdam'" in out and "vve_hoogeveen" in out
    assert "duplicate transcript id 'same'" in out
    assert "empty transcript" in out
    assert "unlabelled.txt:7" in out and "unlabelled line" in out
    assert "unknown speaker label 'X'" in out
    assert "bytes.txt:4" in out and "undecodable byte 0x81" in out
    assert "nothing written" in out
    assert not (mini_project / "data" / "corpus.jsonl").exists()


def test_manifest_conflict_and_manifest_alone(
    mini_project: Path, write_transcript: TranscriptWriter
) -> None:
    raw = mini_project / "data" / "raw"
    (raw / "participants.csv").write_text(
        "id,role,practice,transcript\np1,vrijwilliger,vve_hoogeveen,\np2,moeder,vve_hoogeveen,b\n",
        encoding="utf-8",
    )
    write_transcript("a.txt", BODY)  # front matter says moeder, manifest vrijwilliger
    (raw / "b.txt").write_text(BODY, encoding="utf-8")  # no front matter: manifest alone
    with pytest.raises(ValidationError) as info:
        ingest_folder(raw, Project.open(mini_project).config)
    assert len(info.value.problems) == 1
    assert "conflicts with 'vrijwilliger' in the manifest" in str(info.value)
    (raw / "a.txt").unlink()
    corpus, _ = ingest_folder(raw, Project.open(mini_project).config)
    assert corpus.transcripts[0].participants == ["p2"]


def test_manifest_problems(mini_project: Path, write_transcript: TranscriptWriter) -> None:
    raw = mini_project / "data" / "raw"
    write_transcript("a.txt", BODY)
    (raw / "participants.csv").write_text(
        "id,role,practice\np1,moeder,vve_hoogeveen\np1,moeder,vve_hoogeveen\np9,,nergens\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        ingest_folder(raw, Project.open(mini_project).config)
    text = str(info.value)
    assert "participants.csv:3" in text and "duplicate participant id 'p1'" in text
    assert "participants.csv:4 (role)" in text
    assert "unknown practice 'nergens'" in text


def test_write_is_atomic_and_interrupted_run_keeps_old_corpus(
    mini_project: Path, write_transcript: TranscriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_transcript("a.txt", BODY)
    project = Project.open(mini_project)
    project.ingest()
    before = project.corpus_path.read_bytes()
    write_transcript("b.txt", BODY, participant="p2")

    def boom(self: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("verhalen.records.Transcript.model_dump_json", boom)
    with pytest.raises(KeyboardInterrupt):
        project.ingest()
    assert project.corpus_path.read_bytes() == before
    leftovers = [p.name for p in project.corpus_path.parent.iterdir() if p.suffix == ".tmp"]
    assert leftovers == []
    monkeypatch.undo()
    project.ingest()
    assert len(project.corpus().transcripts) == 2


def test_corpus_round_trip_and_dataframes(example_project: Path) -> None:
    project = Project.open(example_project)
    corpus, _ = project.ingest()
    loaded = project.corpus()
    assert [t.model_dump() for t in loaded.transcripts] == [
        t.model_dump() for t in corpus.transcripts
    ]
    segs = loaded.segments_df()
    assert set(segs["practice"]) == set(project.config.practices)
    assert segs["role"].notna().all()
    parts = loaded.participants_df()
    assert "name" not in parts.columns  # real names never in the DataFrame views
    assert len(loaded.transcripts_df()) == len(loaded.transcripts)
    header = json.loads(project.corpus_path.read_text(encoding="utf-8").splitlines()[0])
    assert header["format"] == "verhalen-corpus"


def test_ingest_is_byte_for_byte_reproducible(example_project: Path) -> None:
    project = Project.open(example_project)
    project.ingest()
    first = project.corpus_path.read_bytes()
    project.ingest()
    assert project.corpus_path.read_bytes() == first


def test_cli_version_and_ingest(example_project: Path) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("verhalen ")
    result = runner.invoke(app, ["ingest", "--project", str(example_project)])
    assert result.exit_code == 0, result.output
    assert "21 transcripts" in result.output


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "verhalen init" in result.output


def test_invalid_config_lists_fields(mini_project: Path) -> None:
    (mini_project / "verhalen.toml").write_text('[segmentation]\nunit = "zin"\n[bogus]\nx = 1\n')
    result = runner.invoke(app, ["ingest", "--check", "--project", str(mini_project)])
    assert result.exit_code == 1
    assert "segmentation.unit" in result.output and "bogus" in result.output


def test_manifest_numbers_are_not_booleans(
    mini_project: Path, write_transcript: TranscriptWriter
) -> None:
    raw = mini_project / "data" / "raw"
    write_transcript("a.txt", BODY)
    (raw / "participants.csv").write_text(
        "id,role,practice,years_in_group,single,age\np1,moeder,vve_hoogeveen,1,ja,0\n",
        encoding="utf-8",
    )
    attrs = _ingest(mini_project).participants["p1"].attributes
    assert attrs == {"years_in_group": 1, "single": True, "age": 0}
    assert type(attrs["years_in_group"]) is int
