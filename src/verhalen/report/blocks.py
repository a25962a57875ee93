"""The building blocks of report pages, rendered alike to HTML and Markdown.

A page is a title and a list of blocks; the templates (``templates/report/``) render each
kind of block in both formats, so the HTML and the Markdown carry the same content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from verhalen.report.figures import Figure
from verhalen.report.quotes import Quote
from verhalen.report.tables import Table


@dataclass(frozen=True)
class Link:
    """A link to a report page (``page=True``: an id such as ``praktijk_x``) or a file."""

    text: str
    target: str
    page: bool = True
    description: str = ""

    def href(self, ext: str) -> str:
        if not self.page:
            return self.target
        stem, _, anchor = self.target.partition("#")
        return f"{stem}.{ext}" + (f"#{anchor}" if anchor else "")


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    css: str = ""  # "note" or "alert"


@dataclass(frozen=True)
class Bullets:
    kind: ClassVar[str] = "bullets"
    items: list[str]


@dataclass(frozen=True)
class Links:
    kind: ClassVar[str] = "links"
    items: list[Link]


@dataclass(frozen=True)
class TableBlock:
    kind: ClassVar[str] = "table"
    table: Table


@dataclass(frozen=True)
class FigureBlock:
    kind: ClassVar[str] = "figure"
    figure: Figure


@dataclass(frozen=True)
class Quotes:
    kind: ClassVar[str] = "quotes"
    quotes: list[Quote]


@dataclass(frozen=True)
class Raw:
    """A fragment written by another stage (e.g. the calibration summary)."""

    kind: ClassVar[str] = "raw"
    html: str
    markdown: str


Block = Heading | Paragraph | Bullets | Links | TableBlock | FigureBlock | Quotes | Raw


@dataclass
class Page:
    """One report page: ``<id>.html`` and ``<id>.md``."""

    id: str
    title: str
    nav_label: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    @property
    def tables(self) -> list[Table]:
        return [b.table for b in self.blocks if isinstance(b, TableBlock)]

    @property
    def quotes(self) -> list[Quote]:
        return [q for b in self.blocks if isinstance(b, Quotes) for q in b.quotes]


def anchor(text: str) -> str:
    """An HTML id from a heading text."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "sectie"
