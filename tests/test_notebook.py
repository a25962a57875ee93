"""The pipeline notebook runs top to bottom on a copy of the example project."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "verhalen_pipeline.ipynb"

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _ensure_kernel() -> None:
    """Make the venv's python3 kernel findable (installs the kernelspec into the venv)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        from ipykernel import kernelspec

        kernelspec.install(prefix=sys.prefix)


def test_committed_notebook_has_no_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    source = "\n".join(c.source for c in code)
    assert "verhalen." in source and "._" not in source.replace("__", "")  # public API only


@pytest.mark.slow
def test_notebook_runs_on_the_example_project(tmp_path: Path) -> None:
    root = tmp_path / "voorbeeld"
    root.mkdir()
    shutil.copy(REPO / "verhalen.toml", root / "verhalen.toml")
    shutil.copytree(REPO / "codebook", root / "codebook", ignore=shutil.ignore_patterns(".*"))
    for part in ("raw", "coded", "feedback"):
        shutil.copytree(REPO / "data" / part, root / "data" / part)
    _ensure_kernel()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(root)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    assert (root / "data" / "corpus.jsonl").is_file()
    assert (root / "reports" / "index.html").is_file()
    assert (root / "reports" / "klankbord.html").is_file()
    text = "\n".join(
        str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    assert "ARI clusters vs. factoren" in text and "Gezelligheid" in text
