"""Vendor variants on import: position schemes, memos, document variables, hierarchy,
turns, coders and the drift and data-loss reports."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from verhalen.ingest.turns import SpeakerLabels
from verhalen.interchange.offsets import PositionMap, normalise_newlines, scheme_for, verify
from verhalen.interchange.qdpx_import import ImportResult, import_qdpx
from verhalen.interchange.textturns import turns_from_text

U1 = "10000000-0000-0000-0000-0000000000a1"
U2 = "10000000-0000-0000-0000-0000000000a2"
SRC = "40000000-0000-0000-0000-000000000001"
CODES = (
    "<CodeBook><Codes>"
    '<Code guid="20000000-0000-0000-0000-000000000001" name="Steun" isCodable="false">'
    '<Code guid="20000000-0000-0000-0000-000000000002" name="Koffie &amp; thee" '
    'isCodable="true"/>'
    '<Code guid="20000000-0000-0000-0000-000000000003" name="Hulp" isCodable="true"/>'
    "</Code></Codes></CodeBook>"
)
FACTOR, KOFFIE, HULP = (f"20000000-0000-0000-0000-00000000000{i}" for i in (1, 2, 3))


def units(text: str) -> int:
    """UTF-16 code units (what NVivo counts)."""
    return len(text.encode("utf-16-le")) // 2


def selection(
    n: int, start: int, end: int, name: str | None, *codes: str, user: str = U1, inner: str = ""
) -> str:
    name_attr = f' name="{name}"' if name is not None else ""
    codings = "".join(
        f'<Coding guid="60000000-0000-0000-0000-{n:06d}{i:06d}" creatingUser="{user}" '
        f'creationDateTime="2024-05-0{i + 1}T10:00:00Z"><CodeRef targetGUID="{c}"/></Coding>'
        for i, c in enumerate(codes)
    )
    return (
        f'<PlainTextSelection guid="50000000-0000-0000-0000-{n:012d}"{name_attr} '
        f'startPosition="{start}" endPosition="{end}" creatingUser="{user}">'
        f"{inner}{codings}</PlainTextSelection>"
    )


def make(
    tmp_path: Path,
    origin: str,
    text: bytes,
    selections: str,
    extra: str = "",
    cases: str = "",
    variables: str = "",
    notes: str = "",
    links: str = "",
    sets: str = "",
    source_inner: str = "",
    codes: str = CODES,
) -> ImportResult:
    xml = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="Studie" origin="{origin}" creatingUserGUID="{U1}">'
        f'<Users><User guid="{U1}" name="Anna de Vries"/><User guid="{U2}" id="B2"/></Users>'
        f"{codes}{variables}{cases}<Sources>"
        f'<TextSource guid="{SRC}" name="Interview 1.docx" plainTextPath="internal://a.txt">'
        f"{selections}{source_inner}</TextSource>{extra}</Sources>{notes}{links}{sets}</Project>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr("sources/a.txt", text)
    path = tmp_path / "p.qdpx"
    path.write_bytes(buffer.getvalue())
    return import_qdpx(path)


def spans(result: ImportResult) -> list[tuple[str, str, str, str]]:
    text = result.corpus.transcripts[0].text
    return sorted(
        (c.coder, c.code_id, text[c.start or 0 : c.end or 0], c.memo) for c in result.codings
    )


def test_nvivo_utf16_crlf_bom_and_repeated_selections(tmp_path: Path) -> None:
    raw = "R: Hallo 🙂 wereld\r\nR: Tweede regel met koffie\r\n"
    start = units(raw[: raw.index("wereld")])
    k = raw.index("koffie")
    sels = (
        selection(1, start, start + 6, "wereld", KOFFIE)
        + selection(2, start, start + 6, "wereld", HULP)  # NVivo: one selection per coding
        + selection(3, start, start + 6, "wereld", HULP)
        + selection(4, units(raw[:k]), units(raw[:k]) + 6, "koffie", KOFFIE)
    )
    note = (
        '<Notes><Note guid="a0000000-0000-0000-0000-000000000001" name="m">'
        "<PlainTextContent>Let op de toon</PlainTextContent></Note></Notes>"
    )
    link = (
        '<Links><Link guid="b0000000-0000-0000-0000-000000000001" '
        'originGUID="a0000000-0000-0000-0000-000000000001" '
        'targetGUID="50000000-0000-0000-0000-000000000004"/></Links>'
    )
    result = make(
        tmp_path,
        "NVivo 14.23.0 (Windows)",
        "\ufeff".encode() + raw.encode(),
        sels,
        notes=note,
        links=link,
    )
    transcript = result.corpus.transcripts[0]
    assert transcript.id == "Interview 1"
    assert transcript.text == raw.replace("\r\n", "\n")
    assert spans(result) == [
        ("Anna_de_Vries", "hulp", "wereld", ""),
        ("Anna_de_Vries", "koffie_thee", "koffie", "Let op de toon"),
        ("Anna_de_Vries", "koffie_thee", "wereld", ""),
    ]
    assert result.drift.items == [] and result.drift.schemes == {"Interview 1": "utf16"}
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("R", "Hallo 🙂 wereld"),
        ("R", "Tweede regel met koffie"),
    ]
    first = next(c for c in result.codings if c.code_id == "hulp")
    assert first.segment_id == "Interview 1-t000" and first.transcript_id == "Interview 1"
    assert first.timestamp == dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)


def test_atlasti_counts_crlf_as_one_and_keeps_description_memos(tmp_path: Path) -> None:
    raw = "I: Hoe was het?\r\n\r\nR: Gezellig, echt gezellig.\r\n"
    norm = raw.replace("\r\n", "\n")
    a = norm.index("Gezellig")
    memo = "<Description>in-vivo: gezellig</Description>"
    sels = selection(1, a, a + 8, "Gezellig", KOFFIE, inner=memo).replace(
        "50000000-0000-0000-0000-000000000001", "{50000000-0000-0000-0000-00000000000A}"
    )
    result = make(tmp_path, "ATLAS.ti Windows 23.2.3", raw.encode(), sels)
    assert spans(result) == [("Anna_de_Vries", "koffie_thee", "Gezellig", "in-vivo: gezellig")]
    assert result.drift.schemes == {"Interview 1": "lf"} and not result.drift.items
    assert result.codings[0].segment_id == "Interview 1-t001"


def test_maxqda_memo_selections_document_variables_and_parents(tmp_path: Path) -> None:
    text = "R: Ik neem altijd koffie mee voor de anderen."
    a = text.index("koffie")
    memo_sel = selection(2, a, a + 6, "koffie", inner="<Description>belangrijk</Description>")
    lonely = selection(3, 0, 2, "R:", inner="<Description>alleen een memo</Description>")
    codes = CODES.replace('isCodable="false"', 'isCodable="true"')  # MAXQDA parents
    variables = (
        '<Variables><Variable guid="30000000-0000-0000-0000-000000000001" '
        'name="Leeftijd" typeOfVariable="Integer"/></Variables>'
    )
    cases = (
        f'<Cases><Case guid="d0000000-0000-0000-0000-000000000001"><VariableValue>'
        '<VariableRef targetGUID="30000000-0000-0000-0000-000000000001"/>'
        f'<IntegerValue>42</IntegerValue></VariableValue><SourceRef targetGUID="{SRC}"/>'
        "</Case></Cases>"
    )
    result = make(
        tmp_path,
        "MAXQDA 2022",
        text.encode(),
        selection(1, a, a + 6, "koffie", KOFFIE, HULP) + memo_sel + lonely,
        variables=variables,
        cases=cases,
        codes=codes,
    )
    result_codes = {c.code_id: c for c in result.codings}
    assert {k: c.memo for k, c in result_codes.items()} == {
        "koffie_thee": "belangrijk",
        "hulp": "belangrijk",
    }
    assert result.loss.counts() == {"memo": 1}
    transcript = result.corpus.transcripts[0]
    assert transcript.metadata == {"Leeftijd": 42} and result.corpus.participants == {}
    assert [c.id for c in result.codebook.codes] == ["steun", "koffie_thee", "hulp"]
    assert result.codebook.factors == []


def test_scheme_is_detected_when_the_origin_is_wrong(tmp_path: Path) -> None:
    raw = "🙂🙂🙂 Een zin met emoji en daarna de woorden die gecodeerd zijn."
    a = raw.index("woorden")
    sels = "".join(
        selection(i, units(raw[:a]) + off, units(raw[:a]) + off + 7, name, KOFFIE)
        for i, (off, name) in enumerate([(0, "woorden")], start=1)
    )
    result = make(tmp_path, "QualCoder 3.5", raw.encode(), sels)
    assert result.drift.schemes == {"Interview 1": "utf16"}
    assert spans(result)[0][2] == "woorden"
    assert "utf16" in result.drift.summary()


def test_drift_is_reported_not_hidden(tmp_path: Path) -> None:
    text = "Diet and health are closely linked in this interview."
    result = make(
        tmp_path,
        "refi test",
        text.encode(),
        selection(1, 0, 15, "Diet and health", KOFFIE)
        + selection(2, 9, 23, "health are closely", HULP)
        + selection(3, 2, 6, None, HULP),
    )
    assert result.drift.checked == 3 and result.drift.verified == 1
    items = {i.selection[-1]: i for i in result.drift.items}
    assert items["2"].found_at == (9, 27) and items["2"].text == "health are clo"
    assert "inside a word" in items["3"].reason
    assert len(result.codings) == 3  # drifted selections are kept, not dropped


def test_whole_document_codings_factors_and_missing_codes(tmp_path: Path) -> None:
    text = "Een kort document."
    whole = (
        f'<Coding guid="60000000-0000-0000-0000-000000000099" creatingUser="{U2}">'
        f'<CodeRef targetGUID="{HULP}"/></Coding>'
    )
    result = make(
        tmp_path,
        "x",
        text.encode(),
        selection(1, 0, 3, "Een", FACTOR)
        + selection(2, 0, 3, "Een", "20000000-0000-0000-0000-0000000000ff"),
        source_inner=whole,
    )
    assert spans(result) == [("B2", "hulp", text, "")]
    assert result.loss.counts() == {"coding": 2}
    assert [f.id for f in result.codebook.factors] == ["steun"]


def test_cases_become_participants(tmp_path: Path) -> None:
    variables = (
        "<Variables>"
        '<Variable guid="30000000-0000-0000-0000-000000000001" name="rol" typeOfVariable="Text"/>'
        '<Variable guid="30000000-0000-0000-0000-000000000002" name="Jaren" '
        'typeOfVariable="Float"/></Variables>'
    )
    cases = (
        '<Cases><Case guid="d0000000-0000-0000-0000-000000000001" name="Moeder 3">'
        '<VariableValue><VariableRef targetGUID="30000000-0000-0000-0000-000000000001"/>'
        "<TextValue>moeder</TextValue></VariableValue>"
        '<VariableValue><VariableRef targetGUID="30000000-0000-0000-0000-000000000002"/>'
        "<FloatValue>1.5</FloatValue></VariableValue>"
        f'<SourceRef targetGUID="{SRC}"/></Case></Cases>'
    )
    sets = (
        f'<Sets><Set guid="c0000000-0000-0000-0000-000000000001" name="huiskamer">'
        f'<MemberSource targetGUID="{SRC}"/></Set></Sets>'
    )
    result = make(tmp_path, "ATLAS.ti", b"R: ja", "", variables=variables, cases=cases, sets=sets)
    participant = result.corpus.participants["Moeder 3"]
    assert (participant.role, participant.practice, participant.attributes) == (
        "moeder",
        "huiskamer",
        {"Jaren": 1.5},
    )
    assert result.corpus.transcripts[0].participants == ["Moeder 3"]
    assert result.guids["case:Moeder 3"] == "d0000000-0000-0000-0000-000000000001"
    assert result.guids["source:Interview 1"] == SRC


def test_turns_in_imported_text() -> None:
    labels = SpeakerLabels.build(["I"], ["R"], ["Tolk"])
    text = (
        "Interview 7, maart\n\n[00:00:04] I: Vertel eens.\nR:\n  Nou, ik kwam binnen.\n\n"
        "M: Ik ook!\n"
    )
    turns, notes = turns_from_text(text, labels, "int07")
    assert [(t.speaker, t.role, t.text, t.time_start) for t in turns] == [
        ("I", "interviewer", "Vertel eens.", 4.0),
        ("R", "respondent", "Nou, ik kwam binnen.", None),
        ("M", "other", "Ik ook!", None),
    ]
    assert all(text[t.start : t.end] == t.text for t in turns)
    assert any("unknown speaker label(s) M" in n for n in notes)
    assert any("before the first speaker label" in n for n in notes)
    paragraphs, notes = turns_from_text("Eerste alinea.\n\n  Tweede\nalinea. \n", labels, "x")
    assert [t.text for t in paragraphs] == ["Eerste alinea.", "Tweede\nalinea."]


def test_position_schemes() -> None:
    raw = "a🙂\r\nb"
    norm, crlf = normalise_newlines(raw)
    pmap = PositionMap(norm, crlf)
    assert norm == "a🙂\nb" and crlf == [True]
    assert pmap.to_index(5, "utf16") == (3, True)  # a, 🙂 (2 units), CRLF (2 units) → "b"
    assert pmap.to_index(4, "codepoints") == (3, True)  # a, 🙂, CR, LF → "b"
    assert pmap.to_index(3, "lf") == (3, True)
    assert pmap.to_index(2, "utf16") == (1, False)  # inside the surrogate pair
    assert scheme_for("NVivo 12") == "utf16" and scheme_for("ATLAS.ti 9") == "lf"
    assert scheme_for("MAXQDA 2020") == "codepoints" and scheme_for(None) == "codepoints"
    assert verify("koffie drinken", 0, 6, "koffie").status == "verified"
    assert verify("koffie drinken", 0, 6, "Selectie 1").status == "boundaries"
    assert verify("koffie drinken", 1, 6, None).status == "drift"
