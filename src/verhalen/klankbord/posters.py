"""Posters as HTML pages (A3 portrait print CSS), their index pages and factor badges.

Layout of ``reports/posters/``::

    index.html                      every practice, with its posters
    img/<factor>.svg                a coloured badge with the factor's number
    <practice>/index.html           the posters of one practice (HTML and PDF links)
    <practice>/<factor>.html|.pdf   one poster
    <practice>/alle_posters.pdf     every poster of the practice in one PDF

Pages are rendered with Jinja2 (``verhalen/templates/klankbord``), self-contained (inline
CSS, no fonts or scripts from the network) and deterministic: no dates, no random ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import jinja2

from verhalen.klankbord.content import Poster

COMBINED_PDF = "alle_posters.pdf"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the klankbord templates (autoescaped, strict)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("verhalen", "templates/klankbord"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """Render a klankbord template."""
    return environment().get_template(template).render(**context)


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class IndexItem:
    """One line of an index page: a link, optional badge image and extra links."""

    href: str
    text: str
    img: str = ""
    alt: str = ""
    extra: tuple[Link, ...] = field(default_factory=tuple)


def badge_svg(number: int, color: str) -> str:
    """A round badge with the factor's number (a visual anchor for readers who read little)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">'
        f'<circle cx="64" cy="64" r="60" fill="{escape(color)}"/>'
        '<text x="64" y="64" dy="0.35em" text-anchor="middle" font-family="DejaVu Sans, Arial, '
        f'sans-serif" font-size="72" font-weight="bold" fill="#ffffff">{number}</text></svg>\n'
    )


def poster_html(poster: Poster) -> str:
    """One poster as a printable HTML page (``@page { size: A3 portrait }``)."""
    return render("poster.html.j2", poster=poster)


def practice_index_html(posters: Sequence[Poster], forms: Sequence[Link] = ()) -> str:
    """The index page of one practice's posters (with links to the PDFs and forms)."""
    if not posters:
        raise ValueError("practice_index_html needs at least one poster")
    first = posters[0]
    items = [
        IndexItem(
            f"{p.factor_id}.html",
            f"{p.number}. {p.factor_label}",
            img=f"../img/{p.factor_id}.svg",
            alt=f"Factor {p.number}",
            extra=(Link(f"{p.factor_id}.pdf", "PDF"),),
        )
        for p in posters
    ]
    sections: list[dict[str, Any]] = [{"heading": "", "items": items}]
    sections.append(
        {
            "heading": "Afdrukken",
            "items": [IndexItem(COMBINED_PDF, "Alle posters in één PDF (A3)")]
            + [IndexItem(f.href, f.text) for f in forms],
        }
    )
    return render(
        "index.html.j2",
        title=f"Posters voor de klankbordgroepen – {first.practice_label}",
        intro="Elke poster laat één factor zien, met wat erbij hoort en wat mensen vertelden.",
        sections=sections,
        up=Link("../index.html", "Alle praktijken"),
        fictional=first.fictional,
    )


def overview_html(posters: Mapping[str, Sequence[Poster]]) -> str:
    """The index of every practice (``reports/posters/index.html``)."""
    sections = []
    fictional = False
    for practice, items in posters.items():
        if not items:
            continue
        fictional = fictional or items[0].fictional
        sections.append(
            {
                "heading": items[0].practice_label,
                "items": [IndexItem(f"{practice}/index.html", "Alle posters van deze praktijk")]
                + [
                    IndexItem(
                        f"{practice}/{p.factor_id}.html",
                        f"{p.number}. {p.factor_label}",
                        img=f"img/{p.factor_id}.svg",
                        alt=f"Factor {p.number}",
                    )
                    for p in items
                ],
            }
        )
    return render(
        "index.html.j2",
        title="Posters voor de klankbordgroepen",
        intro="Per praktijk een poster voor elke factor.",
        sections=sections,
        up=None,
        fictional=fictional,
    )
