"""Render report pages to HTML (jinja2, autoescaped) and Markdown.

The HTML is self-contained: the style sheet is inlined, figures are PNG files beside the
page (``figuren/``), and nothing is loaded from the network (no CDN, no web fonts).
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from verhalen.report.blocks import (
    Block,
    Bullets,
    FigureBlock,
    Heading,
    Link,
    Links,
    Page,
    Paragraph,
    Quotes,
    Raw,
    TableBlock,
)
from verhalen.report.tables import Table, markdown_table
from verhalen.report.text import md_escape


def _md_table(table: Table) -> str:
    parts = [f"**{md_escape(table.caption)}**", "", markdown_table(table), ""]
    parts += [f"_{md_escape(note)}_" + "\n" for note in table.notes]
    name = table.csv.rsplit("/", 1)[-1]
    parts.append(
        f"[Bijlage: {md_escape(name)}]({table.csv}) (CSV met per cel de fragmenten en deelnemers)"
    )
    return "\n".join(parts)


def markdown_block(block: Block) -> str:
    """One block as Markdown (text escaped, :func:`verhalen.report.text.md_escape`)."""
    if isinstance(block, Heading):
        return "#" * block.level + " " + md_escape(block.text)
    if isinstance(block, Paragraph):
        text = md_escape(block.text)
        return f"> {text}" if block.css else text
    if isinstance(block, Bullets):
        return "\n".join(f"- {md_escape(item)}" for item in block.items)
    if isinstance(block, Links):
        return "\n".join(
            f"- [{md_escape(link.text)}]({link.href('md')})"
            + (f": {md_escape(link.description)}" if link.description else "")
            for link in block.items
        )
    if isinstance(block, TableBlock):
        return _md_table(block.table)
    if isinstance(block, FigureBlock):
        fig = block.figure
        return f"![{md_escape(fig.alt)}]({fig.src})\n\n_{md_escape(fig.caption)}_"
    if isinstance(block, Quotes):
        return "\n\n".join(
            f"> “{md_escape(q.text)}”\n>\n> — _{md_escape(q.attribution)}_" for q in block.quotes
        )
    if isinstance(block, Raw):
        return block.markdown.strip()
    raise TypeError(f"unknown report block {block!r}")


def _environment(html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("verhalen", "templates/report"),
        autoescape=html,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["md_block"] = markdown_block
    return env


def render_page(page: Page, nav: list[Link], report_title: str) -> tuple[str, str]:
    """A page as ``(html, markdown)``."""
    context = {"page": page, "nav": nav, "report_title": report_title}
    html = _environment(True).get_template("page.html.j2").render(context)
    markdown = _environment(False).get_template("page.md.j2").render(context)
    markdown = "\n".join(line.rstrip() for line in markdown.splitlines())
    while "\n\n\n" in markdown:
        markdown = markdown.replace("\n\n\n", "\n\n")
    return html, markdown.strip() + "\n"
