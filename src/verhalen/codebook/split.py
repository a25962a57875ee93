"""After a split: which codings of the old code go to which new code.

A split retires the old code. Its codings are not moved automatically: a researcher gives a
mapping ``segment_id → new code`` (:func:`read_split_mapping`, :func:`apply_split_mapping`),
and whatever is not mapped stays on the old code, listed by :func:`pending_split_codings`
for review. Moving a coding appends a ``remove`` and an ``add`` event to the coder's history,
so the store keeps the full trail.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

import yaml

from verhalen.codebook.ops import new_code
from verhalen.coding.store import CodedStore
from verhalen.errors import NotFoundError, Problem, ValidationError, VerhalenError
from verhalen.records import Code, Codebook, Coding


def split_targets(codebook: Codebook) -> dict[str, list[str]]:
    """Codes that were split, with the codes they were split into (from the changelog)."""
    out: dict[str, list[str]] = {}
    for entry in codebook.changelog:
        if entry.action == "split" and entry.details.get("from"):
            out[str(entry.details["from"])] = [str(c) for c in entry.details.get("into", [])]
    return out


def pending_split_codings(
    codebook: Codebook, store: CodedStore, coder: str | None = None
) -> list[Coding]:
    """Codings still on a split code: each needs a decision which new code applies.

    Codes merged into a split code count too (codings are resolved through the codebook).
    Sorted by code, segment and coder.
    """
    split = split_targets(codebook)
    pending = [c for c in store.codings(coder, codebook=codebook) if c.code_id in split]
    return sorted(pending, key=lambda c: (c.code_id, c.segment_id, c.coder))


def read_split_mapping(path: str | Path) -> dict[str, str]:
    """Read ``segment_id → code_id`` from CSV (columns segment_id, code_id), YAML or JSON."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{path}: mapping file not found")
    text = path.read_text(encoding="utf-8-sig")
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"segment_id", "code_id"} <= set(reader.fieldnames):
            raise VerhalenError(
                f"{path}: expected the columns segment_id,code_id (got "
                f"{', '.join(reader.fieldnames or []) or 'none'})"
            )
        for n, row in enumerate(reader, start=2):
            seg, code = (row.get("segment_id") or "").strip(), (row.get("code_id") or "").strip()
            if not seg or not code:
                problems.append(
                    Problem(
                        f"{path}:{n}",
                        "empty segment_id or code_id",
                        "fill in both columns or remove the row",
                    )
                )
            elif seg in mapping and mapping[seg] != code:
                problems.append(
                    Problem(
                        f"{path}:{n}",
                        f"segment {seg!r} is mapped twice ({mapping[seg]!r} and {code!r})",
                        "keep one",
                    )
                )
            else:
                mapping[seg] = code
    else:
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise VerhalenError(f"{path}: cannot read the mapping ({exc})") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise VerhalenError(f"{path}: expected a mapping 'segment_id: code_id' per line")
        mapping = {str(k): v for k, v in data.items()}
    if problems:
        raise ValidationError(problems, summary=f"{path}: invalid split mapping")
    return mapping


def apply_split_mapping(
    codebook: Codebook,
    store: CodedStore,
    code_id: str,
    mapping: dict[str, str],
    who: str,
    coder: str | None = None,
) -> int:
    """Move codings of split code ``code_id`` to the new codes given per segment.

    Every problem of the mapping (a target that is not one of the split's codes, a segment
    without a coding of the split code) is reported at once before anything is written.
    Returns the number of codings moved.
    """
    split = split_targets(codebook)
    if code_id not in split:
        raise VerhalenError(
            f"code {code_id!r} was not split in codebook {codebook.id!r} — "
            f"split codes: {', '.join(sorted(split)) or 'none'}"
        )
    targets = split[code_id]
    pending = [c for c in pending_split_codings(codebook, store, coder) if c.code_id == code_id]
    segments = {c.segment_id for c in pending}
    problems = [
        Problem(
            f"mapping ({seg})",
            f"{target!r} is not one of the codes {code_id!r} was split into",
            f"use one of: {', '.join(targets)}",
        )
        for seg, target in sorted(mapping.items())
        if target not in targets
    ]
    problems += [
        Problem(
            f"mapping ({seg})",
            f"segment has no open coding of {code_id!r}",
            "check the segment id, or it was already moved",
        )
        for seg in sorted(mapping)
        if seg not in segments
    ]
    if problems:
        raise ValidationError(
            problems,
            summary=f"split mapping for {code_id!r}: {len(problems)} problem(s), nothing moved",
        )
    moved = [c for c in pending if c.segment_id in mapping]
    # the stored codings keep the id they were made with (perhaps a code merged into the
    # split code), so remove by the raw stored coding
    keys = {(c.coder, c.segment_id, c.code_id, c.start, c.end) for c in moved}
    originals = [
        c
        for c in store.codings(coder)
        if (c.coder, c.segment_id, codebook.resolve(c.code_id), c.start, c.end) in keys
    ]
    note = f"split {code_id}"
    store.remove(originals, who=who, note=note)
    store.add(
        [
            c.model_copy(
                update={"code_id": mapping[c.segment_id], "codebook_version": codebook.version}
            )
            for c in moved
        ],
        who=who,
        note=note,
    )
    return len(moved)


def parse_split_specs(into: Sequence[str], definitions: Sequence[str] = ()) -> list[Code | str]:
    """Split targets from the command line.

    ``ID=Label`` is a new code (its definition given as ``ID=definition`` in
    ``definitions``); a bare ``ID`` is an existing code. All missing definitions are
    reported at once.
    """
    defs: dict[str, str] = {}
    for item in definitions:
        key, sep, text = item.partition("=")
        if not sep or not text.strip():
            raise VerhalenError(f"--definition {item!r}: write it as ID=definition")
        defs[key.strip()] = text.strip()
    targets: list[Code | str] = []
    missing = []
    for spec in into:
        new_id, sep, label = (part.strip() for part in spec.partition("="))
        if not sep:
            targets.append(new_id)
        elif new_id not in defs:
            missing.append(new_id)
        else:
            targets.append(new_code(id=new_id, label=label, definition=defs[new_id]))
    if missing:
        raise VerhalenError(
            f"new code(s) {', '.join(missing)} need a definition — add "
            + " ".join(f"--definition {m}=..." for m in missing)
        )
    return targets
