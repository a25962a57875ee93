"""The codebook stage: versioned, human-editable YAML codebooks.

Codebooks live in a project's ``codebook/`` folder as YAML (diffable in git). This package
loads them with line-aware validation, changes them through operations that keep history
(add, edit, merge, split, rename, retire), snapshots every version under
``codebook/.versions/``, compares versions and renders a readable document::

    from verhalen import Project
    from verhalen.codebook import load_project_codebook
    codebook = load_project_codebook(Project.open("."))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verhalen.codebook.diff import CodebookDiff, diff_codebooks
    from verhalen.codebook.ops import (
        Change,
        add_code,
        add_factor,
        edit_code,
        merge_codes,
        next_version,
        regroup_codes,
        rename_code,
        retire_code,
        slugify,
        split_code,
    )
    from verhalen.codebook.project import (
        BUNDLED,
        ProjectCodebooks,
        bundled_text,
        combine,
        load_bundled,
        load_project_codebook,
    )
    from verhalen.codebook.render import render_html, render_markdown
    from verhalen.codebook.split import (
        apply_split_mapping,
        pending_split_codings,
        read_split_mapping,
    )
    from verhalen.codebook.validate import check_codebook, parse_codebook
    from verhalen.codebook.versions import (
        commit,
        list_versions,
        load_version,
        read_codebook,
        unrecorded_changes,
        write_codebook,
    )
    from verhalen.codebook.yaml_io import dump_codebook, load_yaml

__all__ = [
    "BUNDLED",
    "Change",
    "CodebookDiff",
    "ProjectCodebooks",
    "add_code",
    "add_factor",
    "apply_split_mapping",
    "bundled_text",
    "check_codebook",
    "combine",
    "commit",
    "diff_codebooks",
    "dump_codebook",
    "edit_code",
    "list_versions",
    "load_bundled",
    "load_project_codebook",
    "load_version",
    "load_yaml",
    "merge_codes",
    "next_version",
    "parse_codebook",
    "pending_split_codings",
    "read_codebook",
    "read_split_mapping",
    "regroup_codes",
    "rename_code",
    "render_html",
    "render_markdown",
    "retire_code",
    "slugify",
    "split_code",
    "unrecorded_changes",
    "write_codebook",
]

_LAZY = {
    "BUNDLED": "verhalen.codebook.project",
    "Change": "verhalen.codebook.ops",
    "CodebookDiff": "verhalen.codebook.diff",
    "ProjectCodebooks": "verhalen.codebook.project",
    "add_code": "verhalen.codebook.ops",
    "add_factor": "verhalen.codebook.ops",
    "apply_split_mapping": "verhalen.codebook.split",
    "bundled_text": "verhalen.codebook.project",
    "check_codebook": "verhalen.codebook.validate",
    "combine": "verhalen.codebook.project",
    "commit": "verhalen.codebook.versions",
    "diff_codebooks": "verhalen.codebook.diff",
    "dump_codebook": "verhalen.codebook.yaml_io",
    "edit_code": "verhalen.codebook.ops",
    "list_versions": "verhalen.codebook.versions",
    "load_bundled": "verhalen.codebook.project",
    "load_project_codebook": "verhalen.codebook.project",
    "load_version": "verhalen.codebook.versions",
    "load_yaml": "verhalen.codebook.yaml_io",
    "merge_codes": "verhalen.codebook.ops",
    "next_version": "verhalen.codebook.ops",
    "parse_codebook": "verhalen.codebook.validate",
    "pending_split_codings": "verhalen.codebook.split",
    "read_codebook": "verhalen.codebook.versions",
    "read_split_mapping": "verhalen.codebook.split",
    "regroup_codes": "verhalen.codebook.ops",
    "rename_code": "verhalen.codebook.ops",
    "render_html": "verhalen.codebook.render",
    "render_markdown": "verhalen.codebook.render",
    "retire_code": "verhalen.codebook.ops",
    "slugify": "verhalen.codebook.ops",
    "split_code": "verhalen.codebook.ops",
    "unrecorded_changes": "verhalen.codebook.versions",
    "write_codebook": "verhalen.codebook.versions",
}


def __getattr__(name: str) -> object:
    # Lazy, so importing one part (or the CLI) does not load pandas, jinja2 and the corpus.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'verhalen.codebook' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
