"""The REFI-QDA XML schemas: find them and validate what ``verhalen`` writes.

The authoritative copies live in the shared folder beside the repository
(``../shared/refi-qda/schema/``); ``verhalen`` also ships unmodified copies as package
data (``verhalen/data/refi-qda/``, MIT, see the LICENSE note there), so validation always
runs, also in an installed package without the shared folder.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Literal

from lxml import etree

from verhalen.errors import Problem, ValidationError, VerhalenError
from verhalen.interchange.safe import xml_parser

SchemaName = Literal["project", "codebook"]
FILES: dict[str, str] = {"project": "Project-mrt2019.xsd", "codebook": "Codebook.xsd"}


def shared_schema_dir() -> Path:
    """``<repository>/../shared/refi-qda/schema`` (may not exist)."""
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "refi-qda" / "schema"


def schema_path(name: SchemaName) -> Path:
    """The XSD file to validate against: the shared copy if present, else the packaged one."""
    shared = shared_schema_dir() / FILES[name]
    if shared.is_file():
        return shared
    packaged = resources.files("verhalen").joinpath("data", "refi-qda", FILES[name])
    with resources.as_file(packaged) as path:
        if not Path(path).is_file():
            raise VerhalenError(
                f"the REFI-QDA schema {FILES[name]} is missing from both {shared} and the "
                "installed package — reinstall verhalen"
            )
        return Path(path)


@functools.cache
def load_schema(name: SchemaName) -> etree.XMLSchema:
    """The compiled schema (cached)."""
    path = schema_path(name)
    return etree.XMLSchema(etree.parse(str(path), xml_parser()))


def validate(root: etree._Element, name: SchemaName, where: str) -> None:
    """Validate an element tree; raise :class:`ValidationError` listing every violation."""
    schema = load_schema(name)
    if schema.validate(root):
        return
    problems = [
        Problem(
            f"{where}:{err.line}",
            err.message,
            "this is a bug in verhalen's REFI-QDA writer — please report it",
        )
        for err in schema.error_log  # type: ignore[attr-defined]
    ]
    raise ValidationError(problems, summary=f"{where}: not valid against {FILES[name]}")
