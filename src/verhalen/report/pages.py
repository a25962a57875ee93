"""The overview page (``index``) and one page per practice (``praktijk_<id>``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from verhalen.report.blocks import (
    Bullets,
    FigureBlock,
    Heading,
    Link,
    Page,
    Paragraph,
    Quotes,
    TableBlock,
)
from verhalen.report.data import ReportData
from verhalen.report.figures import matrix_heatmap
from verhalen.report.matrices import (
    Matrix,
    code_table,
    factor_matrix,
    role_count_table,
    role_differences,
)
from verhalen.report.quotes import factor_codes, select_quotes, theme_keywords
from verhalen.report.tables import AttributeNames, participants_table, role_heading, role_plural

POOLING_NL = {
    "any": "als ten minste één codeur die code toekende",
    "majority": "als meer dan de helft van de codeurs die het fragment codeerden die code toekende",
    "consensus": "als alle codeurs die het fragment codeerden die code toekenden",
}


@dataclass(frozen=True)
class ReportOptions:
    """Settings of the report; every default is the documented choice.

    Attributes
    ----------
    k
        Small-cell minimum; ``None`` takes ``[report] small_cell_k`` (default 3).
    pooling
        How several coders' codings count: ``any``, ``majority`` or ``consensus``
        (:func:`verhalen.report.pooling.pool_codings`).
    attributes
        Participant attribute names for the participants table.
    quotes_per_factor
        Quotes per role and factor on a practice page.
    min_words, max_words, ideal_words
        Readable quote length (:func:`verhalen.report.quotes.select_quotes`).
    difference_pp
        Role differences of at least this many percentage points are flagged.
    threshold
        Share of a practice's participants from which a factor counts as present there
        (cross-case comparison, when not given a :class:`~verhalen.cluster.CrossCase`).
    top_codes
        Most frequent codes shown per role and factor.
    trace_suppressed
        Also list the ids behind suppressed cells in the appendix CSVs (internal use only:
        the ids reveal the hidden counts).
    """

    k: int | None = None
    pooling: str = "any"
    attributes: AttributeNames = field(default_factory=AttributeNames)
    quotes_per_factor: int = 2
    min_words: int = 12
    max_words: int = 70
    ideal_words: int = 35
    difference_pp: float = 30.0
    threshold: float = 0.5
    top_codes: int = 5
    trace_suppressed: bool = False


def _differences_blocks(
    data: ReportData, matrix: Matrix, options: ReportOptions, where: str
) -> list[Paragraph | Bullets]:
    diffs = role_differences(data, matrix, options.difference_pp, where)
    small = [r for r in matrix.groups if matrix.sizes[r] < data.k]
    out: list[Paragraph | Bullets] = []
    if diffs:
        out.append(
            Paragraph(
                f"Opvallende verschillen tussen rollen (ten minste {options.difference_pp:g} "
                "procentpunten):"
            )
        )
        out.append(Bullets([d.sentence for d in diffs]))
    else:
        out.append(
            Paragraph(
                f"Geen verschillen tussen rollen van {options.difference_pp:g} procentpunten "
                "of meer."
            )
        )
    if small:
        names = ", ".join(role_plural(r) for r in small)
        out.append(
            Paragraph(
                f"Rollen met minder dan {data.k} deelnemers ({names}) zijn niet vergeleken: "
                "dat zou te herleidbaar zijn.",
                "note",
            )
        )
    return out


def method_blocks(data: ReportData, options: ReportOptions) -> list[Paragraph]:
    """The 'Over dit rapport' paragraphs."""
    k = data.k
    paras = [
        Paragraph(
            f"Dit rapport vat {data.segments['participant_id'].nunique()} interviews samen, "
            f"per praktijk en per rol. Een fragment telt als gecodeerd met een code "
            f"{POOLING_NL[data.pooling]}. Een deelnemer noemt een factor als ten minste één "
            "van zijn of haar fragmenten een code van die factor heeft."
        ),
        Paragraph(
            f"Om herleidbaarheid te voorkomen staan aantallen deelnemers kleiner dan {k} als "
            f"“<{k}”, en staan van groepen met minder dan {k} deelnemers geen gemiddelden, "
            "percentages of aantallen fragmenten. Rollen zijn gerapporteerd zoals in de studie."
        ),
        Paragraph(
            "Citaten zijn gepseudonimiseerd en licht opgeschoond: transcriptienotities zoals "
            "(lacht) en stopklanken zoals ‘eh’ zijn weggelaten, lange fragmenten zijn ingekort "
            "tot hele zinnen (“…” markeert weggelaten tekst). Per rol en factor zijn citaten "
            "van verschillende deelnemers gekozen: eerst fragmenten met de meeste codes van de "
            "factor, dan met de meeste overeenstemming tussen codeurs, dan met een lengte "
            f"dichtbij {options.ideal_words} woorden ({options.min_words} tot "
            f"{options.max_words} woorden); bij gelijke stand beslist een vaste volgorde."
        ),
        Paragraph(
            "Elke tabel heeft een bijlage (CSV) met per cel de fragmenten en deelnemers die "
            "meetellen, zodat elk getal terug te volgen is."
        ),
    ]
    paras += [Paragraph(note, "note") for note in data.notes]
    return paras


def index_page(
    data: ReportData, options: ReportOptions, out_dir: Path, fictional: bool
) -> tuple[Page, Matrix]:
    """The overview: method, participants, factor × practice and factor × role."""
    config = data.config
    page = Page("index", config.report.title, "Overzicht")
    page.add(Paragraph(config.project.name))
    if fictional:
        page.add(
            Paragraph("Let op: dit rapport is gemaakt met fictieve voorbeeldgegevens.", "alert")
        )
    page.add(Heading(2, "Over dit rapport", "over-dit-rapport"), *method_blocks(data, options))

    people = participants_table(data.participants, config, data.k, options.attributes)
    page.add(Heading(2, "Deelnemers", "deelnemers"), TableBlock(people))

    by_practice = factor_matrix(data, "practice")
    rows = [data.factor_label(f) for f in by_practice.factors]
    page.add(
        Heading(2, "Factoren per praktijk", "factoren-per-praktijk"),
        TableBlock(by_practice.table),
        FigureBlock(
            matrix_heatmap(
                by_practice,
                rows,
                out_dir,
                "factoren_per_praktijk",
                "Deelnemers die een factor noemen, per praktijk",
                "Praktijk",
            )
        ),
        Paragraph(
            "Welke factoren in alle praktijken voorkomen staat op de pagina "
            "‘Vergelijking tussen praktijken’."
        ),
    )

    by_role = factor_matrix(
        data, "role", table_id="factoren_per_rol", caption="Factoren per rol (alle praktijken)"
    )
    page.add(
        Heading(2, "Factoren per rol", "factoren-per-rol"),
        TableBlock(by_role.table),
        FigureBlock(
            matrix_heatmap(
                by_role,
                rows,
                out_dir,
                "factoren_per_rol",
                "Deelnemers die een factor noemen, per rol",
                "Rol",
            )
        ),
        *_differences_blocks(data, by_role, options, "Alle praktijken samen"),
    )
    return page, by_practice


def practice_page(data: ReportData, practice: str, options: ReportOptions, out_dir: Path) -> Page:
    """A practice: participants, factor × role, and per role each factor's codes and quotes."""
    label = data.practice_label(practice)
    page = Page(f"praktijk_{practice}", label, label)
    segs = data.segments[data.segments["practice"] == practice]
    matrix = factor_matrix(
        data, "role", practice, f"factoren_per_rol_{practice}", f"Factoren per rol: {label}"
    )
    who = [role_plural(r) for r in matrix.groups]
    listed = " en ".join([", ".join(who[:-1]), who[-1]]) if len(who) > 1 else "".join(who)
    page.add(
        Paragraph(
            f"Wat de geïnterviewde {listed or 'deelnemers'} van {label} vertellen, per rol en "
            "per factor. Bij elke factor staan de codes die het vaakst voorkomen (de "
            "kenmerkende elementen in de gegevens) en enkele citaten."
        ),
        Heading(2, "Deelnemers", "deelnemers"),
        TableBlock(role_count_table(data, practice)),
    )
    rows = [data.factor_label(f) for f in matrix.factors]
    page.add(
        Heading(2, "Factoren per rol", "factoren-per-rol"),
        TableBlock(matrix.table),
        FigureBlock(
            matrix_heatmap(
                matrix,
                rows,
                out_dir,
                f"factoren_per_rol_{practice}",
                f"Deelnemers die een factor noemen, per rol: {label}",
                "Rol",
            )
        ),
        *_differences_blocks(data, matrix, options, label),
    )
    used: set[str] = set()
    forbidden = data.forbidden_names()
    for role in matrix.groups:
        page.add(Heading(2, role_heading(role), f"rol-{role}"))
        role_segs = segs[segs["role"] == role]
        # A quote signed with a role that fewer than k people in this practice have points
        # at one of them: such groups get their codes, but no quotes.
        quotable = matrix.sizes[role] >= data.k
        if not quotable:
            page.add(
                Paragraph(
                    f"Minder dan {data.k} deelnemers met deze rol in deze praktijk: geen "
                    "citaten, zodat niemand herkenbaar is.",
                    "note",
                )
            )
        any_factor = False
        for factor in data.factors:
            table = code_table(data, practice, role, factor.id, options.top_codes)
            if table is None:
                continue
            any_factor = True
            codes = factor_codes(data.codebook, factor.id)
            quotes = (
                []
                if not quotable
                else select_quotes(
                    role_segs,
                    data.pooled,
                    codes,
                    n=options.quotes_per_factor,
                    pooling=data.pooling,
                    min_words=options.min_words,
                    max_words=options.max_words,
                    ideal_words=options.ideal_words,
                    keywords=theme_keywords(data.codebook, codes),
                    practice_labels=data.config.practices,
                    role_mapping=data.role_mapping(),
                    exclude_segments=used,
                    forbidden=forbidden,
                )
            )
            used.update(q.segment_id for q in quotes)
            page.add(Heading(3, factor.label, f"{role}-{factor.id}"), TableBlock(table))
            if quotes:
                page.add(Quotes(quotes))
            elif quotable:
                page.add(Paragraph("Geen fragment van leesbare lengte om te citeren.", "note"))
        if not any_factor:
            page.add(Paragraph("Nog geen gecodeerde fragmenten.", "note"))
    return page


def nav_links(pages: list[Page]) -> list[Link]:
    return [Link(p.nav_label, p.id) for p in pages]
