"""The fast coded-store reader against a record-by-record reference (issue #10).

The reference below is the store's original reader: every line validated as a
:class:`CodingEvent`, the replay done with a dict per coder, merges resolved per coding and
the frame built from ``model_dump()`` rows. The fast reader must give the same records (in
the same order, with the same fields set) and the same DataFrame (values and dtypes).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verhalen.coding import CodedStore, CodingEvent
from verhalen.coding import store as store_module
from verhalen.errors import ValidationError
from verhalen.records import Code, Codebook, CodeStatus, Coding, Factor

UTC = dt.UTC
PLUS2 = dt.timezone(dt.timedelta(hours=2))
MOMENTS = [
    dt.datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
    dt.datetime(2025, 1, 6, 11, 0, tzinfo=PLUS2),  # the same instant as the first
    dt.datetime(2025, 2, 1, 12, 30, tzinfo=UTC),
    dt.datetime(2025, 3, 1, 8, 0),  # naive: taken as UTC
    dt.datetime(2025, 3, 1, 8, 0, 0, 250_000, tzinfo=UTC),
]
# Codes: "oud" merged into "mid", "mid" merged into "nieuw" (a chain); "los" has no factor;
# "vreemd" is not in the codebook at all.
CODEBOOK = Codebook(
    id="cb",
    name="cb",
    factors=[Factor(id="f", label="F"), Factor(id="g", label="G")],
    codes=[
        Code(id="nieuw", label="Nieuw", parent="f"),
        Code(id="mid", label="Mid", parent="f", status=CodeStatus.merged, merged_into="nieuw"),
        Code(id="oud", label="Oud", parent="g", status=CodeStatus.merged, merged_into="mid"),
        Code(id="ander", label="Ander", parent="g"),
        Code(id="los", label="Los"),
    ],
)
CODES = ["nieuw", "mid", "oud", "ander", "los", "vreemd"]


# --------------------------------------------------------------------------- reference


def reference_history(path: Path) -> list[CodingEvent]:
    lines = path.read_bytes().split(b"\n") if path.is_file() else []
    return [
        CodingEvent.model_validate_json(line)
        for line in lines
        if line.decode("utf-8", errors="replace").strip()
    ]


def reference_codings(
    folder: Path,
    coder: str | None = None,
    codebook: Codebook | None = None,
    as_of: dt.datetime | None = None,
) -> list[Coding]:
    store = CodedStore(folder)
    out: list[Coding] = []
    for name in [coder] if coder else store.coders():
        state: dict[tuple[Any, ...], Coding] = {}
        for event in reference_history(store.path(name)):
            if as_of is not None and store_module._aware(event.when) > store_module._aware(as_of):
                continue
            c = event.coding
            key = (c.coder, c.segment_id, c.code_id, c.start, c.end)
            if event.op == "add":
                state[key] = c
            else:
                state.pop(key, None)
        for c in state.values():
            if codebook is not None:
                resolved = codebook.resolve(c.code_id)
                if resolved != c.code_id:
                    c = c.model_copy(update={"code_id": resolved})
            out.append(c)
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for c in out:
        key = (c.coder, c.segment_id, c.code_id, c.start, c.end)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def reference_frame(codings: list[Coding], codebook: Codebook | None) -> pd.DataFrame:
    frame = pd.DataFrame([c.model_dump() for c in codings], columns=list(Coding.model_fields))
    if codebook is not None and not frame.empty:
        frame["factor_id"] = [codebook.factor_of(c) for c in frame["code_id"]]
    return frame


# --------------------------------------------------------------------------- generated stores


def line_of(event: CodingEvent, form: str) -> str:
    """A canonical line (as the store writes it), or a valid but non-canonical one."""
    data = event.model_dump(mode="json")
    if form == "short":  # fields with defaults left out
        for name in ("memo", "source", "codebook_version", "transcript_id", "start", "end"):
            if data["coding"][name] == Coding.model_fields[name].default:
                del data["coding"][name]
        if not data["note"]:
            del data["note"]
    elif form == "lax":  # what a lax CodingEvent accepts and the strict schema does not
        data["coding"]["timestamp"] = event.coding.timestamp.timestamp()
        if event.coding.start is not None:
            data["coding"]["start"] = str(event.coding.start)
    return json.dumps(data, ensure_ascii=False, sort_keys=form != "unsorted")


events_strategy = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "remove"]),
        st.sampled_from(["a", "a", "a", "b"]),  # the coding's coder (mostly its file's)
        st.sampled_from(["s1", "s2"]),
        st.sampled_from([*CODES, "nieuw", "mid", "oud"]),  # merges that collide are likely
        st.sampled_from([None, None, (0, 4), (2, 9)]),
        st.sampled_from(range(len(MOMENTS))),  # coding timestamp
        st.sampled_from(range(len(MOMENTS))),  # event time
        st.sampled_from(["", "memo", "regel\u2028scheiding"]),
        st.sampled_from([None, "t1"]),
        st.sampled_from(["canonical", "canonical", "canonical", "short", "lax", "unsorted"]),
    ),
    max_size=40,
)


def write_store(folder: Path, files: dict[str, list[tuple[Any, ...]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.jsonl"):
        path.unlink()
    for name, events in files.items():
        lines = []
        for op, coder, seg, code, span, ts, when, memo, transcript, form in events:
            coding = Coding(
                segment_id=seg,
                code_id=code,
                coder=coder if name == "a" else name,
                timestamp=MOMENTS[ts],
                memo=memo,
                transcript_id=transcript,
                start=span[0] if span else None,
                end=span[1] if span else None,
            )
            event = CodingEvent(op=op, coding=coding, who="w", when=MOMENTS[when])
            lines.append(line_of(event, form))
            if form == "unsorted":
                lines.append("   ")  # blank lines are skipped
        (folder / f"{name}.jsonl").write_text("\n".join(lines), encoding="utf-8")


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    a=events_strategy,
    b=events_strategy,
    with_codebook=st.booleans(),
    as_of=st.sampled_from([None, *MOMENTS]),
    one_coder=st.sampled_from([None, "a", "b"]),
)
def test_fast_reader_equals_the_reference(
    tmp_path: Path,
    a: list[tuple[Any, ...]],
    b: list[tuple[Any, ...]],
    with_codebook: bool,
    as_of: dt.datetime | None,
    one_coder: str | None,
) -> None:
    folder = tmp_path / "coded"
    write_store(folder, {"a": a, "b": b})
    store = CodedStore(folder)
    codebook = CODEBOOK if with_codebook else None

    expected = reference_codings(folder, one_coder, codebook, as_of)
    got = store.codings(one_coder, codebook=codebook, as_of=as_of)
    assert got == expected
    assert [c.model_dump() for c in got] == [c.model_dump() for c in expected]  # incl. order
    assert [c.model_fields_set for c in got] == [c.model_fields_set for c in expected]
    assert [c.timestamp.tzinfo for c in got] == [c.timestamp.tzinfo for c in expected]

    frame = store.dataframe(codebook, coder=one_coder, as_of=as_of)
    pd.testing.assert_frame_equal(frame, reference_frame(expected, codebook), check_exact=True)

    wanted = {"s1"}
    restricted = store.codings(one_coder, codebook=codebook, as_of=as_of, segments=wanted)
    assert restricted == [c for c in expected if c.segment_id in wanted]
    in_t1 = store.codings(one_coder, codebook=codebook, as_of=as_of, transcripts={"t1"})
    assert in_t1 == [c for c in expected if c.transcript_id == "t1"]


def test_replay_order_add_remove_readd(tmp_path: Path) -> None:
    """A re-add after a remove moves to the end; a second add keeps its place, new values."""
    folder = tmp_path / "coded"
    t = [MOMENTS[0] + dt.timedelta(hours=h) for h in range(6)]
    store = CodedStore(folder)
    x, y, z = (Coding(segment_id=s, code_id="c", coder="a", timestamp=t[0]) for s in "xyz")
    store.add([x, y, z], when=t[0])
    store.remove([x], who="a", when=t[1])
    store.add([x.model_copy(update={"memo": "terug"})], when=t[2])
    # a second add of a coding the coder has, written directly (add() would skip it)
    event = CodingEvent(op="add", coding=y.model_copy(update={"memo": "nieuw"}), who="a", when=t[3])
    with store.path("a").open("a", encoding="utf-8") as fh:
        fh.write(line_of(event, "canonical") + "\n")
    got = store.codings("a")
    assert [(c.segment_id, c.memo) for c in got] == [("y", "nieuw"), ("z", ""), ("x", "terug")]
    assert got == reference_codings(folder, "a")
    assert list(store.dataframe(as_of=t[1])["segment_id"]) == ["y", "z"]
    assert list(store.dataframe(as_of=t[0])["segment_id"]) == ["x", "y", "z"]


# --------------------------------------------------------------------------- big files


def canonical_line(i: int, coder: str = "a") -> str:
    return json.dumps(
        {
            "coding": {
                "code_id": f"code_{i % 37}",
                "codebook_version": "1.2",
                "coder": coder,
                "end": None,
                "memo": "",
                "segment_id": f"b{i // 7:05d}-t{i % 7:03d}",
                "source": "manual",
                "start": None,
                "timestamp": "2025-01-06T09:00:00Z",
                "transcript_id": f"b{i // 7:05d}",
            },
            "note": "",
            "op": "add",
            "when": "2025-01-06T09:00:00Z",
            "who": "benchmark",
        },
        sort_keys=True,
    )


def test_bad_lines_in_a_big_file_are_all_reported_with_line_and_field(tmp_path: Path) -> None:
    n = 30_000  # several read batches
    lines_a = [canonical_line(i) for i in range(n)]
    bad = {
        1: ('{"op": "add", "coding": ', None),  # broken JSON on the first line
        12_345: (lines_a[12_344].replace('"segment_id": ', '"segment": '), "coding.segment_id"),
        15_000: (lines_a[14_999].replace('"op": "add"', '"op": "toevoegen"'), "op"),
        20_001: (lines_a[20_000].replace('"start": null', '"start": 5'), "coding"),  # no end
        25_000: (
            lines_a[24_999].replace('"when": "2025-01-06T09:00:00Z"', '"when": "gisteren"'),
            "when",
        ),
        n: (lines_a[n - 1].replace('"memo": ""', '"memo": "", "kleur": "rood"'), "coding.kleur"),
    }
    for line_no, (text, _) in bad.items():
        lines_a[line_no - 1] = text
    folder = tmp_path / "coded"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join(lines_a) + "\n", encoding="utf-8")
    lines_b = [canonical_line(i, "b") for i in range(100)]
    lines_b[49] = lines_b[49].replace('"timestamp": "2025-01-06T09:00:00Z"', '"timestamp": 3.5e99')
    (folder / "b.jsonl").write_text("\n".join(lines_b) + "\n", encoding="utf-8")

    store = CodedStore(folder)
    for read in (store.codings, store.dataframe):
        with pytest.raises(ValidationError) as info:
            read()
        problems = info.value.problems
        found = {
            (Path(m.group(1)).name, int(m.group(2)))
            for p in problems
            if (m := re.match(r"(.*\.jsonl):(\d+)", p.where))
        }
        assert found == {("a.jsonl", k) for k in bad} | {("b.jsonl", 50)}
        for line_no, (_, field) in bad.items():
            if field is not None:
                assert any(p.where.endswith(f"a.jsonl:{line_no} ({field})") for p in problems), (
                    field
                )
        assert "gisteren" in str(info.value)  # what was received is shown
        assert "2 coder files" in str(info.value)
    with pytest.raises(ValidationError, match=r"a\.jsonl:12345 \(coding\.segment_id\)"):
        store.history("a")


def test_a_wholly_corrupt_file_lists_the_first_lines_and_counts_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "coded"
    folder.mkdir()
    (folder / "a.jsonl").write_text("niet json\n" * 150, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        CodedStore(folder).codings()
    problems = info.value.problems
    assert len(problems) == 101
    assert problems[0].where.endswith("a.jsonl:1") and problems[99].where.endswith("a.jsonl:100")
    assert "50 more corrupt line(s)" in problems[-1].what


def test_canonical_lines_take_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No CodingEvent per line; the frame builds no Coding per row."""
    folder = tmp_path / "coded"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        "\n".join(canonical_line(i) for i in range(2_000)) + "\n", encoding="utf-8"
    )

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("slow path used")

    monkeypatch.setattr(CodingEvent, "model_validate_json", fail)
    monkeypatch.setattr(store_module, "_build_codings", fail)
    frame = CodedStore(folder).dataframe(CODEBOOK)
    assert len(frame) == 2_000 and list(frame.columns) == [*Coding.model_fields, "factor_id"]


def test_the_strict_line_schema_follows_coding() -> None:
    """A field added to Coding must be added to the fast path's line schema too."""
    assert set(store_module._CodingLine.__annotations__) == set(Coding.model_fields)
    assert set(store_module._EventLine.__annotations__) == set(CodingEvent.model_fields)


def test_fast_records_validate_assignments(tmp_path: Path) -> None:
    store = CodedStore(tmp_path)
    store.add([Coding(segment_id="s", code_id="c", coder="a", timestamp=MOMENTS[0])])
    [coding] = store.codings()
    coding.memo = "ok"
    assert coding.memo == "ok"
    with pytest.raises(Exception, match="end"):
        coding.start = 3  # a span needs both start and end
    assert store.codings()[0].model_fields_set == set(Coding.model_fields)
