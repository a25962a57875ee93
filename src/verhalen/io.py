"""Safe file writing: atomic replace, so an interrupted run never leaves half a file.

Every stage writes through these helpers. A write goes to a temporary file in the same
directory, is flushed and fsync'ed, and then renamed over the target with
:func:`os.replace` (atomic on POSIX and Windows). If anything fails before the rename,
the previous file is untouched and the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def _default_mode(target: Path) -> int:
    """Keep an existing file's mode; a new file gets 0o666 minus the umask (like open())."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextlib.contextmanager
def atomic_open(
    path: str | Path,
    mode: str = "w",
    encoding: str | None = "utf-8",
    permissions: int | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success rename it over ``path``.

    Parameters
    ----------
    path
        The target file. Its parent directory is created if needed.
    mode
        ``"w"`` for text or ``"wb"`` for bytes.
    encoding
        Text encoding (ignored in binary mode).
    permissions
        Optional file mode such as ``0o600``, applied before the rename so the target
        is never readable by others, not even for a moment.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open supports modes 'w' and 'wb', not {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, permissions if permissions is not None else _default_mode(target))
        if mode == "wb":
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline="")
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_text(path: str | Path, text: str, permissions: int | None = None) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""
    with atomic_open(path, "w", permissions=permissions) as fh:
        fh.write(text)


def atomic_write_bytes(path: str | Path, data: bytes, permissions: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb", permissions=permissions) as fh:
        fh.write(data)


def atomic_write_json(path: str | Path, obj: Any, permissions: int | None = None) -> None:
    """Write ``obj`` as pretty, key-sorted JSON (stable, diffable) atomically."""
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    atomic_write_text(path, text, permissions=permissions)


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes (content hash for caches and change detection)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
