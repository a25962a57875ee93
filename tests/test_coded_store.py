"""The coded store: append-only history, replay, as-of views, merges followed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from verhalen.coding import CodedStore
from verhalen.errors import ValidationError, VerhalenError
from verhalen.records import Code, Codebook, CodeStatus, Coding, Factor

T0 = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)


def coding(seg: str, code: str, coder: str = "a", **kw: object) -> Coding:
    return Coding(segment_id=seg, code_id=code, coder=coder, timestamp=T0, **kw)  # type: ignore[arg-type]


def test_add_remove_replay_and_history_kept(tmp_path: Path) -> None:
    store = CodedStore(tmp_path)
    assert store.add([coding("s1", "x"), coding("s1", "y"), coding("s2", "x")], when=T0) == 3
    assert store.add([coding("s1", "x")], when=T0) == 0  # duplicates are skipped
    later = T0 + dt.timedelta(days=30)
    assert store.remove([coding("s1", "y")], who="a", note="na kalibratie", when=later) == 1
    now = {(c.segment_id, c.code_id) for c in store.codings("a")}
    assert now == {("s1", "x"), ("s2", "x")}
    before = {(c.segment_id, c.code_id) for c in store.codings("a", as_of=T0)}
    assert ("s1", "y") in before
    history = store.history("a")
    assert [e.op for e in history] == ["add", "add", "add", "remove"]
    assert history[-1].note == "na kalibratie"
    lines = store.path("a").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and lines[0].startswith('{"coding"')  # sorted keys, one event a line


def test_codings_follow_a_merge(tmp_path: Path) -> None:
    store = CodedStore(tmp_path)
    store.add([coding("s1", "oud"), coding("s1", "nieuw"), coding("s2", "oud")], when=T0)
    book = Codebook(
        id="cb",
        name="cb",
        factors=[Factor(id="f", label="F")],
        codes=[
            Code(id="oud", label="Oud", parent="f", status=CodeStatus.merged, merged_into="nieuw"),
            Code(id="nieuw", label="Nieuw", parent="f"),
        ],
    )
    resolved = sorted((c.segment_id, c.code_id) for c in store.codings("a", codebook=book))
    assert resolved == [("s1", "nieuw"), ("s2", "nieuw")]  # merged duplicates collapse
    frame = store.dataframe(book)
    assert set(frame["factor_id"]) == {"f"}


def test_corrupt_line_is_reported_with_its_line(tmp_path: Path) -> None:
    store = CodedStore(tmp_path)
    store.add([coding("s1", "x")], when=T0)
    with store.path("a").open("a", encoding="utf-8") as fh:
        fh.write('{"op": "add"}\n')
    with pytest.raises(ValidationError, match=r"a\.jsonl:2"):
        store.codings("a")


def test_bad_coder_name(tmp_path: Path) -> None:
    with pytest.raises(VerhalenError, match="coder name"):
        CodedStore(tmp_path).path("../evil")


def test_atomic_writes_keep_normal_permissions(tmp_path: Path) -> None:
    from verhalen.io import atomic_write_text

    target = tmp_path / "x.txt"
    atomic_write_text(target, "a")
    assert target.stat().st_mode & 0o777 != 0o600  # not mkstemp's private default
    target.chmod(0o640)
    atomic_write_text(target, "b")
    assert target.stat().st_mode & 0o777 == 0o640
    atomic_write_text(tmp_path / "key.json", "{}", permissions=0o600)
    assert (tmp_path / "key.json").stat().st_mode & 0o777 == 0o600


def test_every_corrupt_line_names_its_field(tmp_path: Path) -> None:
    store = CodedStore(tmp_path)
    store.add([coding("s1", "x"), coding("s2", "x")], when=T0)
    path = store.path("a")
    good = path.read_text(encoding="utf-8").splitlines()
    bad_span = good[1].replace('"end": null', '"end": 1').replace('"start": null', '"start": 4')
    lines = [good[0], '{"op": "add"}', bad_span, "", good[1]]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"op": "\xff"}\n')
    with pytest.raises(ValidationError) as info:
        store.codings("a")
    wheres = [p.where for p in info.value.problems]
    assert f"{path}:2 (coding)" in wheres and f"{path}:2 (when)" in wheres
    assert f"{path}:3 (coding)" in wheres  # end before start
    assert any(w.startswith(f"{path}:6") for w in wheres)  # not UTF-8: reported, no crash
    assert not any(w.startswith((f"{path}:1", f"{path}:4", f"{path}:5")) for w in wheres)
    assert "coding end 1 is before start 4" in str(info.value)


def test_line_separators_inside_a_memo_stay_in_their_line(tmp_path: Path) -> None:
    store = CodedStore(tmp_path)
    memo = "eerste\u2028tweede\x85derde\x1cvierde"
    store.add([coding("s1", "x", memo=memo)], when=T0)
    assert [c.memo for c in store.codings("a")] == [memo]
    assert [e.coding.memo for e in store.history("a")] == [memo]


def test_dataframe_as_of_and_one_coder(tmp_path: Path) -> None:
    store = CodedStore(tmp_path)
    assert store.codings() == []
    empty = store.dataframe()
    assert empty.empty and list(empty.columns) == list(Coding.model_fields)
    store.add([coding("s1", "x"), coding("s1", "x", coder="b")], when=T0)
    later = T0 + dt.timedelta(days=1)
    store.remove([coding("s1", "x")], who="a", when=later)
    assert list(store.dataframe()["coder"]) == ["b"]
    assert list(store.dataframe(as_of=T0)["coder"]) == ["a", "b"]
    assert list(store.dataframe(coder="a", as_of=T0)["coder"]) == ["a"]
    naive = T0.replace(tzinfo=None)  # naive times are UTC
    assert len(store.dataframe(as_of=naive)) == 2
    assert store.dataframe(coder="a").empty
