"""Report tables with traceable cells, small-cell suppression and the participants table.

Every number in the report is a :class:`Cell` that remembers what it counts: the
participant ids, segment ids and/or code ids behind it. :func:`write_trace_csv` writes
them as an appendix (``reports/bijlagen/<table>.csv``), so every figure can be followed back
to the segments.

Small-cell suppression (statistical disclosure control)
-------------------------------------------------------
With ``k`` the configured minimum (``[report] small_cell_k``, default 3):

* a count of participants below ``k`` is shown as ``"<k"`` (a zero too: ``"<3"`` is true
  for it and does not single out a group whose members all stayed silent);
* a statistic derived from fewer than ``k`` participants (a mean age, a share) is not
  shown ("–"): for a role group smaller than ``k`` all its derived statistics are hidden;
* the total row shows a derived statistic only when the hidden groups together hold zero
  or at least ``k`` participants, so the hidden values cannot be recovered by subtracting
  the shown groups from the total (differencing).

These are the primary suppression and the protection against differencing of the standard
guidance on tabular data (Hundepool et al. 2012, *Statistical Disclosure Control*, Wiley,
ch. 5 "Frequency tables" and 4 "Magnitude tables").

In the appendix CSVs a suppressed cell shows the same ``"<k"`` and, unless the report is
built for internal use (``trace_suppressed=True``), no ids, because listing them would
reveal the hidden count.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from verhalen.config import ProjectConfig
from verhalen.records import AttributeValue, Participant
from verhalen.report.text import decimal_nl, md_escape, percent_nl

CSV_COLUMNS = [
    "tabel",
    "rij",
    "kolom",
    "waarde",
    "teller",
    "noemer",
    "codes",
    "deelnemers",
    "segmenten",
    "onderdrukt",
]

ROLE_PLURALS = {
    "moeder": "moeders",
    "vader": "vaders",
    "ouder": "ouders",
    "verzorger": "verzorgers",
    "vrijwilliger": "vrijwilligers",
    "jeugdprofessional": "jeugdprofessionals",
    "professional": "professionals",
    "stagiair": "stagiairs",
}


@dataclass(frozen=True)
class Cell:
    """One table cell: the text shown and what it counts."""

    text: str
    count: int | None = None
    denominator: int | None = None
    participants: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    suppressed: bool = False
    numeric: bool = True


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Table:
    """A report table; ``csv`` is its appendix path relative to the report folder."""

    id: str
    caption: str
    row_header: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(default_factory=list)  # spanning column headers
    csv_id: str | None = None  # tables that share one appendix file name it here

    @property
    def csv(self) -> str:
        return f"bijlagen/{self.csv_id or self.id}.csv"

    def flat_columns(self) -> list[str]:
        """Column labels with their spanning group prefixed (for Markdown and CSV)."""
        if not self.groups:
            return list(self.columns)
        prefixes = [g for g, span in self.groups for _ in range(span)]
        return [f"{p}: {c}" if p else c for p, c in zip(prefixes, self.columns, strict=True)]


@dataclass(frozen=True)
class AttributeNames:
    """Names of the participant attributes the participants table uses.

    The defaults are the example project's column names in ``participants.csv``.
    ``dutch`` lists the ``background`` values that count as a Dutch background
    (compared case-insensitively).
    """

    age: str = "age"
    background: str = "background"
    single: str = "single"
    years_in_group: str = "years_in_group"
    dutch: tuple[str, ...] = ("Nederlands",)


def role_plural(role: str) -> str:
    """Dutch plural of a reported role: ``moeder`` → ``moeders``."""
    return ROLE_PLURALS.get(role, role if role.endswith("s") else f"{role}s")


def role_heading(role: str) -> str:
    """Capitalised plural, for headings and row labels: ``Moeders``."""
    plural = role_plural(role)
    return plural[:1].upper() + plural[1:]


def report_roles(config: ProjectConfig, present: Iterable[str]) -> list[str]:
    """Reported roles (after ``role_mapping``) that occur, in configuration order."""
    mapped = {config.report_role(r) for r in present}
    order: list[str] = []
    for role in config.roles:
        shown = config.report_role(role)
        if shown in mapped and shown not in order:
            order.append(shown)
    return order + sorted(mapped - set(order))


def count_cell(ids: Sequence[str], k: int, segments: Sequence[str] = ()) -> Cell:
    """A count of participants, shown as ``"<k"`` below ``k``."""
    n = len(ids)
    if n < k:
        return Cell(f"<{k}", n, None, tuple(ids), tuple(segments), suppressed=True)
    return Cell(str(n), n, None, tuple(ids), tuple(segments))


# --------------------------------------------------------------------------- attributes


def _number(value: AttributeValue) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def _flag(value: AttributeValue) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower() if value is not None else ""
    if text in {"ja", "j", "yes", "y", "true", "waar", "1"}:
        return True
    if text in {"nee", "n", "no", "false", "onwaar", "0"}:
        return False
    return None


def _non_dutch(value: AttributeValue, dutch: Sequence[str]) -> bool | None:
    if value is None or isinstance(value, bool) or not str(value).strip():
        return None
    return str(value).strip().lower() not in {d.lower() for d in dutch}


@dataclass(frozen=True)
class _Stat:
    kind: str  # "mean" or "share"
    values: dict[str, float]  # participant id → value (1/0 for shares)


def _stats(people: Sequence[Participant], names: AttributeNames) -> list[_Stat]:
    def collect(parse: object, attr: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for p in people:
            v = parse(p.attributes.get(attr))  # type: ignore[operator]
            if v is not None:
                out[p.id] = float(v)
        return out

    return [
        _Stat("mean", collect(_number, names.age)),
        _Stat("share", collect(lambda v: _non_dutch(v, names.dutch), names.background)),
        _Stat("share", collect(_flag, names.single)),
        _Stat("mean", collect(_number, names.years_in_group)),
    ]


def _stat_cell(stat: _Stat, k: int, hide: bool) -> Cell:
    ids = sorted(stat.values)
    if hide or len(ids) < k:
        return Cell("–", None, len(ids), tuple(ids), suppressed=True)
    if stat.kind == "mean":
        mean = sum(stat.values.values()) / len(ids)
        return Cell(decimal_nl(mean), None, len(ids), tuple(ids))
    yes = sorted(i for i, v in stat.values.items() if v)
    return Cell(percent_nl(len(yes) / len(ids)), len(yes), len(ids), tuple(yes))


PARTICIPANT_COLUMNS = [
    "Aantal",
    "Gemiddelde leeftijd (jaren)",
    "Niet-Nederlandse achtergrond",
    "Alleenstaand",
    "Gemiddeld aantal jaren in de groep",
]


def participants_table(
    participants: Iterable[Participant],
    config: ProjectConfig,
    k: int | None = None,
    attributes: AttributeNames | None = None,
    table_id: str = "deelnemers",
    caption: str = "Deelnemers per rol",
) -> Table:
    """The study's participants table: per reported role, count and background figures.

    Parameters
    ----------
    participants
        The (pseudonymised) corpus' participants; only ``id``, ``role`` and
        ``attributes`` are read, never ``name``.
    config
        Supplies the role order and ``role_mapping`` (carers reported as ``moeder``).
    k
        Small-cell minimum (default ``config.report.small_cell_k``); see the module notes.
    attributes
        Attribute names (default :class:`AttributeNames`, the example's names).

    Returns
    -------
    Table
        One row per reported role and a total row; shares are of participants whose
        attribute is known, means over those with a number.
    """
    k = config.report.small_cell_k if k is None else k
    names = attributes or AttributeNames()
    people = sorted(participants, key=lambda p: p.id)
    roles = report_roles(config, [p.role for p in people])
    groups = {r: [p for p in people if config.report_role(p.role) == r] for r in roles}
    rows: list[Row] = []
    hidden: list[list[int]] = [[], [], [], []]  # per statistic: sizes of hidden groups
    for role in roles:
        members = groups[role]
        small = len(members) < k
        cells = [count_cell([p.id for p in members], k)]
        for i, stat in enumerate(_stats(members, names)):
            cell = _stat_cell(stat, k, small)
            if cell.suppressed and stat.values:
                hidden[i].append(len(stat.values))
            cells.append(cell)
        rows.append(Row(role_heading(role), cells))
    total = [count_cell([p.id for p in people], k)]
    for i, stat in enumerate(_stats(people, names)):
        leaks = 0 < sum(hidden[i]) < k
        total.append(_stat_cell(stat, k, leaks))
    rows.append(Row("Totaal", total))
    notes = [
        f"Aantallen kleiner dan {k} staan als “<{k}”; van groepen met minder dan {k} "
        "deelnemers staan geen gemiddelden of percentages (“–”), zodat niemand herkenbaar is.",
        "Percentages en gemiddelden zijn berekend over de deelnemers van wie het gegeven "
        "bekend is.",
    ]
    mapped = sorted(r for r in config.report.role_mapping if r != config.report_role(r))
    if any(p.role in mapped for p in people):
        notes.append(
            "Rollen zoals gerapporteerd: zoals in de studie zijn sommige rollen samengenomen "
            "met een grotere rol, zodat niemand herleidbaar is."
        )
    return Table(table_id, caption, "Rol", list(PARTICIPANT_COLUMNS), rows, notes)


# --------------------------------------------------------------------------- output


def trace_rows(table: Table, trace_suppressed: bool = False) -> list[list[str]]:
    """The appendix rows of a table: one per cell (see :data:`CSV_COLUMNS`)."""
    out: list[list[str]] = []
    columns = table.flat_columns()
    for row in table.rows:
        for column, cell in zip(columns, row.cells, strict=True):
            show = trace_suppressed or not cell.suppressed
            out.append(
                [
                    table.id,
                    row.label,
                    column,
                    cell.text,
                    "" if cell.count is None or not show else str(cell.count),
                    "" if cell.denominator is None or not show else str(cell.denominator),
                    ";".join(cell.codes) if show else "",
                    ";".join(cell.participants) if show else "",
                    ";".join(cell.segments) if show else "",
                    "ja" if cell.suppressed else "nee",
                ]
            )
    return out


def trace_csv(tables: Sequence[Table], trace_suppressed: bool = False) -> str:
    """CSV text (``\\n`` line ends, header first) of one or more tables' appendix rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for table in tables:
        writer.writerows(trace_rows(table, trace_suppressed))
    return buffer.getvalue()


def markdown_table(table: Table) -> str:
    """A GitHub-flavoured Markdown table (pipes in labels escaped)."""

    def esc(text: str) -> str:
        return md_escape(text).replace("|", "\\|").replace("\n", " ")

    header = [table.row_header, *table.flat_columns()]
    numeric = [
        all(row.cells[i].numeric for row in table.rows) if table.rows else True
        for i in range(len(header) - 1)
    ]
    lines = [
        "| " + " | ".join(esc(h) for h in header) + " |",
        "|" + "|".join(["---"] + ["--:" if n else "---" for n in numeric]) + "|",
    ]
    for row in table.rows:
        lines.append("| " + " | ".join([esc(row.label)] + [esc(c.text) for c in row.cells]) + " |")
    return "\n".join(lines)
