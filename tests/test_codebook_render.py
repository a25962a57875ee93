"""The readable codebook document: every active code, Dutch headings, no real names."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import html as lxml_html

from verhalen.codebook import load_bundled, merge_codes, render_html, render_markdown
from verhalen.codebook.render import name_redactor, sections
from verhalen.records import Code, Codebook, Factor, Origin, OriginKind

WHEN = dt.datetime(2025, 3, 1, 10, 0)


@pytest.fixture(scope="module")
def changed() -> Codebook:
    """The six factors after a merge, with an inductive sub-code and a code without factor."""
    cb, _ = merge_codes(
        load_bundled("zes_factoren"),
        ["even_geen_moeder"],
        "tijd_voor_jezelf",
        "anna",
        "overlap",
        when=WHEN,
    )
    extra = [
        Code(
            id="mijn_uitje",
            label="Mijn uitje",
            definition="Uitje van Samira.",
            parent="tijd_voor_jezelf",
            examples=["Samira zegt: dat is mijn uitje."],
            origin=Origin(
                kind=OriginKind.inductive, segment_id="int01-t017", quote="Samira: geheim citaat"
            ),
        ),
        Code(id="los", label="Losse code", definition="Nog geen factor."),
    ]
    return cb.model_copy(update={"codes": [*cb.codes, *extra]})


@pytest.mark.parametrize("render", [render_markdown, render_html])
def test_every_active_code_is_rendered_and_inactive_ones_are_listed_apart(
    changed: Codebook, render: object
) -> None:
    text = render(changed)  # type: ignore[operator]
    for code in changed.active_codes:
        assert code.id in text and code.definition.split()[0] in text
    for factor in changed.factors:
        assert factor.kenmerkende_elementen[0] in text
    for heading in (
        "Definitie",
        "Wel coderen als",
        "Niet coderen als",
        "Voorbeelden",
        "Herkomst",
        "Kenmerkende elementen",
        "Samengevoegde en vervallen codes",
        "Wijzigingen",
        "Codes zonder factor",
    ):
        assert heading in text, heading
    assert "samengevoegd in" in text and "even_geen_moeder" in text
    assert "Herkent u deze code?" not in text


def test_markdown_structure_follows_factors_and_depth(changed: Codebook) -> None:
    md = render_markdown(changed)
    assert md.startswith("# Codeboek: Zes factoren")
    factor_headings = re.findall(r"^## (.+)$", md, flags=re.MULTILINE)
    assert factor_headings[1:8] == [f.label for f in changed.factors]
    assert "#### Mijn uitje (`mijn_uitje`)" in md  # a sub-code one level deeper
    assert "inductief, uit de data (fragment int01-t017)" in md
    # the active main section does not show the merged code as a heading
    assert "### Even geen moeder" not in md
    assert "| 1.1 | 2025-03-01 | anna |" in md


def test_feedback_lines_for_practitioners(changed: Codebook) -> None:
    md = render_markdown(changed, feedback=True)
    assert md.count("Herkent u deze code?") == len(changed.active_codes)


def test_names_are_redacted_and_stored_quotes_never_rendered(changed: Codebook) -> None:
    redact = name_redactor(["Samira El Amrani", "Gerda van der Berg"])
    for text in (render_markdown(changed, redact=redact), render_html(changed, redact=redact)):
        assert "Samira" not in text and "geheim citaat" not in text
        assert "[naam] zegt: dat is mijn uitje." in text
    assert redact("De Berg en Gerda, van Amrani") == "De [naam] en [naam], van [naam]"
    assert name_redactor([])("Samira") == "Samira"


def test_html_is_well_formed_and_escaped() -> None:
    cb = Codebook(
        id="t",
        name="<script>x</script>",
        factors=[Factor(id="f", label="F & G")],
        codes=[Code(id="a", label="A <b>", definition="1 < 2", parent="f")],
    )
    page = render_html(cb)
    assert "<script>x" not in page and "&lt;script&gt;" in page
    tree = lxml_html.fromstring(page)
    assert tree.xpath("//section[@id='f']//h3")[0].text_content().startswith("A <b>")
    assert tree.get("lang") == "nl"


def test_sections_put_orphans_last(changed: Codebook) -> None:
    found = sections(changed)
    assert found[-1].factor is None and [c.id for c, _ in found[-1].codes] == ["los"]
    depth = {c.id: d for s in found for c, d in s.codes}
    assert depth["mijn_uitje"] == 1 and depth["tijd_voor_jezelf"] == 0
