"""Untrusted input: no entity expansion, no path traversal, caps on archive size."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from verhalen.coding.store import CODER_RE
from verhalen.errors import VerhalenError
from verhalen.interchange import names
from verhalen.interchange.qdc import read_qdc
from verhalen.interchange.qdpx_import import import_qdpx
from verhalen.interchange.safe import Limits, UnsafeInputError, check_entry_name, open_container

PROJECT = (
    '<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="test">'
    "<Sources>"
    '<TextSource guid="40000000-0000-0000-0000-000000000001" name="doc.txt" '
    'plainTextPath="internal://{path}"/>'
    "</Sources></Project>"
)


def qdpx(
    tmp_path: Path,
    entries: dict[str, bytes],
    name: str = "p.qdpx",
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for entry, data in entries.items():
            zf.writestr(entry, data)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>'
    )
    with pytest.raises(UnsafeInputError, match="DOCTYPE"):
        import_qdpx(qdpx(tmp_path, {"project.qde": bomb}))


def test_external_entity_is_not_read(tmp_path: Path) -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code guid="20000000-0000-0000-0000-000000000001" name="&x;" isCodable="true"/>'
        b"</Codes></CodeBook>"
    )
    path = tmp_path / "x.qdc"
    path.write_bytes(xxe)
    with pytest.raises(UnsafeInputError, match="DOCTYPE"):
        read_qdc(path)


@pytest.mark.parametrize(
    "entry",
    [
        "../evil.txt",
        "sources/../../evil.txt",
        "/tmp/evil.txt",
        "C:/Windows/evil.txt",
        "..\\evil.txt",
    ],
)
def test_path_traversal_entries_are_refused(tmp_path: Path, entry: str) -> None:
    path = qdpx(tmp_path, {"project.qde": PROJECT.format(path="a.txt").encode(), entry: b"x"})
    with pytest.raises(UnsafeInputError) as info:
        import_qdpx(path)
    assert str(path) in str(info.value) and "evil.txt" in str(info.value)


def test_internal_path_traversal_is_refused(tmp_path: Path) -> None:
    path = qdpx(tmp_path, {"project.qde": PROJECT.format(path="../../etc/passwd").encode()})
    with pytest.raises(UnsafeInputError, match=r"'\.\.'"):
        import_qdpx(path)


def test_entry_names_are_normalised() -> None:
    assert check_entry_name("Sources\\A.txt", "p") == "Sources/A.txt"
    assert check_entry_name("./sources//a.txt", "p") == "sources/a.txt"


def test_too_many_entries(tmp_path: Path) -> None:
    entries = {f"sources/{i}.txt": b"x" for i in range(12)}
    entries["project.qde"] = PROJECT.format(path="0.txt").encode()
    with pytest.raises(UnsafeInputError, match="13 entries"):
        open_container(qdpx(tmp_path, entries), Limits(max_entries=10))


def test_total_size_cap(tmp_path: Path) -> None:
    entries = {"project.qde": PROJECT.format(path="a.txt").encode(), "sources/a.txt": b"a" * 5000}
    with pytest.raises(UnsafeInputError, match="unpacked size"):
        open_container(qdpx(tmp_path, entries), Limits(max_total_bytes=4000))


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    entries = {
        "project.qde": PROJECT.format(path="a.txt").encode(),
        "sources/a.txt": b"\0" * 2_000_000,
    }
    with pytest.raises(UnsafeInputError, match="inflates"):
        open_container(qdpx(tmp_path, entries), Limits(max_ratio=50, ratio_min_bytes=1000))


def test_needs_exactly_one_project_file(tmp_path: Path) -> None:
    with pytest.raises(VerhalenError, match="exactly one project file"):
        open_container(qdpx(tmp_path, {"a.qde": b"<Project/>", "b.qde": b"<Project/>"}))
    with pytest.raises(VerhalenError, match="exactly one project file"):
        open_container(qdpx(tmp_path, {"sources/a.txt": b""}, name="q.qdpx"))


def test_any_root_qde_and_folder_case(tmp_path: Path) -> None:
    project = PROJECT.format(path="A.TXT").replace('origin="test"', 'origin="ATLAS.ti Mac"')
    path = qdpx(tmp_path, {"Mijn Project.qde": project.encode(), "Sources/a.txt": b"Hallo"})
    result = import_qdpx(path)
    assert [t.text for t in result.corpus.transcripts] == ["Hallo"]


def test_not_a_zip_or_xml(tmp_path: Path) -> None:
    path = tmp_path / "x.qdpx"
    path.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(VerhalenError, match="not a readable ZIP"):
        import_qdpx(path)
    bad = tmp_path / "p.qde"
    bad.write_text("<Project><unclosed></Project>", encoding="utf-8")
    with pytest.raises(VerhalenError, match=r"p\.qde:1: not well-formed XML"):
        import_qdpx(bad)
    with pytest.raises(VerhalenError, match="no such file"):
        import_qdpx(tmp_path / "missing.qdpx")


def test_external_text_files_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim", encoding="utf-8")
    project = PROJECT.format(path="x").replace("internal://x", f"absolute://{secret}")
    result = import_qdpx(qdpx(tmp_path, {"project.qde": project.encode()}))
    assert result.corpus.transcripts == []
    assert result.loss.counts() == {"external text": 1}


def test_coder_pattern_matches_the_coded_store() -> None:
    assert names.CODER_RE.pattern == CODER_RE.pattern
    assert names.coder_name("Enric Llagostera") == "Enric_Llagostera"
    assert names.coder_name("José Ñúñez") == "Jose_Nunez"
    assert names.coder_name("") == "coder"
    assert names.slugify("Uitwisselen & leren") == "uitwisselen_leren"


def test_bare_qde_does_not_follow_links_out_of_its_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim", encoding="utf-8")
    folder = tmp_path / "project"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "a.txt").symlink_to(secret)
    (folder / "project.qde").write_text(PROJECT.format(path="a.txt"), encoding="utf-8")
    with pytest.raises(UnsafeInputError, match="links outside the project folder"):
        import_qdpx(folder / "project.qde")


def test_damaged_entry_is_a_clear_error(tmp_path: Path) -> None:
    path = qdpx(
        tmp_path,
        {
            "project.qde": PROJECT.format(path="a.txt").encode(),
            "sources/a.txt": b"Hallo wereld " * 50,
        },
    )
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("sources/a.txt")
    data = bytearray(path.read_bytes())
    begin = info.header_offset + 30 + len(info.filename)  # no extra field written
    middle = begin + info.compress_size // 2
    data[middle : middle + 8] = b"\xff" * 8  # corrupt the deflated text
    path.write_bytes(bytes(data))
    with pytest.raises(VerhalenError, match=r"entry 'sources/a.txt' cannot be unpacked"):
        import_qdpx(path)
