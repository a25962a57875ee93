"""verhalen → .qdpx → verhalen keeps sources, codes, codings, coders, participants and
attributes identical (property-based, with emoji, CRLF, overlapping and nested spans)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from verhalen.corpus import Corpus
from verhalen.errors import ValidationError
from verhalen.interchange.guids import GuidMap
from verhalen.interchange.qdpx_export import export_qdpx
from verhalen.interchange.qdpx_import import import_qdpx
from verhalen.interchange.schema import load_schema
from verhalen.records import Code, Codebook, Coding, Factor, Participant, Transcript, Turn

TOKENS = [
    "ja",
    "nee",
    "Marloes",
    "één",
    "koffie",
    " ",
    " ",
    "\n",
    "\r\n",
    "\n\n",
    "🙂",
    "👩‍👧",
    "𝄞",
    "R: ",
    "I: ",
    "Tolk: ",
    ".",
    "\t",
    "e\u0301",
    "[00:01] ",
]
TEXTS = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
SAFE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
    | st.sampled_from("\n\r "),
    max_size=12,
)
CODERS = ["anna", "bert", "c.de-vries"]
STAMPS = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2030, 1, 1),
    timezones=st.none() | st.just(dt.UTC),
)


def codebook() -> Codebook:
    return Codebook(
        id="zes_factoren",
        name="Zes factoren",
        version="1.2",
        factors=[Factor(id="steun", label="Ontmoeten en steunen")],
        codes=[
            Code(
                id="gezelligheid",
                label="Gezelligheid",
                parent="steun",
                inclusion=["samen koffie"],
                color="#FFAA00",
            ),
            Code(id="hulp", label="Praktische hulp", parent="gezelligheid"),
            Code(id="eigen_kind", label="Eigen kind", definition="Over het kind 🙂"),
        ],
    )


def attributes(draw: st.DrawFn, mixed: bool) -> dict[str, object]:
    out: dict[str, object] = {}
    if draw(st.booleans()):
        out["leeftijd"] = draw(st.none() | st.integers(16, 90))
    if draw(st.booleans()):
        out["achtergrond"] = draw(st.none() | SAFE)
    if draw(st.booleans()):
        out["alleenstaand"] = draw(st.booleans())
    if draw(st.booleans()):  # like years_in_group: 1.5, 2 and (manifest "1") True
        kinds = (
            st.floats(0, 20, allow_nan=False) | st.integers(0, 20) | st.booleans()
            if mixed
            else st.floats(0, 20, allow_nan=False)
        )
        out["jaren"] = draw(kinds)
    return out


@st.composite
def projects(draw: st.DrawFn, mixed: bool = True) -> tuple[Corpus, list[Coding]]:
    pids = draw(st.lists(st.sampled_from(["p01", "p02", "p03", "P-04"]), unique=True, max_size=3))
    participants = {
        pid: Participant(
            id=pid,
            role=draw(st.sampled_from(["moeder", "vrijwilliger"])),
            practice=draw(st.sampled_from(["vve_hoogeveen", "huiskamer"])),
            name="Echte Naam",
            attributes=attributes(draw, mixed),
        )
        for pid in pids
    }
    transcripts = []
    for tid in draw(
        st.lists(
            st.sampled_from(["int01", "int02", "gesprek 3"]), unique=True, min_size=1, max_size=3
        )
    ):
        text = draw(TEXTS)
        cuts = sorted(draw(st.lists(st.integers(0, len(text)), unique=True, max_size=6)))
        turns = []
        for i, (a, b) in enumerate(zip(cuts[::2], cuts[1::2], strict=False)):
            role = draw(st.sampled_from(["interviewer", "respondent", "other"]))
            turns.append(
                Turn(
                    index=i,
                    speaker=role[0].upper(),
                    is_interviewer=role == "interviewer",
                    role=role,
                    text=text[a:b],
                    start=a,
                    end=b,
                    time_start=draw(st.none() | st.floats(0, 5000, allow_nan=False)),
                )
            )
        transcripts.append(
            Transcript(
                id=tid,
                participants=draw(st.lists(st.sampled_from(pids), unique=True, max_size=2))
                if pids
                else [],
                interviewers=draw(st.lists(st.sampled_from(["iv1", "iv2"]), unique=True)),
                date=draw(st.none() | st.dates()),
                language=draw(st.sampled_from(["nl", "en"])),
                source_file=f"{tid}.txt",
                source_format="txt",
                text=text,
                turns=turns,
                metadata=draw(
                    st.dictionaries(
                        st.sampled_from(["fictief", "duur", "notitie"]),
                        st.none() | st.booleans() | st.integers() | SAFE,
                        max_size=2,
                    )
                ),
            )
        )
    corpus = Corpus(participants=participants, transcripts=transcripts)
    codes = [c.id for c in codebook().codes]
    codings: list[Coding] = []
    for t in transcripts:
        for _ in range(draw(st.integers(0, 5))):
            start = draw(st.integers(0, len(t.text)))
            end = draw(st.integers(start, len(t.text)))
            coder = draw(st.sampled_from(CODERS))
            for code in draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True)):
                codings.append(
                    Coding(
                        segment_id="x",
                        code_id=code,
                        coder=coder,
                        timestamp=draw(STAMPS),
                        memo=draw(st.just("") | SAFE),
                        transcript_id=t.id,
                        start=start,
                        end=end,
                    )
                )
    for seg in (
        draw(st.lists(st.sampled_from(corpus.segments), max_size=3)) if corpus.segments else []
    ):
        codings.append(
            Coding(
                segment_id=seg.id,
                code_id=draw(st.sampled_from(codes)),
                coder=draw(st.sampled_from(CODERS)),
                timestamp=draw(STAMPS),
            )
        )
    return corpus, codings


Key = tuple[str, str, str | None, int | None, int | None]


def by_span(corpus: Corpus, codings: list[Coding]) -> dict[Key, tuple[str, dt.datetime]]:
    """Codings keyed by coder, code, transcript and effective span (first one wins)."""
    segments = corpus.segment_index()
    out: dict[Key, tuple[str, dt.datetime]] = {}
    for c in codings:
        start, end, tid = c.start, c.end, c.transcript_id
        if start is None:
            seg = segments[c.segment_id]
            start, end, tid = seg.start, seg.end, seg.transcript_id
        out.setdefault((c.coder, c.code_id, tid, start, end), (c.memo, c.timestamp))
    return out


def without_extra(path: Path, target: Path) -> None:
    """The same .qdpx without verhalen's XML comment (as another program would write it)."""
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    root = etree.fromstring(entries["project.qde"])
    for node in root.xpath("//comment()"):
        node.getparent().remove(node)
    entries["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    target.write_bytes(buffer.getvalue())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(project=projects())
def test_round_trip_is_lossless(tmp_path: Path, project: tuple[Corpus, list[Coding]]) -> None:
    corpus, codings = project
    path = tmp_path / "p.qdpx"
    export_qdpx(path, corpus, codebook(), codings, project_name="Test")
    result = import_qdpx(path)
    assert result.corpus.transcripts == corpus.transcripts
    assert result.corpus.participants == {
        pid: p.model_copy(update={"name": None}) for pid, p in corpus.participants.items()
    }
    assert result.codebook == codebook()
    assert by_span(result.corpus, result.codings) == by_span(corpus, codings)
    assert {c.coder for c in result.codings} == {c.coder for c in codings}
    assert all(
        c.source == "imported" and c.transcript_id and c.start is not None for c in result.codings
    )
    assert result.drift.items == []
    assert not result.loss


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(project=projects(mixed=False))
def test_round_trip_through_another_program(
    tmp_path: Path, project: tuple[Corpus, list[Coding]]
) -> None:
    """Without verhalen's comment (another program re-exported the file) the REFI-QDA
    elements alone keep sources, codes, codings, coders, participants and attributes."""
    corpus, codings = project
    export_qdpx(tmp_path / "p.qdpx", corpus, codebook(), codings, project_name="Test")
    without_extra(tmp_path / "p.qdpx", tmp_path / "bare.qdpx")
    result = import_qdpx(tmp_path / "bare.qdpx")
    got = {t.id: t for t in result.corpus.transcripts}
    for t in corpus.transcripts:
        assert got[t.id].text == t.text
        assert (got[t.id].date, got[t.id].interviewers, got[t.id].language) == (
            t.date,
            t.interviewers,
            t.language,
        )
        assert set(got[t.id].participants) == set(t.participants)
    assert result.corpus.participants == {
        pid: p.model_copy(update={"name": None}) for pid, p in corpus.participants.items()
    }
    assert (result.codebook.factors, result.codebook.codes) == (
        codebook().factors,
        codebook().codes,
    )
    assert by_span(result.corpus, result.codings) == by_span(corpus, codings)


def small_project() -> tuple[Corpus, list[Coding]]:
    text = "I: Hoe gaat het?\r\n\r\nR: Goed 🙂, echt heel goed.\n\nR: En de koffie is lekker."
    turns = [
        Turn(
            index=0,
            speaker="I",
            is_interviewer=True,
            role="interviewer",
            text="Hoe gaat het?",
            start=3,
            end=16,
        )
    ]
    corpus = Corpus(
        participants={
            "p01": Participant(
                id="p01",
                role="moeder",
                practice="vve",
                name="Samira",
                attributes={"leeftijd": 31, "jaren": 1.5},
            )
        },
        transcripts=[Transcript(id="int01", participants=["p01"], text=text, turns=turns)],
    )
    stamp = dt.datetime(2025, 4, 14, 11, 0, tzinfo=dt.UTC)
    codings = [
        Coding(
            segment_id="x",
            code_id="gezelligheid",
            coder="anna",
            timestamp=stamp,
            transcript_id="int01",
            start=23,
            end=30,
            memo="gedeeld",
        ),
        Coding(
            segment_id="x",
            code_id="hulp",
            coder="anna",
            timestamp=stamp,
            transcript_id="int01",
            start=23,
            end=30,
            memo="gedeeld",
        ),
        Coding(
            segment_id="x",
            code_id="eigen_kind",
            coder="bert",
            timestamp=stamp,
            transcript_id="int01",
            start=20,
            end=45,
            memo="eigen",
        ),
        Coding(
            segment_id="x",
            code_id="hulp",
            coder="bert",
            timestamp=stamp,
            transcript_id="int01",
            start=20,
            end=45,
        ),
    ]
    return corpus, codings


def test_export_is_valid_deterministic_and_private(tmp_path: Path) -> None:
    corpus, codings = small_project()
    a = export_qdpx(tmp_path / "a.qdpx", corpus, codebook(), codings, project_name="Test")
    b = export_qdpx(tmp_path / "b.qdpx", corpus, codebook(), codings, project_name="Test")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    assert a.sha256 == b.sha256
    assert (a.codings, a.selections, a.users, a.cases) == (4, 2, 2, 1)
    with zipfile.ZipFile(tmp_path / "a.qdpx") as zf:
        names = zf.namelist()
        qde = zf.read("project.qde")
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
    assert names[0] == "project.qde" and all(n.startswith("sources/") for n in names[1:])
    assert load_schema("project").validate(etree.fromstring(qde))
    assert b"Samira" not in qde
    root = etree.fromstring(qde)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    selections = root.findall(".//q:PlainTextSelection", ns)
    assert [(s.get("startPosition"), s.get("endPosition")) for s in selections] == [
        ("20", "45"),
        ("23", "30"),
    ]
    shared = selections[1]
    assert shared.findtext("q:Description", namespaces=ns) == "gedeeld"
    assert len(shared.findall("q:Coding", ns)) == 2
    assert len(root.findall(".//q:Note", ns)) == 1  # bert's memo differs per code
    assert {s.get("name") for s in root.findall(".//q:Set", ns)} == {"vve"}


def test_reexport_of_import_reuses_guids(tmp_path: Path) -> None:
    corpus, codings = small_project()
    first = export_qdpx(tmp_path / "a.qdpx", corpus, codebook(), codings, project_name="Test")
    result = import_qdpx(tmp_path / "a.qdpx")
    again = export_qdpx(
        tmp_path / "b.qdpx",
        result.corpus,
        result.codebook,
        result.codings,
        project_name="Test",
        guids=result.guids,
    )
    assert again.sha256 == first.sha256
    # foreign GUIDs are reused on export
    guids = GuidMap({"code:hulp": "{ABCDEF01-2345-6789-ABCD-EF0123456789}"})
    export_qdpx(tmp_path / "c.qdpx", corpus, codebook(), codings, project_name="Test", guids=guids)
    with zipfile.ZipFile(tmp_path / "c.qdpx") as zf:
        assert b'guid="abcdef01-2345-6789-abcd-ef0123456789" name="Praktische hulp"' in zf.read(
            "project.qde"
        )


def test_bad_codings_are_all_reported_and_nothing_written(tmp_path: Path) -> None:
    corpus, _ = small_project()
    stamp = dt.datetime(2025, 1, 1)
    bad = [
        Coding(
            segment_id="x",
            code_id="bestaat_niet",
            coder="anna",
            timestamp=stamp,
            transcript_id="int01",
            start=0,
            end=1,
        ),
        Coding(segment_id="int09-t001", code_id="hulp", coder="anna", timestamp=stamp),
        Coding(
            segment_id="x",
            code_id="hulp",
            coder="anna",
            timestamp=stamp,
            transcript_id="int01",
            start=0,
            end=10_000,
        ),
    ]
    with pytest.raises(ValidationError) as info:
        export_qdpx(tmp_path / "x.qdpx", corpus, codebook(), bad, project_name="Test")
    assert len(info.value.problems) == 3
    assert not (tmp_path / "x.qdpx").exists()
