"""Reading untrusted REFI-QDA files safely: XML without entities, ZIPs with caps.

A ``.qdpx`` or ``.qdc`` comes from someone else's machine. Before anything is parsed:

* XML is parsed by lxml with entity resolution, network access and huge trees switched
  off, and any ``<!DOCTYPE>`` is refused (real REFI-QDA files have none; a DOCTYPE is
  how entity-expansion attacks start);
* ZIP entries are checked *before* they are read: no absolute paths, no ``..``, no drive
  letters, at most :attr:`Limits.max_entries` entries and :attr:`Limits.max_total_bytes`
  unpacked, and no entry that inflates more than :attr:`Limits.max_ratio` times (a zip
  bomb). Reading an entry never returns more bytes than its declared size.

Nothing is ever extracted to disk: entries are read into memory by name.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from verhalen.errors import VerhalenError

MB = 1024 * 1024


class UnsafeInputError(VerhalenError):
    """An imported file is unsafe or too large to read (zip bomb, path traversal, DTD)."""


@dataclass(frozen=True)
class Limits:
    """Caps for reading untrusted containers (configurable; generous for real projects).

    Parameters
    ----------
    max_total_bytes
        Total unpacked size of all entries of a ``.qdpx`` (default 500 MB), and the largest
        bare ``.qde``/``.qdc`` file read.
    max_entries
        Number of entries in a ``.qdpx`` (default 10,000).
    max_ratio
        Largest allowed unpacked/packed size ratio of one entry larger than
        ``ratio_min_bytes`` (default 200; text compresses about 3–20 times).
    ratio_min_bytes
        Entries smaller than this are not ratio-checked (tiny files compress oddly).
    """

    max_total_bytes: int = 500 * MB
    max_entries: int = 10_000
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1 * MB


DEFAULT_LIMITS = Limits()

_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def xml_parser() -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse untrusted XML bytes into an element tree.

    Raises
    ------
    UnsafeInputError
        If the document declares a DOCTYPE (entity expansion is refused outright).
    VerhalenError
        If the bytes are not well-formed XML (with line and column).
    """
    if _DOCTYPE_RE.search(data[:65536]):
        raise UnsafeInputError(
            f"{where}: contains a <!DOCTYPE> declaration — REFI-QDA files never need one, "
            "and it can hide entity-expansion attacks; the file was not read"
        )
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        raise VerhalenError(
            f"{where}{f':{line}' if line else ''}: not well-formed XML ({exc.msg}) — "
            "export the file again from the QDA program; it may be truncated or damaged"
        ) from None
    if root.getroottree().docinfo.doctype:  # type: ignore[union-attr]
        raise UnsafeInputError(
            f"{where}: contains a <!DOCTYPE> declaration — REFI-QDA files never need one, "
            "and it can hide entity-expansion attacks; the file was not read"
        )
    return root


def check_entry_name(name: str, container: str) -> str:
    """Return the normalised (``/``-separated) entry name, or raise if it escapes the root."""
    norm = name.replace("\\", "/")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if norm.startswith("/") or _DRIVE_RE.match(norm):
        raise UnsafeInputError(
            f"{container}: entry {name!r} has an absolute path — a REFI-QDA archive only "
            "holds relative paths such as 'sources/<guid>.txt'; the file was not read"
        )
    if ".." in parts:
        raise UnsafeInputError(
            f"{container}: entry {name!r} contains '..' (path traversal) — the file was "
            "not read; ask the sender to export it again"
        )
    return "/".join(parts) + ("/" if norm.endswith("/") and parts else "")


@dataclass
class Container:
    """Named byte entries of a ``.qdpx`` (or a bare ``.qde`` with its ``sources`` folder).

    Look-ups are case-insensitive on the whole path, so ``Sources/`` and ``sources/``
    both work. ``timestamp`` is the date-time of the project entry (used as a fallback
    creation time), as ``(year, month, day, hour, minute, second)``.
    """

    path: Path
    qde_name: str
    qde: bytes
    timestamp: tuple[int, int, int, int, int, int]
    limits: Limits = field(default_factory=Limits)
    _zip: zipfile.ZipFile | None = None
    _names: dict[str, str] = field(default_factory=dict)
    _folder: Path | None = None
    _read: int = 0

    @property
    def base(self) -> str:
        """The folder of the project entry inside the archive ('' at the root)."""
        return posixpath.dirname(self.qde_name)

    def find(self, relative: str) -> str | None:
        """The real entry name for ``relative`` (relative to :attr:`base`), or ``None``."""
        rel = check_entry_name(relative, str(self.path))
        full = posixpath.join(self.base, rel) if self.base else rel
        if self._zip is not None:
            return self._names.get(full.casefold())
        if self._folder is None:
            return None
        current = self._folder
        for part in full.split("/"):
            if not current.is_dir():
                return None
            match = next(
                (c for c in sorted(current.iterdir()) if c.name.casefold() == part.casefold()), None
            )
            if match is None:
                return None
            current = match
        if not current.is_file():
            return None
        if not current.resolve().is_relative_to(self._folder.resolve()):
            raise UnsafeInputError(
                f"{current}: links outside the project folder ({current.resolve()}) — "
                "it was not read"
            )
        return str(current.relative_to(self._folder))

    def read(self, name: str) -> bytes:
        """Bytes of one entry found by :meth:`find`, never more than the caps allow."""
        if self._zip is not None:
            info = self._zip.getinfo(name)
            try:
                with self._zip.open(info) as fh:
                    data = fh.read(info.file_size + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                raise VerhalenError(
                    f"{self.path}: entry {name!r} cannot be unpacked ({exc}) — the archive is "
                    "damaged; export the project again"
                ) from None
            if len(data) > info.file_size:
                raise UnsafeInputError(
                    f"{self.path}: entry {name!r} is larger than its declared size — the "
                    "archive is damaged or crafted; it was not read"
                )
            return data
        assert self._folder is not None
        target = self._folder / name
        self._read += target.stat().st_size
        if self._read > self.limits.max_total_bytes:
            raise UnsafeInputError(
                f"{target}: the files read exceed the limit of {self.limits.max_total_bytes} "
                "bytes — raise the limit if you trust the files"
            )
        return target.read_bytes()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _check_zip(zf: zipfile.ZipFile, path: Path, limits: Limits) -> dict[str, str]:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafeInputError(
            f"{path}: {len(infos)} entries is more than the limit of {limits.max_entries} — "
            "the archive may be a zip bomb; raise the limit if you trust the file"
        )
    total = 0
    names: dict[str, str] = {}
    for info in infos:
        norm = check_entry_name(info.filename, str(path))
        total += info.file_size
        if total > limits.max_total_bytes:
            raise UnsafeInputError(
                f"{path}: unpacked size exceeds the limit of {limits.max_total_bytes} bytes "
                f"(at entry {info.filename!r}) — the archive may be a zip bomb; raise the "
                "limit if you trust the file"
            )
        if info.file_size >= limits.ratio_min_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise UnsafeInputError(
                    f"{path}: entry {info.filename!r} inflates {ratio:.0f} times (limit "
                    f"{limits.max_ratio:.0f}) — a typical zip bomb; the file was not read"
                )
        if not info.is_dir():
            names.setdefault(norm.casefold(), info.filename)
    return names


def _pick_qde(names: dict[str, str], path: Path) -> str:
    qdes = sorted(real for key, real in names.items() if key.endswith(".qde"))
    root_level = [n for n in qdes if "/" not in n.replace("\\", "/").strip("/")]
    candidates = root_level or qdes
    if len(candidates) != 1:
        found = ", ".join(candidates) or "none"
        raise VerhalenError(
            f"{path}: expected exactly one project file (*.qde) in the archive, found "
            f"{found} — is this a REFI-QDA project export (.qdpx)?"
        )
    return candidates[0]


def open_container(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Container:
    """Open a ``.qdpx`` archive or a bare ``.qde`` file for safe, capped reading.

    Raises
    ------
    UnsafeInputError
        For path traversal, absolute entry names, too many or too large entries.
    VerhalenError
        If the file does not exist, is not a ZIP/XML file, or has no single ``*.qde``.
    """
    path = Path(path)
    if not path.is_file():
        raise VerhalenError(f"{path}: no such file — check the path of the .qdpx or .qde file")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise VerhalenError(
                f"{path}: not a readable ZIP archive ({exc}) — export the project again as .qdpx"
            ) from None
        try:
            names = _check_zip(zf, path, limits)
            qde_name = _pick_qde(names, path)
            container = Container(
                path,
                qde_name.replace("\\", "/"),
                b"",
                zf.getinfo(qde_name).date_time,
                limits,
                zf,
                names,
            )
            container.qde = container.read(qde_name)
        except BaseException:
            zf.close()
            raise
        return container
    size = path.stat().st_size
    if size > limits.max_total_bytes:
        raise UnsafeInputError(
            f"{path}: {size} bytes is larger than the limit of {limits.max_total_bytes} "
            "bytes — raise the limit if you trust the file"
        )
    if path.suffix.lower() not in (".qde", ".xml"):
        raise VerhalenError(
            f"{path}: neither a .qdpx archive nor a .qde project file — export the project "
            "from the QDA program as 'REFI-QDA project (.qdpx)'"
        )
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    stamp = (mtime.year, mtime.month, mtime.day, mtime.hour, mtime.minute, mtime.second)
    return Container(path, path.name, path.read_bytes(), stamp, limits, None, {}, path.parent)


def read_xml_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """Read and safely parse one XML file (e.g. a ``.qdc``) within the size cap."""
    path = Path(path)
    if not path.is_file():
        raise VerhalenError(f"{path}: no such file — check the path")
    size = path.stat().st_size
    if size > limits.max_total_bytes:
        raise UnsafeInputError(
            f"{path}: {size} bytes is larger than the limit of {limits.max_total_bytes} bytes"
        )
    return parse_xml(path.read_bytes(), str(path))
