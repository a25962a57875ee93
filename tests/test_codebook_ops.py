"""Codebook operations: each returns a new version with a changelog entry; history survives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from verhalen.codebook import (
    add_code,
    add_factor,
    apply_split_mapping,
    edit_code,
    merge_codes,
    next_version,
    pending_split_codings,
    read_split_mapping,
    regroup_codes,
    rename_code,
    retire_code,
    slugify,
    split_code,
)
from verhalen.codebook.split import parse_split_specs
from verhalen.coding.store import CodedStore
from verhalen.errors import NotFoundError, ValidationError, VerhalenError
from verhalen.records import Code, Codebook, CodeStatus, Coding, Factor, Origin, OriginKind

WHEN = dt.datetime(2025, 3, 1, 10, 0)
T0 = dt.datetime(2025, 2, 1, 9, 0, tzinfo=dt.UTC)


def make_codebook() -> Codebook:
    return Codebook(
        id="mini",
        name="Mini",
        version="1.3",
        factors=[Factor(id="f1", label="Eén"), Factor(id="f2", label="Twee")],
        codes=[
            Code(id="a", label="A", definition="Code a.", parent="f1", keywords=["tip"]),
            Code(id="b", label="B", definition="Code b.", parent="f1", keywords=["advies"]),
            Code(id="b_sub", label="B sub", definition="Onder b.", parent="b"),
            Code(id="c", label="C", definition="Code c.", parent="f2"),
        ],
    )


def coding(seg: str, code: str, coder: str = "anna") -> Coding:
    return Coding(segment_id=seg, code_id=code, coder=coder, timestamp=T0)


@pytest.fixture
def store(tmp_path: Path) -> CodedStore:
    store = CodedStore(tmp_path / "coded")
    store.add(
        [coding("s1", "a"), coding("s2", "b"), coding("s3", "b"), coding("s3", "a", "ben")],
        when=T0,
    )
    return store


def test_versions_and_slugs() -> None:
    assert next_version("1.9") == "1.10" and next_version("2.0") == "2.1"
    assert slugify("Mijn ei kwijt!") == "mijn_ei_kwijt"
    assert slugify("Één café") == "een_cafe"


def test_add_inductive_code_records_origin_version_and_changelog() -> None:
    cb = make_codebook()
    origin = Origin(kind=OriginKind.inductive, segment_id="int01-t017", quote="mijn uitje")
    code = Code(
        id="mijn_uitje", label="Mijn uitje", definition="Uitje.", parent="f1", origin=origin
    )
    new, entry = add_code(cb, code, who="anna", why="in-vivo", when=WHEN)
    assert new.version == "1.4" and entry.version == "1.4" and entry.action == "add"
    assert new.changelog[-1] == entry and entry.codes == ["mijn_uitje"]
    added = new.code("mijn_uitje")
    assert added is not None and added.origin.segment_id == "int01-t017"
    assert added.created == added.modified == WHEN.date()
    # placed after the last code of its factor, not at the end
    assert [c.id for c in new.codes].index("mijn_uitje") == 3
    assert cb.version == "1.3" and cb.code("mijn_uitje") is None  # input untouched


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (Code(id="a", label="X", definition="x", parent="f1"), "already exists"),
        (Code(id="f1", label="X", definition="x"), "already exists"),
        (Code(id="x", label="X", definition="x", parent="nope"), "neither a factor nor a code"),
        (Code(id="x", label="X", definition=" ", parent="f1"), "needs a definition"),
    ],
)
def test_add_rejects_bad_codes(code: Code, message: str) -> None:
    with pytest.raises(VerhalenError, match=message):
        add_code(make_codebook(), code, who="anna")


def test_edit_changes_fields_and_rejects_no_ops() -> None:
    cb = make_codebook()
    new, entry = edit_code(
        cb, "a", {"definition": "Scherper.", "inclusion": ["x"]}, "anna", when=WHEN
    )
    code = new.code("a")
    assert code is not None and code.definition == "Scherper." and code.inclusion == ["x"]
    assert entry.details == {"fields": ["definition", "inclusion"]}
    with pytest.raises(VerhalenError, match="nothing to change"):
        edit_code(new, "a", {"definition": "Scherper."}, "anna")
    with pytest.raises(VerhalenError, match="cannot edit label"):
        edit_code(cb, "a", {"label": "Nieuw"}, "anna")
    with pytest.raises(NotFoundError, match="did you mean"):
        edit_code(cb, "aa", {"definition": "x"}, "anna")


def test_merge_marks_sources_moves_children_and_unions_cues() -> None:
    new, entry = merge_codes(make_codebook(), ["b"], "a", "anna", "overlap", when=WHEN)
    b, a, sub = new.code("b"), new.code("a"), new.code("b_sub")
    assert b is not None and b.status == CodeStatus.merged and b.merged_into == "a"
    assert a is not None and a.keywords == ["tip", "advies"]
    assert sub is not None and sub.parent == "a"
    assert entry.details == {"into": "a", "merged": ["b"]} and entry.why == "overlap"
    assert new.resolve("b") == "a"
    with pytest.raises(VerhalenError, match="is merged into 'a', not active"):
        merge_codes(new, ["b"], "c", "anna")
    with pytest.raises(VerhalenError, match="into itself"):
        merge_codes(new, ["a"], "a", "anna")


def test_rename_label_and_rename_to_new_id() -> None:
    cb = make_codebook()
    new, _ = rename_code(cb, "a", "anna", new_label="Alpha", when=WHEN)
    assert new.code("a") is not None and new.code("a").label == "Alpha"  # type: ignore[union-attr]
    new, entry = rename_code(new, "b", "anna", new_id="beta", when=WHEN)
    old, beta = new.code("b"), new.code("beta")
    assert old is not None and old.status == CodeStatus.merged and old.merged_into == "beta"
    assert beta is not None and beta.label == "B" and beta.definition == "Code b."
    assert new.code("b_sub").parent == "beta"  # type: ignore[union-attr]
    assert new.version == "1.5" and entry.details["old_id"] == "b"
    with pytest.raises(VerhalenError, match="already used"):
        rename_code(new, "a", "anna", new_id="c")
    with pytest.raises(VerhalenError, match="needs a new label"):
        rename_code(new, "a", "anna")


def test_split_retires_old_and_adds_new_codes() -> None:
    targets = parse_split_specs(["b1=B één", "c"], ["b1=Het eerste deel."])
    new, entry = split_code(make_codebook(), "b", targets, "anna", when=WHEN)
    old, b1 = new.code("b"), new.code("b1")
    assert old is not None and old.status == CodeStatus.retired
    assert b1 is not None and b1.parent == "f1" and b1.definition == "Het eerste deel."
    assert new.code("b_sub").parent == "f1"  # type: ignore[union-attr]
    assert entry.details == {"from": "b", "into": ["b1", "c"]}
    with pytest.raises(VerhalenError, match="at least two"):
        split_code(make_codebook(), "b", ["c"], "anna")
    with pytest.raises(VerhalenError, match="need a definition"):
        parse_split_specs(["x=X", "y=Y"], ["x=def"])


def test_retire_and_add_factor_and_regroup() -> None:
    new, entry = retire_code(make_codebook(), "c", "anna", "te vaag", when=WHEN)
    assert new.code("c").status == CodeStatus.retired and entry.action == "retire"  # type: ignore[union-attr]
    assert [c.id for c in new.active_codes] == ["a", "b", "b_sub"]
    new, _ = add_factor(new, Factor(id="f3", label="Drie"), "anna", when=WHEN)
    assert new.factor("f3") is not None and new.version == "1.5"
    new, entry = regroup_codes(
        new, {"a": "f3", "b_sub": "f1"}, [Factor(id="f4", label="V")], "anna", when=WHEN
    )
    assert new.code("a").parent == "f3"  # type: ignore[union-attr]
    assert new.code("b_sub").parent == "b"  # already under f1 through b: unchanged
    assert entry.details["moved"] == {"a": ["f1", "f3"]} and new.factor("f4") is not None
    with pytest.raises(VerhalenError, match="unknown factor"):
        regroup_codes(new, {"a": "nope"}, [], "anna")


def test_codings_follow_merge_and_rename(store: CodedStore) -> None:
    cb = make_codebook()
    merged, _ = merge_codes(cb, ["b"], "a", "anna", when=WHEN)
    now = {(c.coder, c.segment_id, c.code_id) for c in store.codings(codebook=merged)}
    assert now == {
        ("anna", "s1", "a"),
        ("anna", "s2", "a"),
        ("anna", "s3", "a"),
        ("ben", "s3", "a"),
    }
    renamed, _ = rename_code(merged, "a", "anna", new_id="alpha", when=WHEN)
    assert {c.code_id for c in store.codings(codebook=renamed)} == {"alpha"}
    # the store itself still holds the ids the codings were made with
    assert {c.code_id for c in store.codings()} == {"a", "b"}


def test_split_codings_wait_for_review_then_follow_a_mapping(
    store: CodedStore, tmp_path: Path
) -> None:
    targets = parse_split_specs(["b1=B1", "b2=B2"], ["b1=een", "b2=twee"])
    cb, _ = split_code(make_codebook(), "b", targets, "anna", when=WHEN)
    pending = pending_split_codings(cb, store)
    assert [(c.segment_id, c.code_id) for c in pending] == [("s2", "b"), ("s3", "b")]
    mapping_file = tmp_path / "mapping.csv"
    mapping_file.write_text("segment_id,code_id\ns2,b1\n", encoding="utf-8")
    assert apply_split_mapping(cb, store, "b", read_split_mapping(mapping_file), "anna") == 1
    assert [c.segment_id for c in pending_split_codings(cb, store)] == ["s3"]
    moved = [c for c in store.codings("anna") if c.segment_id == "s2"]
    assert [(c.code_id, c.codebook_version) for c in moved] == [("b1", "1.4")]
    assert [e.op for e in store.history("anna")][-2:] == ["remove", "add"]
    with pytest.raises(ValidationError) as info:
        apply_split_mapping(cb, store, "b", {"s3": "zz", "s9": "b2"}, "anna")
    assert len(info.value.problems) == 2  # both problems reported, nothing moved
    assert [c.segment_id for c in pending_split_codings(cb, store)] == ["s3"]


def test_split_mapping_files_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "m.csv"
    bad.write_text("segment_id,code_id\ns1,x\ns1,y\ns2,\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_split_mapping(bad)
    assert [p.where for p in info.value.problems] == [f"{bad}:3", f"{bad}:4"]
    good = tmp_path / "m.yaml"
    good.write_text("s1: x\ns2: y\n", encoding="utf-8")
    assert read_split_mapping(good) == {"s1": "x", "s2": "y"}
    with pytest.raises(VerhalenError, match="columns segment_id,code_id"):
        (tmp_path / "w.csv").write_text("seg,code\n", encoding="utf-8")
        read_split_mapping(tmp_path / "w.csv")
