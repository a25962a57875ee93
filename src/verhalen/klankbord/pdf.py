"""PDF versions of the posters (A3 portrait) and of the paper feedback form (A4), with fpdf2.

Text is set in DejaVu Sans, the TTF font that ships inside matplotlib, so every Dutch
character (ë, ï, é, curly quotes, the ellipsis, tick boxes ☐) prints. Output is
reproducible: the creation date is fixed (:data:`FIXED_DATE`), so the same posters give
byte-identical PDFs. Each poster fits one page: the layout is measured first (fpdf2's
``dry_run``) and the type scaled down in steps when a poster would run off the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import cast

import matplotlib
from fpdf import FPDF

from verhalen.klankbord.content import Poster
from verhalen.klankbord.feedback_form import RECOGNITION, FormSpec

FIXED_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
FONT = "DejaVu"
MUTED = (74, 74, 74)
INK = (29, 29, 31)
SOFT = (243, 245, 247)
A3 = (297.0, 420.0)
MARGIN = 18.0
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6)
PT = 0.3528  # mm per point


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """Matplotlib's bundled TTF fonts (DejaVu Sans)."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def new_pdf(page_format: str, title: str) -> FPDF:
    """An empty PDF with DejaVu Sans (regular and bold) and a fixed creation date."""
    pdf = FPDF(orientation="portrait", unit="mm", format=page_format)
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        pdf.add_font(FONT, style, str(font_dir() / name))
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_author("verhalen")
    pdf.set_creator("verhalen")
    pdf.set_lang("nl")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    return pdf


def rgb(color: str) -> tuple[int, int, int]:
    """``#1b6ca8`` → ``(27, 108, 168)``; anything else gives a neutral blue."""
    value = color.lstrip("#")
    if len(value) != 6:
        return (27, 108, 168)
    try:
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except ValueError:
        return (27, 108, 168)


def _text(
    pdf: FPDF,
    x: float,
    y: float,
    w: float,
    size: float,
    text: str,
    *,
    style: str = "",
    color: tuple[int, int, int] = INK,
    draw: bool = True,
    spacing: float = 1.25,
) -> float:
    """Write wrapped text at ``(x, y)``; returns its height (measured with ``dry_run``)."""
    pdf.set_font(FONT, style, size)
    line = size * PT * spacing
    if not draw:
        return cast(float, pdf.multi_cell(w, line, text, align="L", dry_run=True, output="HEIGHT"))
    pdf.set_text_color(*color)
    pdf.set_xy(x, y)
    return cast(
        float,
        pdf.multi_cell(w, line, text, align="L", new_x="LMARGIN", new_y="NEXT", output="HEIGHT"),
    )


def _poster_body(pdf: FPDF, poster: Poster, scale: float, draw: bool) -> float:
    """Lay out a poster's header, elements and quotes; returns the bottom y."""
    color = rgb(poster.color)
    width, _ = A3
    left, inner = MARGIN, width - 2 * MARGIN
    badge = 34.0
    if draw:
        pdf.set_fill_color(*color)
        pdf.rect(0, 0, width, 14, style="F")
        pdf.ellipse(left, 26, badge, badge, style="F")
        pdf.set_font(FONT, "B", 60)
        pdf.set_text_color(255, 255, 255)
        pdf.set_xy(left, 26)
        pdf.cell(badge, badge, str(poster.number), align="C")
    x = left + badge + 10
    y = 26.0
    y += _text(pdf, x, y, width - MARGIN - x, 24 * scale, poster.kind_text, color=MUTED, draw=draw)
    y += _text(pdf, x, y, width - MARGIN - x, 50 * scale, poster.factor_label, style="B", draw=draw)
    y = max(y, 26 + badge) + 12 * scale
    heading = "Dit hoort erbij"
    y += _text(pdf, left, y, inner, 28 * scale, heading, style="B", color=color, draw=draw)
    y += 3 * scale
    for element in poster.elements:
        _text(pdf, left + 4, y, 10, 34 * scale, "•", color=color, draw=draw)
        y += _text(pdf, left + 16, y, inner - 16, 34 * scale, element.label, draw=draw)
        y += 3 * scale
    if poster.quotes:
        y += 9 * scale
        heading = "Wat mensen vertelden"
        y += _text(pdf, left, y, inner, 28 * scale, heading, style="B", color=color, draw=draw)
        y += 4 * scale
        for quote in poster.quotes:
            top = y
            y += _text(
                pdf,
                left + 10,
                y + 3,
                inner - 14,
                28 * scale,
                f"“{quote.text}”",
                draw=draw,
            )
            y += (
                _text(
                    pdf,
                    left + 10,
                    y + 4,
                    inner - 14,
                    20 * scale,
                    f"— {quote.attribution}",
                    color=MUTED,
                    draw=draw,
                )
                + 7
            )
            if draw:
                pdf.set_fill_color(*color)
                pdf.rect(left, top, 4, y - top - 2, style="F")
            y += 6 * scale
    return y


def _poster_footer(pdf: FPDF, poster: Poster, draw: bool) -> float:
    """Draw (or measure) the footer at the bottom of the page; returns its top y."""
    width, height = A3
    inner = width - 2 * MARGIN
    practice = poster.practice_label + (
        " · voorbeeld met verzonnen gegevens" if poster.fictional else ""
    )
    h_question = _text(pdf, 0, 0, inner, 30, "Herkent u dit? Wat mist er?", style="B", draw=False)
    h_practice = _text(pdf, 0, 0, inner, 16, practice, draw=False)
    top = height - MARGIN - h_question - h_practice - 2
    if draw:
        _text(pdf, MARGIN, top, inner, 30, "Herkent u dit? Wat mist er?", style="B")
        _text(pdf, MARGIN, top + h_question + 2, inner, 16, practice, color=MUTED)
    return top


def draw_poster(pdf: FPDF, poster: Poster) -> None:
    """Add one poster as an A3 page, scaling the type down until it fits."""
    pdf.add_page(format="A3")
    footer_top = _poster_footer(pdf, poster, draw=False)
    scale = SCALES[-1]
    for candidate in SCALES:
        if _poster_body(pdf, poster, candidate, draw=False) <= footer_top - 8:
            scale = candidate
            break
    _poster_body(pdf, poster, scale, draw=True)
    _poster_footer(pdf, poster, draw=True)


def _cover(pdf: FPDF, posters: Sequence[Poster]) -> None:
    first = posters[0]
    width, _ = A3
    inner = width - 2 * MARGIN
    pdf.add_page(format="A3")
    y = 60.0
    y += _text(pdf, MARGIN, y, inner, 26, "Posters voor de klankbordgroepen", color=MUTED)
    y += _text(pdf, MARGIN, y + 4, inner, 54, first.practice_label, style="B") + 20
    for poster in posters:
        pdf.set_fill_color(*rgb(poster.color))
        pdf.ellipse(MARGIN, y, 16, 16, style="F")
        pdf.set_font(FONT, "B", 28)
        pdf.set_text_color(255, 255, 255)
        pdf.set_xy(MARGIN, y)
        pdf.cell(16, 16, str(poster.number), align="C")
        y += max(_text(pdf, MARGIN + 24, y + 2, inner - 24, 28, poster.factor_label), 16) + 8
    if first.fictional:
        _text(pdf, MARGIN, y + 10, inner, 18, "Voorbeeld met verzonnen gegevens.", color=MUTED)


def posters_pdf(posters: Sequence[Poster], cover: bool = False) -> bytes:
    """Posters as one A3 PDF (one page each), optionally after a cover page with the list."""
    if not posters:
        raise ValueError("posters_pdf needs at least one poster")
    first = posters[0]
    title = (
        f"Posters – {first.practice_label}"
        if cover or len(posters) > 1
        else f"{first.factor_label} – {first.practice_label}"
    )
    pdf = new_pdf("A3", title)
    if cover:
        _cover(pdf, posters)
    for poster in posters:
        draw_poster(pdf, poster)
    return bytes(pdf.output())


# --------------------------------------------------------------------------- paper form

A4 = (210.0, 297.0)
FORM_MARGIN = 14.0


def _boxes(pdf: FPDF, x: float, y: float) -> None:
    pdf.set_font(FONT, "", 12)
    pdf.set_text_color(*INK)
    pdf.set_xy(x, y)
    pdf.cell(0, 7, "   ".join(f"☐ {r}" for r in RECOGNITION))


def _form_factor(
    pdf: FPDF, y: float, number: int, label: str, color: str, rows: Sequence[str]
) -> float:
    width, height = A4
    inner = width - 2 * FORM_MARGIN
    need = 14 + 16 * (len(rows) + 1) + 22
    if y + need > height - FORM_MARGIN:
        pdf.add_page()
        y = FORM_MARGIN
    pdf.set_fill_color(*rgb(color))
    pdf.rect(FORM_MARGIN, y, inner, 4, style="F")
    y += 6
    y += _text(pdf, FORM_MARGIN, y, inner, 15, f"{number}. {label}", style="B") + 2
    pdf.set_draw_color(150, 150, 150)
    for row in ["De hele poster", *rows]:
        h = _text(pdf, FORM_MARGIN, y, 70, 12, row)
        _boxes(pdf, FORM_MARGIN + 72, y)
        y += max(h, 7) + 1
        _text(pdf, FORM_MARGIN, y, 30, 10, "Waarom?", color=MUTED)
        pdf.line(FORM_MARGIN + 20, y + 5, FORM_MARGIN + inner, y + 5)
        y += 8
    y += _text(pdf, FORM_MARGIN, y, inner, 12, "Wat wilt u toevoegen?", style="B")
    for _ in range(2):
        y += 8
        pdf.line(FORM_MARGIN, y, FORM_MARGIN + inner, y)
    return y + 8


def form_pdf(spec: FormSpec) -> bytes:
    """The paper feedback form of one respondent (A4): per poster tick boxes, then ranks."""
    width, height = A4
    inner = width - 2 * FORM_MARGIN
    pdf = new_pdf("A4", f"Feedbackformulier – {spec.practice_label} – {spec.group_label}")
    pdf.set_margins(FORM_MARGIN, FORM_MARGIN, FORM_MARGIN)
    pdf.add_page()
    y = FORM_MARGIN
    y += _text(pdf, FORM_MARGIN, y, inner, 22, "Wat vindt u ervan?", style="B") + 1
    y += _text(pdf, FORM_MARGIN, y, inner, 13, f"{spec.practice_label} – {spec.group_label}")
    y += _text(pdf, FORM_MARGIN, y + 2, inner, 13, "Nummer deelnemer: ________    Datum: ________")
    intro = (
        "Bij elke poster: herkent u dit? Zet een kruisje bij ja, deels of nee. "
        "Vertel waarom. Schrijf geen namen op."
    )
    y += _text(pdf, FORM_MARGIN, y + 4, inner, 12, intro) + 8
    for factor in spec.factors:
        y = _form_factor(
            pdf, y, factor.number, factor.label, factor.color, [e.label for e in factor.elements]
        )
    if y + 30 + 12 * len(spec.factors) > height - FORM_MARGIN:
        pdf.add_page()
        y = FORM_MARGIN
    y += _text(pdf, FORM_MARGIN, y, inner, 15, "Wat vindt u het belangrijkst?", style="B") + 1
    n = len(spec.factors)
    ranks = (
        f"Zet een 1 bij het belangrijkste. Dan een 2, een 3, tot en met {n}. "
        "Gebruik elk getal één keer."
    )
    y += _text(pdf, FORM_MARGIN, y, inner, 12, ranks) + 3
    for factor in spec.factors:
        pdf.rect(FORM_MARGIN, y, 14, 10)
        _text(pdf, FORM_MARGIN + 18, y + 2, inner - 18, 12, f"{factor.number}. {factor.label}")
        y += 13
    note = f"Formulierversie {spec.version}"
    if spec.fictional:
        note += " · voorbeeld met verzonnen gegevens"
    _text(pdf, FORM_MARGIN, height - FORM_MARGIN - 5, inner, 9, note, color=MUTED)
    return bytes(pdf.output())
