"""One error root for the whole library.

The library raises :class:`VerhalenError` (or a subclass) and never prints or exits;
only the CLI turns an error into ``Error: …`` and exit code 1.

Messages say *where* (file, line, field), *what* was received, *what is allowed* and
*what to do next*. Validation collects every problem in an input before raising, so a
researcher can fix a whole file in one go: see :class:`Problem` and :class:`ValidationError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class VerhalenError(Exception):
    """Root of every error the library raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    where
        The location: a file path, optionally with ``:line`` or a field name.
    what
        What is wrong, including the value received.
    fix
        What the researcher can do about it.
    """

    where: str
    what: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}"
        if self.fix:
            text += f" — {self.fix}"
        return text


def location(path: str | Path, line: int | None = None, field: str | None = None) -> str:
    """Format a location as ``path:line (field)`` for messages."""
    where = str(path)
    if line is not None:
        where += f":{line}"
    if field:
        where += f" ({field})"
    return where


class ValidationError(VerhalenError):
    """Every problem found in one or more inputs, raised together."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        head = summary or f"{n} problem{'s' if n != 1 else ''} found"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}:\n{body}" if body else head)


class ConfigError(VerhalenError):
    """The project configuration is missing or invalid."""


class NotFoundError(VerhalenError):
    """A requested id, file or record does not exist."""


class VerhalenWarning(UserWarning):
    """A result is undefined or not meaningful (e.g. a statistic returned as ``nan``)."""
