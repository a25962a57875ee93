"""``verhalen sheets export/import`` and ``verhalen coded show/stats`` in-process."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_sheets_helpers import fill_sheet, make_project
from verhalen.cli import app
from verhalen.coding.stats import coding_stats
from verhalen.coding.store import CodedStore
from verhalen.records import Coding, CodingSource

runner = CliRunner()


def run(*args: str, ok: bool = True) -> str:
    result = runner.invoke(app, list(args))
    assert (result.exit_code == 0) is ok, result.output
    return result.output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def test_export_fill_import_then_show_and_stats(project: Path) -> None:
    p = str(project)
    out = run(
        "sheets",
        "export",
        "--coder",
        "anna,bert",
        "--sample",
        "4",
        "--seed",
        "2",
        "--stratify",
        "practice",
        "--no-suggestions",
        "-p",
        p,
    )
    assert "codeerblad_anna.xlsx (4 segments)" in out
    sheets = project / "data" / "sheets"
    anna, bert = sheets / "codeerblad_anna.xlsx", sheets / "codeerblad_bert.xlsx"
    assert anna.is_file() and bert.is_file()
    from verhalen.coding.sheet_import import read_meta

    meta = read_meta(anna)
    segs = list(meta.text_hashes)
    assert meta.seed == 2 and meta.stratify == ("practice",) and len(segs) == 4
    fill_sheet(
        anna,
        {
            segs[0]: {"code 1": "tips_en_advies", "memo": "duidelijk advies"},
            segs[1]: {
                "code 1": "luisteren",
                "code 2": "gezelligheid",
                "nieuwe code (voorstel)": "zelf_knutselen",
            },
        },
    )
    fill_sheet(bert, {segs[0]: {"code 1": "tips_en_advies"}})
    out = run("sheets", "import", str(anna), str(bert), "-p", p)
    assert "codeerblad_anna.xlsx: coder anna, 4 rows, 3 codings (3 new" in out
    assert "'zelf_knutselen' by anna" in out
    proposals = (project / "data" / "codevoorstellen.jsonl").read_text(encoding="utf-8")
    assert json.loads(proposals)["proposal"] == "zelf_knutselen"

    out = run("coded", "show", "--coder", "anna", "-p", p)
    assert "3 coding(s)" in out and "coder" in out and "memo" in out
    memos = [
        json.loads(line)["memo"]
        for line in run("coded", "show", "--coder", "anna", "--json", "-p", p).splitlines()
    ]
    assert "duidelijk advies" in memos
    out = run("coded", "show", "--segment", segs[0], "-p", p)
    assert "2 coding(s)" in out and out.startswith(f"{segs[0]} (")
    rows = [
        json.loads(line)
        for line in run("coded", "show", "--segment", segs[0], "--json", "-p", p).splitlines()
    ]
    assert {(r["coder"], r["code_id"]) for r in rows} == {
        ("anna", "tips_en_advies"),
        ("bert", "tips_en_advies"),
    }
    out = run("coded", "show", "--code", "luisteren", "--json", "-p", p)
    (line,) = out.strip().splitlines()
    assert json.loads(line)["coder"] == "anna"
    err = run("coded", "show", "--coder", "zoe", "-p", p, ok=False)
    assert "no codings of 'zoe'" in err

    out = run("coded", "stats", "-p", p)
    assert "4 codings; 2 of 10 segments coded" in out
    assert "Per coder" in out and "Per factor" in out and "Per source" in out
    data = json.loads(run("coded", "stats", "--json", "-p", p))
    per_coder = {r["coder"]: r for r in data["per_coder"]}
    assert per_coder["anna"]["codings"] == 3 and per_coder["bert"]["segmenten"] == 1
    per_factor = {r["factor_id"]: r["codings"] for r in data["per_factor"]}
    assert per_factor == {"uitwisselen_en_leren": 3, "structuur": 1}
    assert data["segments_by_coders"] == {"1": 1, "2": 1}


def test_import_failures_exit_1_and_name_rows(project: Path) -> None:
    p = str(project)
    run(
        "sheets",
        "export",
        "--coder",
        "anna",
        "--no-suggestions",
        "--out",
        str(project / "uit"),
        "-p",
        p,
    )
    sheet = project / "uit" / "codeerblad_anna.xlsx"
    fill_sheet(sheet, {"int01-t001": {"code 1": "bestaat_niet"}})
    err = run("sheets", "import", str(sheet), "-p", p, ok=False)
    assert "row 2 (segment int01-t001): unknown code id 'bestaat_niet'" in err
    assert CodedStore(project / "data" / "coded").coders() == []


def test_uncoded_only_leaves_out_coded_segments(project: Path) -> None:
    p = str(project)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    CodedStore(project / "data" / "coded").add(
        [Coding(segment_id="int01-t001", code_id="gezelligheid", coder="anna", timestamp=when)]
    )
    out = run("sheets", "export", "--coder", "anna", "--uncoded-only", "--no-suggestions", "-p", p)
    assert "(9 segments)" in out


def test_stats_per_source_counts_accepted_suggestions() -> None:
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    items = [
        Coding(
            segment_id="s1",
            code_id="a",
            coder="anna",
            timestamp=when,
            source=CodingSource.suggested,
        ),
        Coding(segment_id="s1", code_id="b", coder="anna", timestamp=when),
        Coding(
            segment_id="s2", code_id="a", coder="bert", timestamp=when, source=CodingSource.imported
        ),
    ]
    stats = coding_stats(items, n_segments=5)
    by_source = stats["per_source"].set_index("coder")
    assert by_source.loc["anna", "suggested"] == 1 and by_source.loc["anna", "manual"] == 1
    assert by_source.loc["bert", "imported"] == 1
    assert stats["segments_coded"] == 2 and stats["n_codings"] == 3
    assert set(stats["per_factor"]["factor_id"]) == {"(geen factor)"}
    empty = coding_stats([])
    assert empty["n_codings"] == 0 and empty["per_coder"].empty
