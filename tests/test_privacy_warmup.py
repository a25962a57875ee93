"""deduce's lookup cache: a writable location, the bundled extensions, the CLI commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from verhalen.cli import app
from verhalen.privacy import deduce_backend
from verhalen.privacy.lists import bundled_list


def test_cache_goes_to_the_configured_writable_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERHALEN_CACHE_DIR", str(tmp_path / "cache"))
    assert deduce_backend.cache_root() == tmp_path / "cache"
    target = deduce_backend.lookup_dir()
    assert target.parent == tmp_path / "cache" and target.name.startswith("deduce-")
    assert not deduce_backend.is_warm(target)


def test_unwritable_folders_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("VERHALEN_CACHE_DIR", str(blocked / "sub"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert deduce_backend.cache_root() == tmp_path / "xdg" / "verhalen"


def test_the_lookup_copy_carries_verhalens_extra_lists(tmp_path: Path) -> None:
    target = tmp_path / "deduce-test"
    deduce_backend._prepare(target)
    extra = target / "src" / "names" / "lst_first_name" / "lst_verhalen" / "items.txt"
    assert extra.read_text(encoding="utf-8").split() == list(bundled_list("voornamen_extra"))
    places = target / "src" / "locations" / "lst_placename" / "lst_verhalen" / "items.txt"
    assert "Nador" in places.read_text(encoding="utf-8").splitlines()
    assert (target / "src" / "names" / "lst_surname" / "items.txt").is_file()
    deduce_backend._prepare(target)  # a second call leaves the copy alone


def test_commands_are_registered() -> None:
    names = {c.name for c in app.registered_commands}
    assert {"pseudonymise", "audit-privacy", "warmup"} <= names
