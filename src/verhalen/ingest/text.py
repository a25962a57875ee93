"""Decoding and normalisation of transcript bytes.

Accepted encodings: UTF-8, UTF-8 with BOM, and Windows-1252 (cp1252, the usual encoding
of older Word/Notepad exports on Dutch Windows machines). The encoding found is reported
on the transcript. Line endings are normalised to ``\\n`` and text to Unicode NFC, so
offsets always refer to the normalised text stored with the transcript.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from verhalen.errors import Problem


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode(data: bytes, where: str) -> Decoded | Problem:
    """Decode transcript bytes, or return a :class:`Problem` naming the bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(normalise(data[3:].decode("utf-8")), "utf-8-sig")
        except UnicodeDecodeError as exc:
            return _undecodable(data, exc.start + 3, where)
    try:
        return Decoded(normalise(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(normalise(data.decode("cp1252")), "cp1252")
    except UnicodeDecodeError as exc:
        return _undecodable(data, exc.start, where)


def _undecodable(data: bytes, offset: int, where: str) -> Problem:
    line = data.count(b"\n", 0, offset) + 1
    return Problem(
        f"{where}:{line}",
        f"undecodable byte 0x{data[offset]:02x} at byte {offset}: the file is neither UTF-8 "
        "nor Windows-1252",
        "open it in a text editor and save it as UTF-8",
    )


def normalise(text: str) -> str:
    """CRLF/CR → LF, Unicode NFC, no trailing whitespace at line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))
