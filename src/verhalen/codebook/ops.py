"""Codebook operations: add, edit, merge, split, rename, retire (and add a factor).

Each operation is a pure function: it takes a :class:`~verhalen.records.Codebook` and returns
a :class:`Change` — the new codebook, with its minor version bumped (1.3 → 1.4) and one
:class:`~verhalen.records.ChangeEntry` appended to its changelog. Nothing is deleted, so
history survives:

* **merge** marks each source ``status: merged, merged_into: <target>``; the coded store
  resolves codings of merged codes when reading (:meth:`Codebook.resolve`).
* **rename** changes the label; a rename to a *new id* creates the new code and records the
  old one as merged into it, so codings follow.
* **split** retires the old code and adds (or reuses) the new ones; which codings go where is
  decided later per segment (:mod:`verhalen.codebook.split`).
* **retire** keeps the code (and its codings) but it can no longer be applied.

Writing the result (file + version snapshot) is :func:`verhalen.codebook.versions.commit`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from verhalen.codebook.base import (
    Change,
    active_code,
    finish,
    new_code,
    next_version,
    now,
    slugify,
    touch,
    version_key,
)
from verhalen.codebook.factors import add_factor, regroup_codes
from verhalen.errors import NotFoundError, VerhalenError
from verhalen.records import Code, Codebook, CodeStatus

__all__ = [
    "EDITABLE",
    "Change",
    "add_code",
    "add_factor",
    "edit_code",
    "merge_codes",
    "new_code",
    "next_version",
    "now",
    "regroup_codes",
    "rename_code",
    "retire_code",
    "slugify",
    "split_code",
    "version_key",
]

EDITABLE = (
    "definition",
    "inclusion",
    "exclusion",
    "examples",
    "keywords",
    "lemma_patterns",
    "patterns",
    "parent",
    "color",
    "origin",
)


def add_code(
    codebook: Codebook, code: Code, who: str, why: str = "", when: dt.datetime | None = None
) -> Change:
    """Add a new code (deductive, or inductive/in-vivo with ``origin.segment_id``)."""
    if codebook.code(code.id) is not None or codebook.factor(code.id) is not None:
        raise VerhalenError(
            f"id {code.id!r} already exists in codebook {codebook.id!r} — "
            "choose another id (or --id)"
        )
    if (
        code.parent is not None
        and codebook.code(code.parent) is None
        and codebook.factor(code.parent) is None
    ):
        raise NotFoundError(
            f"parent {code.parent!r} is neither a factor nor a code of codebook "
            f"{codebook.id!r} — factors: {', '.join(f.id for f in codebook.factors)}"
        )
    if not code.definition.strip():
        raise VerhalenError(
            f"code {code.id!r} needs a definition — describe when to apply it (--definition)"
        )
    day = (when or now()).date()
    code = code.model_copy(update={"created": code.created or day, "modified": day})
    kind = code.origin.kind.value
    what = f"Code '{code.label}' toegevoegd ({'inductief' if kind == 'inductive' else 'deductief'}"
    what += f", uit segment {code.origin.segment_id})" if code.origin.segment_id else ")"
    codes = list(codebook.codes)
    codes.insert(_insert_at(codebook, code.parent), code)
    return finish(codebook, codes, "add", [code.id], what, who, why, when)


def _insert_at(codebook: Codebook, parent: str | None) -> int:
    """Position for a new code: after the last code under the same factor (else at the end)."""
    factor = codebook.factor_of(parent) if parent else None
    if factor is None:
        return len(codebook.codes)
    last = [i for i, c in enumerate(codebook.codes) if codebook.factor_of(c.id) == factor]
    return last[-1] + 1 if last else len(codebook.codes)


def edit_code(
    codebook: Codebook,
    code_id: str,
    changes: dict[str, Any],
    who: str,
    why: str = "",
    when: dt.datetime | None = None,
) -> Change:
    """Change content fields of an active code (definition, criteria, cues, parent)."""
    code = active_code(codebook, code_id)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise VerhalenError(
            f"cannot edit {', '.join(unknown)} of a code here — editable: "
            f"{', '.join(EDITABLE)}; use rename for label or id"
        )
    changed = {k: v for k, v in changes.items() if getattr(code, k) != v}
    if not changed:
        raise VerhalenError(f"nothing to change: code {code_id!r} already has these values")
    new = Code.model_validate({**code.model_dump(), **changed})
    new = touch(new, when)
    codes = [new if c.id == code_id else c for c in codebook.codes]
    what = f"Code '{code.label}' bewerkt: {', '.join(sorted(changed))}"
    return finish(
        codebook, codes, "edit", [code_id], what, who, why, when, {"fields": sorted(changed)}
    )


def merge_codes(
    codebook: Codebook,
    sources: Iterable[str],
    target: str,
    who: str,
    why: str = "",
    when: dt.datetime | None = None,
) -> Change:
    """Merge ``sources`` into ``target``; codings of the sources follow to the target.

    The target keeps its definition and gains the sources' keywords, lemma patterns and
    patterns; active child codes of a source move under the target.
    """
    sources = list(dict.fromkeys(sources))
    if not sources:
        raise VerhalenError("merge needs at least one code to merge into the target")
    if target in sources:
        raise VerhalenError(f"cannot merge code {target!r} into itself")
    goal = active_code(codebook, target, "target code")
    for source in sources:
        active_code(codebook, source)
    cues: dict[str, list[str]] = {
        k: list(getattr(goal, k)) for k in ("keywords", "lemma_patterns", "patterns")
    }
    codes = []
    for c in codebook.codes:
        if c.id in sources:
            for key, values in cues.items():
                values.extend(v for v in getattr(c, key) if v not in values)
            c = touch(c, when, status=CodeStatus.merged, merged_into=target)
        elif c.parent in sources and c.status == CodeStatus.active:
            c = touch(c, when, parent=target)
        codes.append(c)
    codes = [touch(c, when, **cues) if c.id == target else c for c in codes]
    labels = ", ".join(f"'{codebook.code(s).label}'" for s in sources)  # type: ignore[union-attr]
    what = f"{labels} samengevoegd in '{goal.label}'"
    return finish(
        codebook,
        codes,
        "merge",
        [*sources, target],
        what,
        who,
        why,
        when,
        {"into": target, "merged": sources},
    )


def rename_code(
    codebook: Codebook,
    code_id: str,
    who: str,
    new_label: str | None = None,
    new_id: str | None = None,
    why: str = "",
    when: dt.datetime | None = None,
) -> Change:
    """Rename a code's label, or move it to a new id (the old id becomes merged into it)."""
    code = active_code(codebook, code_id)
    if new_id is None or new_id == code_id:
        if not new_label or new_label == code.label:
            raise VerhalenError("rename needs a new label (--label) or a new id (--to)")
        codes = [touch(c, when, label=new_label) if c.id == code_id else c for c in codebook.codes]
        what = f"Label '{code.label}' → '{new_label}'"
        return finish(
            codebook,
            codes,
            "rename",
            [code_id],
            what,
            who,
            why,
            when,
            {"old_label": code.label, "new_label": new_label},
        )
    if codebook.code(new_id) is not None or codebook.factor(new_id) is not None:
        raise VerhalenError(
            f"id {new_id!r} is already used in codebook {codebook.id!r} — "
            "to combine two codes use merge"
        )
    label = new_label or code.label
    successor = Code.model_validate({**code.model_dump(), "id": new_id, "label": label})
    successor = touch(successor, when)
    codes = []
    for c in codebook.codes:
        if c.id == code_id:
            codes.append(touch(c, when, status=CodeStatus.merged, merged_into=new_id))
            codes.append(successor)
        elif c.parent == code_id and c.status == CodeStatus.active:
            codes.append(touch(c, when, parent=new_id))
        else:
            codes.append(c)
    what = f"Code '{code.label}' ({code_id}) heet nu '{label}' ({new_id})"
    return finish(
        codebook,
        codes,
        "rename",
        [code_id, new_id],
        what,
        who,
        why,
        when,
        {"old_id": code_id, "new_id": new_id, "old_label": code.label, "new_label": label},
    )


def split_code(
    codebook: Codebook,
    code_id: str,
    into: Sequence[Code | str],
    who: str,
    why: str = "",
    when: dt.datetime | None = None,
) -> Change:
    """Split a code into two or more codes (new :class:`Code` records or existing ids).

    The old code is retired; its codings stay until a mapping moves them
    (:func:`verhalen.codebook.split.apply_split_mapping`) and are listed as needing a
    decision by :func:`verhalen.codebook.split.pending_split_codings`.
    """
    old = active_code(codebook, code_id)
    if len(into) < 2:
        raise VerhalenError(f"split {code_id!r} into at least two codes (got {len(into)})")
    new_codes: list[Code] = []
    targets: list[str] = []
    day = (when or now()).date()
    for item in into:
        if isinstance(item, str):
            if item == code_id:
                raise VerhalenError(f"cannot split {code_id!r} into itself")
            active_code(codebook, item, "split target")
            targets.append(item)
            continue
        if codebook.code(item.id) is not None or codebook.factor(item.id) is not None:
            raise VerhalenError(
                f"new code id {item.id!r} already exists — to split into an "
                "existing code give only its id"
            )
        if not item.definition.strip():
            raise VerhalenError(f"new code {item.id!r} needs a definition")
        parent = item.parent or old.parent
        new_codes.append(
            item.model_copy(update={"parent": parent, "created": day, "modified": day})
        )
        targets.append(item.id)
    if len(set(targets)) != len(targets):
        raise VerhalenError(f"split targets must differ, got {', '.join(targets)}")
    codes = []
    for c in codebook.codes:
        if c.id == code_id:
            codes.append(touch(c, when, status=CodeStatus.retired))
            codes.extend(new_codes)
        elif c.parent == code_id and c.status == CodeStatus.active:
            codes.append(touch(c, when, parent=old.parent))
        else:
            codes.append(c)
    what = f"Code '{old.label}' gesplitst in {', '.join(targets)}"
    return finish(
        codebook,
        codes,
        "split",
        [code_id, *targets],
        what,
        who,
        why,
        when,
        {"from": code_id, "into": targets},
    )


def retire_code(
    codebook: Codebook, code_id: str, who: str, why: str = "", when: dt.datetime | None = None
) -> Change:
    """Retire a code: it stays (with its codings) for the record but is no longer applied."""
    code = active_code(codebook, code_id)
    codes = [
        touch(c, when, status=CodeStatus.retired) if c.id == code_id else c for c in codebook.codes
    ]
    return finish(
        codebook, codes, "retire", [code_id], f"Code '{code.label}' vervallen", who, why, when
    )
