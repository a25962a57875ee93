"""Open the generated pages in headless Chromium: every image loads, every link resolves.

The report (``reports/index.html``, built by :func:`verhalen.report.build_report` with the
klankbord summary as an extra page), the posters index and every page they link to are
opened from disk. A probe page loads them in iframes (``--allow-file-access-from-files``)
and a small inline script writes each page's images with their ``naturalWidth``, its links
and its element ids into the DOM, which ``--dump-dom`` hands back to the test. Screenshots
are kept as artifacts in ``tests/artifacts/`` (git-ignored).

Skipped, with a message, when Chromium is not installed (``apt-get install chromium``;
``.ci/run`` installs it).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from verhalen.codebook import load_project_codebook
from verhalen.coding import CodedStore
from verhalen.project import Project

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MARKER = "__verhalen_check__"
PROBE_SCRIPT = f"""
<script>
window.addEventListener("load", function () {{
  var out = {{}};
  Array.from(document.querySelectorAll("iframe")).forEach(function (frame) {{
    var doc = frame.contentDocument;
    out[frame.dataset.page] = doc === null ? null : {{
      images: Array.from(doc.images).map(function (i) {{
        return {{src: i.getAttribute("src"), width: i.naturalWidth, complete: i.complete}};
      }}),
      links: Array.from(doc.querySelectorAll("a[href]")).map(function (a) {{
        return a.getAttribute("href");
      }}),
      ids: Array.from(doc.querySelectorAll("[id]")).map(function (e) {{ return e.id; }})
    }};
  }});
  var pre = document.createElement("pre");
  pre.id = "{MARKER}";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}});
</script>
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="headless Chromium is not installed (apt-get install chromium); "
        "the browser check of the report is skipped",
    ),
]


def _chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={user_data}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def inspect_pages(pages: list[Path], root: Path, user_data: Path) -> dict[Path, Any]:
    """Images (with ``naturalWidth``), links and element ids of each page, as Chromium sees
    them: one probe page in ``root`` loads every page in an iframe (one browser start)."""
    probe = root / f"{MARKER}.html"
    frames = "".join(
        f'<iframe data-page="{i}" src="{p.relative_to(root).as_posix()}"></iframe>'
        for i, p in enumerate(pages)
    )
    probe.write_text(f"<!DOCTYPE html><html><body>{frames}{PROBE_SCRIPT}</body></html>")
    try:
        result = _chromium("--allow-file-access-from-files", "--virtual-time-budget=10000",
                           "--dump-dom", probe.as_uri(), user_data=user_data)  # fmt: skip
    finally:
        probe.unlink()
    found = re.search(rf'<pre id="{MARKER}">(.*?)</pre>', result.stdout, re.S)
    assert found, f"no result from Chromium: {result.stderr[-2000:]}"
    data = json.loads(html.unescape(found.group(1)))
    assert all(data[str(i)] is not None for i in range(len(pages))), "a page did not open"
    return {page: data[str(i)] for i, page in enumerate(pages)}


def check_page(page: Path, data: dict[str, Any]) -> list[Path]:
    """Assert every image loaded and every internal link resolves; return linked pages."""
    broken = [img["src"] for img in data["images"] if not img["complete"] or img["width"] <= 0]
    assert not broken, f"{page.name}: images that did not load: {broken}"
    linked: list[Path] = []
    for href in data["links"]:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        if not parts.path:
            assert parts.fragment in data["ids"], f"{page.name}: no element #{parts.fragment}"
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        assert target.exists(), f"{page.name}: link {href!r} points at a missing file"
        if target.suffix == ".html":
            linked.append(target)
    return linked


def _project(tmp_path: Path) -> Project:
    root = tmp_path / "voorbeeld"
    root.mkdir()
    shutil.copy(REPO / "verhalen.toml", root / "verhalen.toml")
    shutil.copytree(REPO / "codebook", root / "codebook", ignore=shutil.ignore_patterns(".*"))
    for part in ("raw", "coded", "feedback"):
        shutil.copytree(REPO / "data" / part, root / "data" / part)
    return Project.open(root)


@pytest.fixture
def built_report_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``reports/index.html`` of a tmp copy of the example project, built by the report API
    (with the klankbord summary page), plus the posters of one practice."""
    from verhalen import klankbord
    from verhalen.report import build_report

    project = _project(tmp_path)
    corpus, _ = project.ingest(write=False)
    codebook = load_project_codebook(project)
    codings = CodedStore(project.coded_dir).dataframe(codebook)
    summary = klankbord.feedback_summary(project)
    build_report(
        corpus,
        codings,
        codebook,
        project.config,
        project.reports_dir,
        extra_sections=[klankbord.report_section(summary)],
    )
    # The PDFs are tested in test_klankbord_posters; here only the pages matter.
    monkeypatch.setattr("verhalen.klankbord.build.posters_pdf", lambda *a, **k: b"%PDF-1.4\n")
    posters = klankbord.project_posters(
        project, corpus, codebook=codebook, codings=codings, practices=["vve_hoogeveen"]
    )
    klankbord.write_posters(project, posters)
    return project.reports_dir / "index.html"


def test_report_and_posters_in_the_browser(built_report_index: Path, tmp_path: Path) -> None:
    user_data = tmp_path / "chromium-profile"
    reports = built_report_index.parent.resolve()
    start = [
        reports / "index.html",
        reports / "posters" / "index.html",
        reports / "posters" / "vve_hoogeveen" / "index.html",
    ]
    # the start pages, then every page they link to (one level deep)
    checked = inspect_pages(start, reports, user_data)
    linked = sorted({p for page in start for p in check_page(page, checked[page])} - set(start))
    linked = [p for p in linked if p.is_relative_to(reports)]
    checked.update(inspect_pages(linked, reports, user_data))
    for page in linked:
        check_page(page, checked[page])
    assert reports / "klankbord.html" in checked
    assert reports / "posters" / "vve_hoogeveen" / "structuur.html" in checked
    assert sum(len(d["images"]) for d in checked.values()) >= 3  # figures and badges

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, page in (
        ("report_index.png", built_report_index),
        ("poster_vve_hoogeveen_ontmoeten_en_steunen.png",
         reports / "posters" / "vve_hoogeveen" / "ontmoeten_en_steunen.html"),
    ):  # fmt: skip
        shot = ARTIFACTS / name
        shot.unlink(missing_ok=True)
        _chromium(f"--screenshot={shot}", "--window-size=1280,1800", page.as_uri(),
                  user_data=user_data)  # fmt: skip
        assert shot.is_file() and shot.stat().st_size > 1000
