"""Version snapshots, diffs between versions, and a project's (combined) codebook files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from verhalen.codebook import (
    ProjectCodebooks,
    add_code,
    bundled_text,
    combine,
    commit,
    diff_codebooks,
    edit_code,
    list_versions,
    load_project_codebook,
    load_version,
    merge_codes,
    read_codebook,
    rename_code,
    retire_code,
    split_code,
    unrecorded_changes,
    write_codebook,
)
from verhalen.codebook.split import parse_split_specs
from verhalen.codebook.versions import resolve_versions, snapshot_path
from verhalen.errors import ConfigError, NotFoundError, ValidationError, VerhalenError
from verhalen.project import Project
from verhalen.records import Code, Codebook, Factor

WHEN = dt.datetime(2025, 3, 1, 10, 0)


@pytest.fixture
def cb_file(tmp_path: Path) -> Path:
    path = tmp_path / "codebook" / "zes_factoren.yaml"
    path.parent.mkdir()
    path.write_text(bundled_text("zes_factoren"), encoding="utf-8")
    return path


def test_commit_writes_snapshots_of_old_and_new_version(cb_file: Path) -> None:
    before = read_codebook(cb_file)
    change = add_code(
        before,
        Code(id="nieuw", label="Nieuw", definition="d", parent="structuur"),
        "anna",
        when=WHEN,
    )
    commit(cb_file, before, change)
    assert read_codebook(cb_file) == change.codebook
    assert list_versions(cb_file) == ["1.0", "1.1"]
    assert snapshot_path(cb_file, "zes_factoren", "1.0").read_text(
        encoding="utf-8"
    ) == bundled_text("zes_factoren")
    assert load_version(cb_file, "1.0") == before
    assert load_version(cb_file, "1.1") == change.codebook
    with pytest.raises(NotFoundError, match=r"available: 1\.0, 1\.1"):
        load_version(cb_file, "1.7")
    # the diff of the YAML file is small: only the new code and the changelog entry
    old_lines = set(bundled_text("zes_factoren").splitlines())
    new_lines = cb_file.read_text(encoding="utf-8").splitlines()
    assert len([line for line in new_lines if line not in old_lines]) < 25


def test_hand_edits_are_detected_and_recorded_with_the_next_change(cb_file: Path) -> None:
    first = read_codebook(cb_file)
    change = retire_code(first, "locatie", "anna", when=WHEN)
    commit(cb_file, first, change)
    assert not unrecorded_changes(cb_file)
    text = cb_file.read_text(encoding="utf-8")
    cb_file.write_text(text.replace("Tijdstip en frequentie", "Tijdstip", 1), encoding="utf-8")
    assert unrecorded_changes(cb_file)
    edited = read_codebook(cb_file)
    change = edit_code(edited, "tijdstip", {"definition": "Nieuw."}, "anna", when=WHEN)
    written = commit(cb_file, edited, change)
    assert written.entry.details["hand_edits_since"] == "1.1"
    # the recorded 1.1 is still the version as it was committed, not the hand edit
    assert load_version(cb_file, "1.1").code("tijdstip").label == "Tijdstip en frequentie"  # type: ignore[union-attr]


def test_lowered_version_cannot_overwrite_a_recorded_one(cb_file: Path) -> None:
    first = read_codebook(cb_file)
    commit(cb_file, first, retire_code(first, "locatie", "anna", when=WHEN))
    text = cb_file.read_text(encoding="utf-8").replace('version: "1.1"', 'version: "1.0"', 1)
    cb_file.write_text(text, encoding="utf-8")
    lowered = read_codebook(cb_file)
    with pytest.raises(VerhalenError, match="already recorded with other content"):
        commit(cb_file, lowered, retire_code(lowered, "tijdstip", "anna", when=WHEN))


def test_diff_reports_added_removed_renamed_redefined_merged_split(cb_file: Path) -> None:
    v0 = read_codebook(cb_file)
    cb = v0
    steps = [
        lambda c: add_code(
            c, Code(id="uitje", label="Uitje", definition="d", parent="overig"), "a", when=WHEN
        ),
        lambda c: rename_code(c, "gezelligheid", "a", new_label="Gezellig", when=WHEN),
        lambda c: rename_code(c, "eruit_zijn", "a", new_id="huis_uit", when=WHEN),
        lambda c: edit_code(c, "herkenning", {"definition": "Scherper."}, "a", when=WHEN),
        lambda c: merge_codes(c, ["even_geen_moeder"], "tijd_voor_jezelf", "a", when=WHEN),
        lambda c: split_code(
            c,
            "emotionele_steun",
            parse_split_specs(["troost=Troost", "praktische_hulp"], ["troost=Iemand troost."]),
            "a",
            when=WHEN,
        ),
        lambda c: retire_code(c, "locatie", "a", when=WHEN),
    ]
    for step in steps:
        cb = commit(cb_file, cb, step(cb)).codebook
    assert list_versions(cb_file)[-1] == "1.7"
    d = diff_codebooks(load_version(cb_file, "1.0"), load_version(cb_file, "1.7"))
    assert d.added == ["troost", "uitje"]
    assert [(r.old_id, r.new_id, r.new_label) for r in d.renamed] == [
        ("eruit_zijn", "huis_uit", "Eruit zijn"),
        ("gezelligheid", "gezelligheid", "Gezellig"),
    ]
    redefined = {r.code_id: r.fields for r in d.redefined}
    assert redefined["herkenning"] == ("definition",)
    assert "keywords" in redefined["tijd_voor_jezelf"]
    assert d.merged == [("even_geen_moeder", "tijd_voor_jezelf")]
    assert d.split == [("emotionele_steun", ["troost", "praktische_hulp"])]
    assert d.retired == ["locatie"] and d.removed == []
    lines = d.lines()
    assert "+ uitje" in lines and "~ locatie: retired" in lines
    # one step, and the reverse direction
    one = diff_codebooks(load_version(cb_file, "1.6"), load_version(cb_file, "1.7"))
    assert one.lines() == ["~ locatie: retired"]
    back = diff_codebooks(load_version(cb_file, "1.1"), load_version(cb_file, "1.0"))
    assert back.removed == ["uitje"] and not back.added
    assert diff_codebooks(v0, v0).empty
    assert resolve_versions(cb_file) == ("1.6", "1.7")
    with pytest.raises(VerhalenError, match=r"no version before 1\.0"):
        resolve_versions(cb_file, None, "1.0")


def _config(root: Path, files: list[str]) -> Project:
    listed = ", ".join(f'"{f}"' for f in files)
    (root / "verhalen.toml").write_text(f"[codebook]\nfiles = [{listed}]\n", encoding="utf-8")
    return Project.open(root)


def test_project_combines_files_and_reports_clashes(tmp_path: Path) -> None:
    folder = tmp_path / "codebook"
    folder.mkdir()
    for name in ("zes_factoren", "beschermende_factoren"):
        (folder / f"{name}.yaml").write_text(bundled_text(name), encoding="utf-8")
    project = _config(
        tmp_path, ["codebook/zes_factoren.yaml", "codebook/beschermende_factoren.yaml"]
    )
    cb = load_project_codebook(project)
    assert cb.id == "zes_factoren__beschermende_factoren"
    assert cb.factor_of("partnerrelatie") == "thuisklimaat" and cb.code("herkenning")
    books = ProjectCodebooks.open(project)
    assert books.owner("partnerrelatie")[1].id == "beschermende_factoren"
    # a change to one file raises the combined version
    path = books.owner("partnerrelatie")[0]
    books.apply(path, lambda c: retire_code(c, "partnerrelatie", "anna", when=WHEN))
    assert books.combined().version == "1.1"
    # adding an id that the other file already uses is refused before anything is written
    with pytest.raises(ValidationError, match="code id 'herkenning' is also used"):
        books.apply(
            path,
            lambda c: add_code(
                c, Code(id="herkenning", label="H", definition="d", parent="individueel"), "anna"
            ),
        )
    assert read_codebook(path).version == "1.1"


def test_combine_errors() -> None:
    cb = Codebook(id="x", name="X", factors=[Factor(id="f", label="F")])
    other = Codebook(id="y", name="Y", factors=[Factor(id="f", label="G")])
    with pytest.raises(ValidationError, match=r"factor id 'f' is also used in a\.yaml"):
        combine([("a.yaml", cb), ("b.yaml", other)])
    with pytest.raises(ConfigError, match="no codebook files configured"):
        combine([])


def test_project_file_problems_are_reported_together(tmp_path: Path) -> None:
    folder = tmp_path / "codebook"
    folder.mkdir()
    text = bundled_text("ouders_als_partners")
    (folder / "a.yaml").write_text(
        text.replace("parent: samen_leven", "parent: samen_lven", 1), encoding="utf-8"
    )
    (folder / "b.yaml").write_text(
        text.replace("label: Samen doen", "lable: Samen doen"), encoding="utf-8"
    )
    project = _config(tmp_path, ["codebook/a.yaml", "codebook/b.yaml"])
    with pytest.raises(ValidationError) as info:
        load_project_codebook(project)
    wheres = " ".join(p.where for p in info.value.problems)
    assert "a.yaml:" in wheres and "b.yaml:" in wheres


def test_write_codebook_is_stable(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    original = Codebook(id="t", name="T", codes=[Code(id="a", label="A", definition="d")])
    write_codebook(original, path)
    first = path.read_bytes()
    write_codebook(read_codebook(path), path)
    assert path.read_bytes() == first
