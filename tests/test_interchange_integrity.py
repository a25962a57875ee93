"""What the XSD does not check: integrity; schema lookup; lenient reading; damaged extras."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from verhalen.errors import ValidationError
from verhalen.interchange import schema
from verhalen.interchange.integrity import check_project
from verhalen.interchange.qdpx_import import import_qdpx

BROKEN = b"""<Project xmlns="urn:QDA-XML:project:1.0" name="x">
  <Users><User guid="10000000-0000-0000-0000-000000000001"/></Users>
  <CodeBook><Codes>
    <Code guid="20000000-0000-0000-0000-000000000001" name="a" isCodable="true"/>
    <Code guid="20000000-0000-0000-0000-000000000001" name="b" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="40000000-0000-0000-0000-000000000001" plainTextPath="internal://gone.txt">
      <PlainTextSelection guid="50000000-0000-0000-0000-000000000001" startPosition="0"
          endPosition="1" creatingUser="10000000-0000-0000-0000-0000000000ff">
        <Coding guid="60000000-0000-0000-0000-000000000001">
          <CodeRef targetGUID="40000000-0000-0000-0000-000000000001"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""


def test_integrity_finds_every_problem() -> None:
    problems = check_project(etree.fromstring(BROKEN), {"sources/other.txt"}, "p.qde")
    text = "\n".join(str(p) for p in problems)
    assert len(problems) == 4, text
    assert "p.qde:5 (Code@guid): GUID 20000000-0000-0000-0000-000000000001 is used twice" in text
    assert "does not point at a Code (it is a TextSource)" in text
    assert "user 10000000-0000-0000-0000-0000000000ff is not in <Users>" in text
    assert "internal://gone.txt is not in the archive" in text


def test_packaged_schema_is_used_without_the_shared_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "shared_schema_dir", lambda: tmp_path / "absent")
    for name in ("project", "codebook"):
        path = schema.schema_path(name)  # type: ignore[arg-type]
        assert path.is_file() and "verhalen" in str(path) and "data" in str(path)
        assert etree.XMLSchema(etree.parse(str(path)))


def archive(tmp_path: Path, qde: str, sources: dict[str, str]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, text in sources.items():
            zf.writestr(name, text)
    path = tmp_path / "p.qdpx"
    path.write_bytes(buffer.getvalue())
    return path


def test_lenient_on_namespace_version_and_name_case(tmp_path: Path) -> None:
    qde = (
        '<project xmlns="urn:QDA-XML:project:0:10" NAME="oud" Origin="Quirkos 2.5">'
        '<users><user GUID="10000000-0000-0000-0000-000000000001" name="Sam"/></users>'
        '<codebook><codes><code guid="20000000-0000-0000-0000-000000000001" name="Thuis" '
        'iscodable="true"/></codes></codebook>'
        '<sources><textsource guid="40000000-0000-0000-0000-000000000001" name="doc" '
        'plaintextpath="internal://d.txt"><plaintextselection '
        'guid="50000000-0000-0000-0000-000000000001" startposition="0" endposition="5" '
        'name="thuis"><coding guid="60000000-0000-0000-0000-000000000001" '
        'creatinguser="10000000-0000-0000-0000-000000000001"><coderef '
        'targetguid="20000000-0000-0000-0000-000000000001"/></coding></plaintextselection>'
        "</textsource></sources></project>"
    )
    result = import_qdpx(archive(tmp_path, qde, {"SOURCES/D.TXT": "Thuis is fijn."}))
    (coding,) = result.codings
    assert (coding.coder, coding.code_id, coding.start, coding.end) == ("Sam", "thuis", 0, 5)
    assert result.codebook.name == "oud"


def test_damaged_verhalen_details_are_ignored(tmp_path: Path) -> None:
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="x" origin="verhalen 0.1.0">'
        '<!-- verhalen-extra {"codebook":{"version":"een"},"corpus":{"unit":"hoofdstuk"},'
        '"transcripts":{"doc":{"sha256":"x","turns":[{"nonsense":1}]}}} -->'
        '<Sources><TextSource guid="40000000-0000-0000-0000-000000000001" name="doc" '
        'plainTextPath="internal://d.txt"/></Sources></Project>'
    )
    result = import_qdpx(archive(tmp_path, qde, {"sources/d.txt": "R: Hallo"}))
    assert result.codebook.version == "1.0"
    assert any("damaged" in note for note in result.notes)
    assert [t.text for t in result.corpus.transcripts[0].turns] == ["Hallo"]


def test_invalid_guid_in_a_project_is_reported_with_its_line(tmp_path: Path) -> None:
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="x">\n'
        '<Users><User guid="u1" name="a"/></Users></Project>'
    )
    with pytest.raises(ValidationError, match=r"project.qde:2 \(User@guid\): 'u1' is not a GUID"):
        import_qdpx(archive(tmp_path, qde, {}))
