"""Validation: every problem of a codebook file at once, each pointing at its YAML line."""

from __future__ import annotations

import pytest

from verhalen.codebook import check_codebook, parse_codebook
from verhalen.codebook.yaml_io import load_yaml
from verhalen.errors import ValidationError, VerhalenError
from verhalen.records import Code, Codebook, Factor

GOOD = """\
id: mini
name: Mini
version: "1.2"
factors:
  - id: f1
    label: Factor een
codes:
  - id: a
    label: A
    parent: f1
    definition: Code a.
  - id: b
    label: B
    parent: a
    definition: Code b, onder a.
    patterns: ["\\\\bhulp\\\\b"]
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        parse_codebook(text, "codebook/test.yaml")
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    """1-based line where ``needle`` (which may span lines) starts."""
    return text[: text.index(needle)].count("\n") + 1


def test_good_codebook_parses() -> None:
    cb = parse_codebook(GOOD, "codebook/test.yaml")
    assert cb.version == "1.2" and [c.id for c in cb.codes] == ["a", "b"]
    assert cb.factor_of("b") == "f1"


def test_line_map_records_keys_and_items() -> None:
    loaded = load_yaml(GOOD)
    assert loaded.lines.line(("codes", 1)) == line_of(GOOD, "- id: b")
    assert loaded.lines.line(("codes", 1, "parent")) == line_of(GOOD, "parent: a")
    # a path below a recorded one falls back to its nearest ancestor
    assert loaded.lines.line(("codes", 1, "nope", 3)) == loaded.lines.line(("codes", 1))


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("  - id: b\n", "  - id: a\n", "- id: a\n    label: B", "duplicate code id 'a'"),
        ("parent: a\n", "parent: zz\n", "parent: zz", "unknown parent 'zz'"),
        ("    definition: Code b, onder a.\n", "", "- id: b", "has no definition"),
        (
            "    definition: Code a.\n",
            "    defintion: Code a.\n",
            "defintion",
            "unknown field 'defintion' — did you mean 'definition'?",
        ),
        ('version: "1.2"\n', 'versoin: "1.2"\n', "versoin", "unknown field 'versoin'"),
        ('["\\\\bhulp\\\\b"]', '["ok", "(open"]', "(open", "invalid regular expression '(open'"),
        (
            "    parent: f1\n    definition: Code a.\n",
            "    parent: f1\n    definition: Code a.\n    status: merged\n    merged_into: weg\n",
            "merged_into: weg",
            "merged into missing code 'weg'",
        ),
        (
            "    parent: f1\n    definition: Code a.\n",
            "    parent: f1\n    definition: Code a.\n    status: merged\n",
            "status: merged",
            "status merged but no merged_into",
        ),
        ("    label: A\n", "    label: A\n    label: A2\n", "label: A2", "appears twice"),
        ("  - id: a\n", "  - id: B-code\n", "B-code", "should match pattern"),
        ("    label: A\n", '    label: "   "\n', 'label: "   "', "label cannot be blank"),
        ("    label: Factor een\n", "    label: ' '\n", "label: ' '", "label cannot be blank"),
    ],
)
def test_each_problem_names_file_and_line(old: str, new: str, needle: str, message: str) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    found = problems_of(text)
    hits = [p for p in found if message in p]
    assert hits, found
    assert hits[0].startswith(f"codebook/test.yaml:{line_of(text, needle)} ")


def test_parent_cycle_is_reported_once_at_its_line() -> None:
    text = GOOD.replace("    parent: f1\n", "    parent: b\n", 1)
    found = [p for p in problems_of(text) if "parent cycle" in p]
    assert len(found) == 1
    assert "a → b → a" in found[0]
    assert found[0].startswith(f"codebook/test.yaml:{line_of(text, 'parent: b')} ")


def test_all_problems_of_a_file_are_collected_in_line_order() -> None:
    text = (
        GOOD.replace('version: "1.2"', 'versie: "1.2"')
        .replace("parent: a\n", "parent: zz\n")
        .replace("    definition: Code a.\n", "")
        .replace('["\\\\bhulp\\\\b"]', '["[unclosed"]')
    )
    found = problems_of(text)
    assert len(found) == 4
    lines = [int(p.split(":")[1].split()[0]) for p in found]
    assert lines == sorted(lines)
    with pytest.raises(ValidationError, match="4 problems in the codebook"):
        parse_codebook(text, "codebook/test.yaml")


def test_broken_yaml_reports_the_line() -> None:
    text = GOOD.replace("    label: A\n", "    label: A\n   bad indent: [\n")
    with pytest.raises(VerhalenError, match=r"codebook/test.yaml:\d+: not valid YAML"):
        parse_codebook(text, "codebook/test.yaml")


def test_not_a_mapping_is_rejected() -> None:
    with pytest.raises(ValidationError, match="expected a codebook mapping"):
        parse_codebook("- a\n- b\n", "x.yaml")


def test_check_codebook_on_records() -> None:
    cb = Codebook(
        id="t",
        name="T",
        factors=[Factor(id="f", label="F")],
        codes=[
            Code(id="a", label="A", definition="a", parent="f"),
            Code(id="b", label="B", definition="", parent="f", merged_into="a"),
        ],
    )
    with pytest.raises(ValidationError) as info:
        check_codebook(cb, "mem")
    text = str(info.value)
    assert "has no definition" in text and "has merged_into 'a' but status 'active'" in text
