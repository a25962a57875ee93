"""Codebook exchange (.qdc): write_qdc / read_qdc, the Dutch description block, samples."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from verhalen.errors import ValidationError, VerhalenError
from verhalen.interchange import blocks
from verhalen.interchange.qdc import qdc_bytes, read_qdc, write_qdc
from verhalen.interchange.schema import load_schema
from verhalen.records import (
    ChangeEntry,
    Code,
    Codebook,
    CodeStatus,
    Factor,
    FactorKind,
    Origin,
    OriginKind,
)

SHARED = Path(__file__).parents[1].parent / "shared"
SAMPLES = SHARED / "refi-qda" / "samples"
needs_shared = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"shared REFI-QDA samples not found at {SAMPLES}"
)

# XML 1.0 can hold these; the writer would replace anything else by U+FFFD.
CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
)
XML_TEXT = st.text(CHARS | st.sampled_from("\n\r\t ab🙂é"), max_size=30)
LABELS = st.text(CHARS | st.sampled_from(" ab🙂é"), min_size=1, max_size=20).filter(str.strip)
TRICKY = st.sampled_from(
    ["", " ", '"citaat"', "- lijst", "a: b", "=== verhalen ===", "regel\nregel", "  spatie ", "🙂"]
)
VALUES = TRICKY | XML_TEXT
SLUGS = st.text("abcdefgh_0123", max_size=8).map(lambda s: "c" + s)
COLORS = st.none() | st.sampled_from(["#46AA00", "#c95858", "#abc", "groen", "#123456"])


def six_factors() -> Codebook:
    return Codebook(
        id="zes_factoren",
        name="Zes factoren",
        version="1.3",
        description="Factoren uit de studie",
        factors=[
            Factor(
                id="uitwisselen_en_leren",
                label="Uitwisselen en leren",
                description="Leren van elkaar",
                kenmerkende_elementen=["tips", "herkenning"],
                color="#1F77B4",
            ),
            Factor(id="structuur", label="Structuur", kind=FactorKind.procesmatig),
        ],
        codes=[
            Code(
                id="tips_en_advies",
                label="Tips en advies",
                parent="uitwisselen_en_leren",
                definition="Ouders wisselen praktische tips uit.",
                inclusion=["een ouder geeft of krijgt een concrete tip"],
                exclusion=["tips van de professional"],
                examples=['"Probeer het eens met een beloningskaart."'],
                keywords=["tip", "advies"],
                color="#ff7f0e",
            ),
            Code(id="herkenning", label="Herkenning", parent="tips_en_advies", color="#abc"),
            Code(
                id="goed_nieuws_ronde",
                label="Goed-nieuwsronde",
                parent="structuur",
                origin=Origin(kind=OriginKind.inductive, segment_id="int03-t004", quote="leuk"),
                status=CodeStatus.retired,
                created=dt.date(2025, 3, 1),
            ),
            Code(id="locatie", label="Locatie", color="groen"),
        ],
        changelog=[
            ChangeEntry(
                version="1.3",
                when=dt.datetime(2025, 4, 1, 10, 0, tzinfo=dt.UTC),
                who="codeur_a",
                action="edit",
                codes=["herkenning"],
                what="definitie -- aangescherpt",
            )
        ],
    )


def test_write_validates_and_round_trips(tmp_path: Path) -> None:
    codebook = six_factors()
    path = tmp_path / "zes_factoren.qdc"
    write_qdc(codebook, path)
    root = etree.parse(str(path)).getroot()
    assert load_schema("codebook").validate(root)
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    factor = root.find("{*}Codes/{*}Code")
    assert factor is not None and factor.get("isCodable") == "false"
    assert read_qdc(path) == codebook


def test_same_codebook_gives_same_bytes(tmp_path: Path) -> None:
    write_qdc(six_factors(), tmp_path / "a.qdc")
    write_qdc(six_factors(), tmp_path / "b.qdc")
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "b.qdc").read_bytes()


def test_description_block_is_readable_dutch(tmp_path: Path) -> None:
    data, _ = qdc_bytes(six_factors())
    text = data.decode("utf-8")
    assert "=== verhalen ===" in text
    assert "Insluiten:\n- een ouder geeft of krijgt een concrete tip" in text
    assert "Trefwoorden:\n- tip\n- advies" in text
    assert 'color="#AABBCC"' not in text and 'color="#aabbcc"' in text  # #abc as #RRGGBB
    assert "Kleur: #abc" in text  # the original kept for the round trip


def test_colours_are_rrggbb_and_survive_other_programs(tmp_path: Path) -> None:
    # A program that keeps the attribute but rewrites the description keeps the colour.
    path = tmp_path / "x.qdc"
    path.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="A" isCodable="true" '
        'color="#46aa00"/></Codes></CodeBook>',
        encoding="utf-8",
    )
    assert read_qdc(path).codes[0].color == "#46aa00"


@pytest.mark.parametrize(
    "namespace",
    ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:0:4", "urn:QDA-XML:codebook:1:0", None],
)
def test_namespace_variants_and_hierarchy(tmp_path: Path, namespace: str | None) -> None:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    path = tmp_path / "NVivo Codes.qdc"
    path.write_text(
        f'<?xml version="1.0"?><CodeBook{xmlns} origin="NVivo"><Codes>'
        '<Code guid="{20000000-0000-0000-0000-000000000001}" name="Topics" isCodable="false">'
        '<Code guid="20000000-0000-0000-0000-000000000002" name="Gezondheid &amp; zorg" '
        'isCodable="true" color="#33cc33"><Description>Over gezondheid</Description>'
        '<Code guid="20000000-0000-0000-0000-000000000003" name="programming" isCodable="true"/>'
        "</Code>"
        '<Code guid="20000000-0000-0000-0000-000000000004" name="programming" isCodable="true"/>'
        "</Code></Codes></CodeBook>",
        encoding="utf-8",
    )
    codebook = read_qdc(path)
    assert codebook.id == "nvivo_codes"
    assert [(f.id, f.kind) for f in codebook.factors] == [("topics", FactorKind.overig)]
    assert [(c.id, c.parent) for c in codebook.codes] == [
        ("gezondheid_zorg", "topics"),
        ("programming", "gezondheid_zorg"),
        ("programming_2", "topics"),
    ]
    assert codebook.codes[0].definition == "Over gezondheid"
    assert codebook.factor_of("programming") == "topics"


@needs_shared
def test_atlasti_codebook_sample() -> None:
    codebook = read_qdc(SAMPLES / "atlasti-win-23.4.0_codebook.qdc")
    code = codebook.codes[0]
    assert (code.label, code.definition, code.color) == ("code1", "description", "#46AA00")
    # the ATLAS.ti code group becomes a factor holding its codes
    assert [(f.label, f.description) for f in codebook.factors] == [("code group 1", "kategorie 1")]
    assert code.parent == codebook.factors[0].id


@needs_shared
def test_invalid_sample_fails_clearly() -> None:
    with pytest.raises(ValidationError) as info:
        read_qdc(SAMPLES / "invalid_codebook_non-guid-ids.qdc")
    message = str(info.value)
    assert "invalid_codebook_non-guid-ids.qdc:8 (Code@guid)" in message
    assert "'c001' is not a GUID" in message
    assert len(info.value.problems) > 10  # every bad id, not just the first


def test_empty_codebook_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(VerhalenError, match="no factors or codes"):
        write_qdc(Codebook(id="leeg", name="Leeg"), tmp_path / "leeg.qdc")
    assert not (tmp_path / "leeg.qdc").exists()


def test_not_a_codebook(tmp_path: Path) -> None:
    path = tmp_path / "x.qdc"
    path.write_text("<Something/>", encoding="utf-8")
    with pytest.raises(VerhalenError, match="not <CodeBook>"):
        read_qdc(path)


def test_block_parse_tolerates_crlf_and_unknown_lines() -> None:
    text = "Definitie\r\n\r\n=== verhalen ===\r\nId: x\r\nEigen regel\r\nTrefwoorden:\r\n- a\r\n"
    block = blocks.parse(text)
    assert block.text == "Definitie"
    assert block.get("id") == "x"
    assert block.items("Trefwoorden") == ["a"]


@st.composite
def codebooks(draw: st.DrawFn) -> Codebook:
    ids = draw(st.lists(SLUGS, min_size=1, max_size=6, unique=True))
    n_factors = draw(st.integers(0, min(2, len(ids) - 1)))
    factors = [
        Factor(
            id=ids[i],
            label=draw(LABELS),
            description=draw(VALUES),
            kind=draw(st.sampled_from(list(FactorKind))),
            kenmerkende_elementen=draw(st.lists(VALUES, max_size=3)),
            color=draw(COLORS),
        )
        for i in range(n_factors)
    ]
    codes = []
    for i in range(n_factors, len(ids)):
        codes.append(
            Code(
                id=ids[i],
                label=draw(LABELS),
                definition=draw(VALUES),
                inclusion=draw(st.lists(VALUES, max_size=3)),
                exclusion=draw(st.lists(VALUES, max_size=2)),
                examples=draw(st.lists(VALUES, max_size=2)),
                keywords=draw(st.lists(VALUES, max_size=3)),
                lemma_patterns=draw(st.lists(SLUGS, max_size=2)),
                patterns=draw(
                    st.lists(st.sampled_from([r"\btip", r"steun(en)?", "a|b"]), max_size=2)
                ),
                origin=draw(
                    st.builds(
                        Origin,
                        kind=st.sampled_from(list(OriginKind)),
                        source=st.none() | VALUES,
                        quote=st.none() | VALUES,
                    )
                ),
                parent=draw(st.none() | st.sampled_from(ids[:i])) if i else None,
                status=draw(st.sampled_from(list(CodeStatus))),
                merged_into=draw(st.none() | SLUGS),
                color=draw(COLORS),
                created=draw(st.none() | st.dates()),
            )
        )
    return canonical_order(
        Codebook(id=draw(SLUGS), name=draw(XML_TEXT), factors=factors, codes=codes)
    )


def canonical_order(codebook: Codebook) -> Codebook:
    """Codes in the order a code tree is written: per factor depth-first, then the rest."""
    children: dict[str | None, list[Code]] = {}
    for code in codebook.codes:
        children.setdefault(code.parent, []).append(code)
    out: list[Code] = []

    def walk(parent: str) -> None:
        for child in children.get(parent, []):
            out.append(child)
            walk(child.id)

    for factor in codebook.factors:
        walk(factor.id)
    for code in children.get(None, []):
        out.append(code)
        walk(code.id)
    return codebook.model_copy(update={"codes": out})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebook=codebooks())
def test_qdc_round_trip_is_lossless(
    tmp_path_factory: pytest.TempPathFactory, codebook: Codebook
) -> None:
    path = tmp_path_factory.mktemp("qdc") / f"{codebook.id}.qdc"
    write_qdc(codebook, path)
    assert read_qdc(path) == codebook


@settings(max_examples=60, deadline=None)
@given(text=VALUES, items=st.lists(VALUES, max_size=4), scalar=VALUES)
def test_block_round_trip(text: str, items: list[str], scalar: str) -> None:
    entries: list[blocks.Entry] = [("Id", "x"), ("Herkomst bron", scalar), ("Voorbeelden", items)]
    rendered = blocks.render(text, entries)
    block = blocks.parse(rendered)
    assert block.text == text
    assert block.get("herkomst bron") == scalar
    assert block.items("voorbeelden") == items
