"""Participants table (hand-computed), small-cell suppression, role mapping, pooling."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.test_report_helpers import codebook, make_codings, make_config, make_corpus
from verhalen.errors import VerhalenError
from verhalen.records import Participant
from verhalen.report import AttributeNames, participants_table, pool_codings
from verhalen.report.data import prepare
from verhalen.report.matrices import factor_matrix, role_differences
from verhalen.report.tables import markdown_table, trace_csv


def _p(
    pid: str, role: str, age: object, background: object, single: object, years: object
) -> Participant:
    return Participant(
        id=pid,
        role=role,
        practice="x",
        name=f"Echte Naam {pid}",
        attributes={
            "age": age,
            "background": background,
            "single": single,
            "years_in_group": years,
        },
    )


PEOPLE = [
    _p("m1", "moeder", 30, "Nederlands", "ja", 1),
    _p("m2", "moeder", 40, "Turks", "nee", 2),
    _p("m3", "moeder", 35, "Pools", True, "1,5"),
    _p("c1", "verzorger", 60, "nederlands", False, 3),  # reported as moeder
    _p("v1", "vrijwilliger", 50, "Nederlands", "ja", 9),
    _p("v2", "vrijwilliger", 44, "Marokkaans", "nee", 5),
    _p("j1", "jeugdprofessional", 42, "Nederlands", "nee", 8),
    _p("j2", "jeugdprofessional", 24, "Nederlands", "ja", 1),
    _p("j3", "jeugdprofessional", 33, None, "onbekend", None),
]


def _rows(table) -> dict[str, list[str]]:
    return {row.label: [c.text for c in row.cells] for row in table.rows}


def test_participants_table_matches_a_hand_computed_example() -> None:
    table = participants_table(PEOPLE, make_config())
    rows = _rows(table)
    # Moeders: m1 m2 m3 + carer c1 → n 4; ages 30 40 35 60 → 41,25 → "41,3";
    # non-Dutch: Turks, Pools → 2/4; single: m1, m3 → 2/4; years 1 2 1,5 3 → 1,875 → "1,9"
    assert rows["Moeders"] == ["4", "41,3", "50%", "50%", "1,9"]
    # Vrijwilligers: 2 < k=3 → count "<3" and every derived statistic hidden
    assert rows["Vrijwilligers"] == ["<3", "–", "–", "–", "–"]
    # Jeugdprofessionals: n 3; ages 42 24 33 → 33,0; background known for 2 (< k) → hidden;
    # single known for 2 → hidden; years known for 2 → hidden
    assert rows["Jeugdprofessionals"] == ["3", "33,0", "–", "–", "–"]
    # total age: only the volunteers' 2 ages are hidden; subtracting the shown groups from
    # the total would reveal them → hidden too. For the other statistics the hidden values
    # come from 4 people (2 volunteers + 2 professionals) ≥ k, so the total is shown:
    # non-Dutch 3 of 8 known → 38%; single 4 of 8 → 50%; years 30,5 / 8 → 3,8
    assert rows["Totaal"] == ["9", "–", "38%", "50%", "3,8"]
    assert list(rows) == ["Moeders", "Vrijwilligers", "Jeugdprofessionals", "Totaal"]


def test_no_carer_row_and_no_names_anywhere() -> None:
    table = participants_table(PEOPLE, make_config())
    text = markdown_table(table) + trace_csv([table]) + " ".join(table.notes)
    assert "erzorger" not in text
    assert "Echte Naam" not in text


def test_total_shown_when_hidden_groups_together_reach_k() -> None:
    people = [p for p in PEOPLE if p.id != "j3"] + [
        _p("x1", "stagiair", 22, "Nederlands", "ja", 1),
    ]
    # hidden: vrijwilligers (2), jeugdprofessionals (2), stagiairs (1) → 5 ≥ 3
    rows = _rows(participants_table(people, make_config()))
    assert rows["Stagiairs"] == ["<3", "–", "–", "–", "–"]
    ages = [30, 40, 35, 60, 50, 44, 42, 24, 22]
    assert rows["Totaal"][0] == "9"
    assert rows["Totaal"][1] == f"{sum(ages) / len(ages):.1f}".replace(".", ",")


def test_k_and_attribute_names_are_configurable() -> None:
    people = [
        Participant(
            id=f"q{i}",
            role="moeder",
            practice="x",
            attributes={
                "leeftijd": 20 + i,
                "herkomst": "NL" if i else "Syrisch",
                "alleen": "ja",
                "jaren": i,
            },
        )
        for i in range(4)
    ]
    names = AttributeNames(
        age="leeftijd",
        background="herkomst",
        single="alleen",
        years_in_group="jaren",
        dutch=("NL",),
    )
    rows = _rows(participants_table(people, make_config(), k=5, attributes=names))
    assert rows["Moeders"] == ["<5", "–", "–", "–", "–"]
    rows = _rows(participants_table(people, make_config(), k=2, attributes=names))
    assert rows["Moeders"] == ["4", "21,5", "25%", "100%", "1,5"]


def test_traceability_rows_of_the_participants_table() -> None:
    table = participants_table(PEOPLE, make_config())
    frame = pd.read_csv(pd.io.common.StringIO(trace_csv([table])), dtype=str, keep_default_na=False)
    count = frame[(frame["rij"] == "Moeders") & (frame["kolom"] == "Aantal")].iloc[0]
    assert count["deelnemers"].split(";") == ["c1", "m1", "m2", "m3"] and count["teller"] == "4"
    share = frame[(frame["rij"] == "Moeders") & (frame["kolom"] == "Alleenstaand")].iloc[0]
    assert share["deelnemers"].split(";") == ["m1", "m3"] and share["noemer"] == "4"
    hidden = frame[(frame["rij"] == "Vrijwilligers") & (frame["kolom"] == "Aantal")].iloc[0]
    # a hidden cell lists no ids: they would reveal the count
    assert hidden["waarde"] == "<3" and hidden["onderdrukt"] == "ja"
    assert hidden["deelnemers"] == "" and hidden["teller"] == ""
    internal = pd.read_csv(
        pd.io.common.StringIO(trace_csv([table], trace_suppressed=True)),
        dtype=str,
        keep_default_na=False,
    )
    row = internal[(internal["rij"] == "Vrijwilligers") & (internal["kolom"] == "Aantal")]
    assert row.iloc[0]["deelnemers"] == "v1;v2"


def test_pooling_rules() -> None:
    codings = pd.DataFrame(
        [
            ("s1", "a", "x"),
            ("s1", "a", "y"),
            ("s1", "b", "x"),
            ("s1", "c", "x"),
            ("s1", "c", "y"),
            ("s1", "c", "z"),
            ("s2", "b", "y"),
        ],
        columns=["segment_id", "code_id", "coder"],
    )
    pairs = {
        r: set(
            zip(
                pool_codings(codings, rule=r)["segment_id"],
                pool_codings(codings, rule=r)["code_id"],
                strict=True,
            )
        )
        for r in ("any", "majority", "consensus")
    }
    assert pairs["any"] == {("s1", "a"), ("s1", "b"), ("s1", "c"), ("s2", "b")}
    # s1 was coded by x, y, z: a by 2/3, b by 1/3, c by 3/3; s2 by y only
    assert pairs["majority"] == {("s1", "a"), ("s1", "c"), ("s2", "b")}
    assert pairs["consensus"] == {("s1", "c"), ("s2", "b")}
    agreement = pool_codings(codings).set_index(["segment_id", "code_id"])["agreement"]
    assert agreement[("s1", "a")] == pytest.approx(2 / 3)
    with pytest.raises(VerhalenError, match="pooling rule"):
        pool_codings(codings, rule="alles")


def test_factor_matrix_suppression_and_role_differences() -> None:
    corpus = make_corpus()
    data = prepare(corpus, make_codings(corpus), codebook(), make_config())
    assert data.roles == ["moeder", "vrijwilliger", "jeugdprofessional"]  # no verzorger
    matrix = factor_matrix(data, "role", "vve_hoogeveen", "t", "t")
    # VVE&O: moeders p01–p03 + carer p04 = 4; one professional (< k)
    assert matrix.sizes == {"moeder": 4, "jeugdprofessional": 1}
    rows = _rows(matrix.table)
    assert rows["Uitwisselen en leren"] == ["4 (100%)", "4", "<3", "–"]
    assert rows["Structuur"] == ["<3", "0", "<3", "–"]
    assert matrix.table.groups[1][0] == "Jeugdprofessionals (n = <3)"
    # Huiskamer: moeders 3, vrijwilligers 2 (< k, never compared), professionals 3
    huiskamer = factor_matrix(data, "role", "huiskamer_groningen", "h", "h")
    diffs = role_differences(data, huiskamer, 30)
    assert diffs == []  # only structuur differs, and only for the small volunteer group
    overall = factor_matrix(data, "role", None, "r", "r")
    assert overall.sizes == {"moeder": 7, "vrijwilliger": 2, "jeugdprofessional": 4}


def test_role_differences_are_flagged_in_dutch() -> None:
    corpus = make_corpus()
    codings = make_codings(corpus)
    learning = codings["code_id"].isin(["tips_en_adviezen", "herkenning"])
    # int11–int13 are the Huiskamer professionals (p11–p13), int05 the VVE&O professional
    no_learning = codings["segment_id"].str.match(r"int1[1-3]-")
    data = prepare(corpus, codings[~(learning & no_learning)], codebook(), make_config())
    huiskamer = factor_matrix(data, "role", "huiskamer_groningen", "h", "h")
    diffs = role_differences(data, huiskamer, 30, "De Huiskamer Groningen")
    assert [d.sentence for d in diffs] == [
        "De Huiskamer Groningen: moeders noemen ‘Uitwisselen en leren’ vaker dan "
        "jeugdprofessionals (een verschil van ten minste 30 procentpunten)."
    ]  # 0 of 3 professionals is a hidden count, so the percentages are not cited
    only_p05 = codings["segment_id"].str.startswith("int05-")
    data = prepare(corpus, codings[~(learning & only_p05)], codebook(), make_config())
    overall = factor_matrix(data, "role", None, "r", "r")
    diffs = role_differences(data, overall, 20)
    assert [d.sentence for d in diffs] == [
        "Moeders noemen ‘Uitwisselen en leren’ vaker dan jeugdprofessionals "
        "(100% tegenover 75%; een verschil van 25 procentpunten)."
    ]
    assert role_differences(data, overall, 30) == []
