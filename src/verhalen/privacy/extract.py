"""Text from the files verhalen writes, for the privacy audit, with line numbers.

Supported: plain text (``.md .txt .csv .tsv .json .jsonl .yaml .tex .vtt .srt``), markup
(``.html .svg .xml .qde``: tags removed, inline tags such as ``<b>`` without a space, so a
name split by tags is joined again), ``.xlsx`` (every cell, by sheet and row), ``.docx``
(paragraphs and tables), ``.pdf`` and archives (``.qdpx``, ``.zip``: every member).

PDF text is read without extra packages: content streams are inflated with :mod:`zlib`
(fpdf2 compresses them with Flate), text-showing operators are decoded with the font's
``ToUnicode`` map (embedded TrueType fonts) or WinAnsi (core fonts). Other filters and
text drawn as curves are not read; such files are reported as not fully scanned.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

PLAIN = {
    ".md",
    ".txt",
    ".csv",
    ".tsv",
    ".json",
    ".jsonl",
    ".yaml",
    ".yml",
    ".tex",
    ".vtt",
    ".srt",
    ".log",
    ".rst",
    ".bib",
    ".qmd",
    ".ipynb",
}
MARKUP = {".html", ".htm", ".svg", ".xml", ".qde", ".xhtml"}
ARCHIVES = {".qdpx", ".zip"}
INLINE_TAGS = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "em",
    "font",
    "i",
    "mark",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "u",
    "tspan",
    "code",
    "del",
    "ins",
    "wbr",
}
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)?[^>]*>|<!--.*?-->", re.DOTALL)
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True)
class TextBlock:
    """Text from one place in a file; ``first_line`` is the line its first line is on."""

    where: str
    text: str
    first_line: int = 1


class Unreadable(Exception):
    """A file could not be read (the audit reports it as not scanned)."""


def suffix_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def markup_text(text: str) -> str:
    """Markup without tags, entities decoded; newlines (line numbers) are kept."""

    def replace(m: re.Match[str]) -> str:
        newlines = "\n" * m.group(0).count("\n")
        name = (m.group(2) or "").lower()
        return newlines + ("" if name in INLINE_TAGS else " ")

    stripped = _TAG.sub(replace, text)
    return html.unescape(stripped)


def markup_with_attributes(text: str) -> str:
    """Attribute values of markup (XML such as QDA-XML keeps names in attributes)."""
    out = []
    for m in _TAG.finditer(text):
        values = re.findall(r"=\s*\"([^\"]*)\"|=\s*'([^']*)'", m.group(0))
        line_gap = "\n" * m.group(0).count("\n")
        out.append(" ".join(a or b for a, b in values) + line_gap)
    return html.unescape(" ".join(out))


def blocks(name: str, data: bytes) -> Iterator[TextBlock]:
    """Text blocks of a file given its name and bytes.

    Raises
    ------
    Unreadable
        For formats that cannot be read (images, unknown binary files, broken files).
    """
    suffix = suffix_of(name)
    if suffix in PLAIN:
        text = decode_bytes(data)
        if suffix in (".json", ".jsonl", ".ipynb"):
            text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        yield TextBlock(name, text)
    elif suffix in MARKUP:
        text = decode_bytes(data)
        yield TextBlock(name, markup_text(text))
        yield TextBlock(f"{name} (attributes)", markup_with_attributes(text))
    elif suffix == ".xlsx":
        yield from _xlsx(name, data)
    elif suffix == ".docx":
        yield from _docx(name, data)
    elif suffix == ".pdf":
        yield from pdf_blocks(name, data)
    elif suffix in ARCHIVES:
        yield from _archive(name, data)
    else:
        raise Unreadable(f"{name}: format {suffix or '(none)'} is not scanned")


def _xlsx(name: str, data: bytes) -> Iterator[TextBlock]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types
        raise Unreadable(f"{name}: not a readable .xlsx ({type(exc).__name__})") from None
    for sheet in book.worksheets:
        yield TextBlock(f"{name} [{sheet.title}]", sheet.title)
        for row in sheet.iter_rows():
            cells = [str(c.value) for c in row if c.value is not None]
            cells += [c.comment.text for c in row if c.comment is not None]
            if cells:
                yield TextBlock(f"{name} [{sheet.title}]", " | ".join(cells), row[0].row)
    props = book.properties
    meta = " | ".join(str(v) for v in (props.creator, props.lastModifiedBy, props.title) if v)
    if meta:
        yield TextBlock(f"{name} (properties)", meta)


def _docx(name: str, data: bytes) -> Iterator[TextBlock]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many unrelated types
        raise Unreadable(f"{name}: not a readable .docx ({type(exc).__name__})") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    yield TextBlock(name, "\n".join(lines))
    props = document.core_properties
    meta = " | ".join(str(v) for v in (props.author, props.last_modified_by, props.title) if v)
    if meta:
        yield TextBlock(f"{name} (properties)", meta)


def _archive(name: str, data: bytes) -> Iterator[TextBlock]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Unreadable(f"{name}: not a readable zip archive") from None
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            inner = f"{name}!{info.filename}"
            try:
                yield from blocks(inner, archive.read(info))
            except Unreadable:
                continue


# --------------------------------------------------------------------------- PDF

_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b(.*?)\bendobj", re.DOTALL)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.DOTALL)
_FONT_DICT = re.compile(rb"/Font\s*<<(.*?)>>", re.DOTALL)
_FONT_REF = re.compile(rb"/([\w.+-]+)\s+(\d+)\s+\d+\s+R")
_TOKEN = re.compile(
    rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)|<[0-9A-Fa-f\s]*>|\[|\]|"
    rb"/[^\s/\[\]()<>]+|[-+]?\d*\.?\d+|[A-Za-z'\"*]+",
    re.DOTALL,
)
_ESCAPES = {
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"b": b"\b",
    b"f": b"\f",
    b"(": b"(",
    b")": b")",
    b"\\": b"\\",
}


def _literal(token: bytes) -> bytes:
    body = token[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i : i + 1]
        if c == b"\\" and i + 1 < len(body):
            nxt = body[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
                continue
            octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            if nxt in (b"\n", b"\r"):
                i += 2
                continue
            i += 1
            continue
        out += c
        i += 1
    return bytes(out)


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}

    def uni(hexa: bytes) -> str:
        raw = bytes.fromhex(hexa.decode())
        return raw.decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.DOTALL):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = uni(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.DOTALL):
        for a, b, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            base = uni(dst)
            for offset, code in enumerate(range(int(a, 16), int(b, 16) + 1)):
                mapping[code] = base[:-1] + chr(ord(base[-1]) + offset) if base else ""
    return mapping


def pdf_blocks(name: str, data: bytes) -> Iterator[TextBlock]:
    """Text of a PDF, one block per content stream (see the module docs for limits)."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for m in _OBJ.finditer(data):
        body = m.group(3)
        stream = _STREAM.search(body)
        head = body[: stream.start()] if stream else body
        content: bytes | None = None
        if stream:
            content = stream.group(1)
            if b"/FlateDecode" in head:
                try:
                    content = zlib.decompress(content)
                except zlib.error:
                    content = None
            elif b"/Filter" in head:
                content = None
        objects[int(m.group(1))] = (head, content)
    if not objects:
        raise Unreadable(f"{name}: no PDF objects found")
    fonts: dict[bytes, dict[int, str] | None] = {}
    for head, _ in objects.values():
        for font_dict in _FONT_DICT.findall(head):
            for font_name, ref in _FONT_REF.findall(font_dict):
                font_head = objects.get(int(ref), (b"", None))[0]
                unicode_ref = re.search(rb"/ToUnicode\s+(\d+)\s+\d+\s+R", font_head)
                cmap = (
                    objects.get(int(unicode_ref.group(1)), (b"", None))[1] if unicode_ref else None
                )
                fonts[font_name] = _cmap(cmap) if cmap else None
    page = 0
    for number in sorted(objects):
        head, content = objects[number]
        if content is None or (b"BT" not in content) or b"/Type /Font" in head:
            continue
        page += 1
        yield TextBlock(f"{name} (content stream {page})", _content_text(content, fonts))


def _content_text(content: bytes, fonts: dict[bytes, dict[int, str] | None]) -> str:
    lines: list[str] = []
    current: list[str] = []
    font: dict[int, str] | None = None
    operands: list[bytes] = []
    for m in _TOKEN.finditer(content):
        token = m.group(0)
        if (
            token[:1] in (b"(", b"<", b"[", b"]")
            or token[:1] == b"/"
            or re.fullmatch(rb"[-+]?\d*\.?\d+", token)
        ):
            operands.append(token)
            continue
        op = token
        if op == b"Tf" and len(operands) >= 2:
            font = fonts.get(operands[-2][1:])
        elif op in (b"Tj", b"'", b'"', b"TJ"):
            for item in operands:
                if item[:1] == b"(":
                    current.append(_decode(_literal(item), font))
                elif item[:1] == b"<" and item[:2] != b"<<":
                    hexa = re.sub(rb"\s", b"", item[1:-1])
                    current.append(_decode(bytes.fromhex(hexa.decode() or ""), font))
                elif op == b"TJ" and re.fullmatch(rb"[-+]?\d*\.?\d+", item) and float(item) < -200:
                    current.append(" ")
        elif op in (b"ET", b"Td", b"TD", b"T*", b"Tm") and current:
            lines.append("".join(current))
            current = []
        operands = []
    if current:
        lines.append("".join(current))
    return "\n".join(lines)


def _decode(raw: bytes, font: dict[int, str] | None) -> str:
    if font:
        if len(raw) % 2 == 0:
            return "".join(
                font.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2)
            )
        return "".join(font.get(b, "") for b in raw)
    return raw.decode("cp1252", errors="replace")
