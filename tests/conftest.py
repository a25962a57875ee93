"""Shared fixtures: the example project, and small projects built in tmp folders."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from verhalen.config import ProjectConfig

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """A writable copy of the bundled example project (config, codebook, raw data)."""
    dest = tmp_path / "voorbeeld"
    dest.mkdir()
    shutil.copy(REPO / "verhalen.toml", dest / "verhalen.toml")
    shutil.copytree(REPO / "codebook", dest / "codebook")
    shutil.copytree(REPO / "data" / "raw", dest / "data" / "raw")
    (dest / "data" / "coded").mkdir()
    if (REPO / "calibration" / "rounds.json").is_file():
        (dest / "calibration").mkdir()
        shutil.copy(REPO / "calibration" / "rounds.json", dest / "calibration" / "rounds.json")
    if (REPO / "data" / "feedback").is_dir():
        shutil.copytree(REPO / "data" / "feedback", dest / "data" / "feedback")
    if (REPO / "data" / "coded").is_dir():
        for f in (REPO / "data" / "coded").glob("*.jsonl"):
            shutil.copy(f, dest / "data" / "coded" / f.name)
    return dest


MINI_CONFIG = """
[project]
name = "mini"
[codebook]
files = []
"""


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """An empty project with the default configuration and an empty data/raw/."""
    root = tmp_path / "mini"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "verhalen.toml").write_text(MINI_CONFIG, encoding="utf-8")
    return root


@pytest.fixture
def config() -> ProjectConfig:
    return ProjectConfig()


TranscriptWriter = Callable[..., Path]


@pytest.fixture
def write_transcript(mini_project: Path) -> TranscriptWriter:
    """Write a .txt transcript with front matter into the mini project's data/raw/."""

    def write(
        name: str,
        body: str,
        *,
        tid: str | None = None,
        participant: str = "p1",
        role: str | None = "moeder",
        practice: str | None = "vve_hoogeveen",
        extra: str = "",
        encoding: str = "utf-8",
        newline: str = "\n",
    ) -> Path:
        meta = [f"id: {tid or Path(name).stem}", f"participant: {participant}"]
        if role:
            meta.append(f"role: {role}")
        if practice:
            meta.append(f"practice: {practice}")
        if extra:
            meta.append(extra)
        text = "---\n" + "\n".join(meta) + "\n---\n" + body
        path = mini_project / "data" / "raw" / name
        path.write_bytes(text.replace("\n", newline).encode(encoding))
        return path

    return write
