"""Codebook validation: every problem of a file at once, each with its YAML line.

Two layers:

* :func:`parse_codebook` checks a YAML text: syntax, unknown fields (typos, with a
  suggestion), wrong types, invalid regular expressions, then the structural checks below.
* :func:`codebook_problems` checks structure on records, so operations can check their result
  too: duplicate ids, unknown parents, parent cycles, codes without a definition, merges
  into a missing code, and inconsistent ``status``/``merged_into``.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from verhalen.codebook.yaml_io import LineMap, PathKey, load_yaml
from verhalen.errors import Problem, ValidationError, location
from verhalen.records import ChangeEntry, Code, Codebook, CodeStatus, Factor, Origin

M = TypeVar("M", bound=BaseModel)
Where = Callable[[PathKey], str]

SECTIONS: dict[str, type[BaseModel]] = {"factors": Factor, "codes": Code, "changelog": ChangeEntry}


def _dotted(path: PathKey) -> str:
    return ".".join(str(p) for p in path)


def _suggest(value: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pydantic_problems(
    exc: PydanticValidationError, model: type[BaseModel], prefix: PathKey, where: Where
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc: PathKey = tuple(err["loc"])
        path = (*prefix, *loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            name = str(loc[-1])
            owner: type[BaseModel] | None = model if len(loc) == 1 else None
            if len(loc) == 2 and loc[0] == "origin":
                owner = Origin
            allowed = sorted(owner.model_fields) if owner is not None else []
            hint = _suggest(name, allowed) if allowed else ""
            fix = hint or "remove it"
            if allowed:
                fix += f" (allowed: {', '.join(allowed)})"
            problems.append(Problem(where(path), f"unknown field {name!r}", fix))
        elif kind == "missing":
            problems.append(
                Problem(where(path), f"required field {str(loc[-1])!r} is missing", "add it")
            )
        elif loc and loc[0] == "patterns" and kind == "value_error":
            continue  # reported per pattern, with its own line, by _pattern_problems
        else:
            problems.append(
                Problem(
                    where(path),
                    f"{err['msg']} (got {_short(err.get('input'))})",
                    "correct the value",
                )
            )
    return problems


def _pattern_problems(raw: dict[str, Any], prefix: PathKey, where: Where) -> list[Problem]:
    problems: list[Problem] = []
    patterns = raw.get("patterns")
    if not isinstance(patterns, list):
        return problems
    for j, pattern in enumerate(patterns):
        if not isinstance(pattern, str):
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(
                Problem(
                    where((*prefix, "patterns", j)),
                    f"invalid regular expression {pattern!r}: {exc}",
                    "escape special characters such as ( [ + * ? with a backslash, "
                    "or use keywords / lemma_patterns instead",
                )
            )
    return problems


def _validate_items(
    raw: Any, section: str, where: Where, problems: list[Problem]
) -> list[tuple[int, Any]]:
    """Validate each item of a section on its own; returns (index, record) of valid ones."""
    model = SECTIONS[section]
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(
            Problem(
                where((section,)),
                f"{section} must be a list (got {_short(raw)})",
                "write each entry on its own line starting with '- '",
            )
        )
        return []
    valid: list[tuple[int, Any]] = []
    for i, item in enumerate(raw):
        prefix: PathKey = (section, i)
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    where(prefix),
                    f"entry must be a mapping (got {_short(item)})",
                    "give the entry as 'key: value' lines",
                )
            )
            continue
        if section == "codes":
            problems.extend(_pattern_problems(item, prefix, where))
        try:
            valid.append((i, model.model_validate(item)))
        except PydanticValidationError as exc:
            problems.extend(_pydantic_problems(exc, model, prefix, where))
            # keep checking the rest: drop the offending fields and try again
            bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
            with contextlib.suppress(PydanticValidationError):
                valid.append(
                    (i, model.model_validate({k: v for k, v in item.items() if k not in bad}))
                )
    return valid


def codebook_problems(
    factors: Sequence[tuple[int, Factor]],
    codes: Sequence[tuple[int, Code]],
    where: Where,
    extra_ids: Sequence[str] = (),
) -> list[Problem]:
    """Structural problems of a codebook's factors and codes.

    Parameters
    ----------
    factors, codes
        ``(index in file, record)`` pairs; the index locates a problem via ``where``.
    where
        Turns a path such as ``("codes", 3, "parent")`` into a location string.
    extra_ids
        Ids of entries that failed field validation, so they do not also cause
        "unknown parent" problems.
    """
    problems: list[Problem] = []
    factor_ids: dict[str, int] = {}
    for i, factor in factors:
        if factor.id in factor_ids:
            problems.append(
                Problem(
                    where(("factors", i, "id")),
                    f"duplicate factor id {factor.id!r} (also factor #{factor_ids[factor.id] + 1})",
                    "give each factor its own id",
                )
            )
        else:
            factor_ids[factor.id] = i
    code_ids: dict[str, int] = {}
    for i, code in codes:
        if code.id in code_ids:
            problems.append(
                Problem(
                    where(("codes", i, "id")),
                    f"duplicate code id {code.id!r} (first at "
                    f"{where(('codes', code_ids[code.id], 'id'))})",
                    "give each code its own id, or merge the two codes",
                )
            )
        elif code.id in factor_ids:
            problems.append(
                Problem(
                    where(("codes", i, "id")),
                    f"code id {code.id!r} is also a factor id",
                    "ids of codes and factors share one name space; rename one",
                )
            )
        else:
            code_ids[code.id] = i
    known = set(factor_ids) | set(code_ids) | set(extra_ids)
    by_id = {code.id: code for _, code in codes}
    index = {code.id: i for i, code in reversed(codes)}
    for i, code in codes:
        if not code.definition.strip():
            problems.append(
                Problem(
                    where(("codes", i)),
                    f"code {code.id!r} has no definition",
                    "write what the code means (definition: ...)",
                )
            )
        if code.parent is not None and code.parent not in known:
            hint = _suggest(code.parent, sorted(known))
            problems.append(
                Problem(
                    where(("codes", i, "parent")),
                    f"code {code.id!r} has unknown parent {code.parent!r}",
                    hint or "use the id of a factor or of another code",
                )
            )
        problems.extend(_merge_problems(i, code, by_id, factor_ids, known, where))
    problems.extend(_cycle_problems(codes, by_id, index, where))
    return problems


def _merge_problems(
    i: int,
    code: Code,
    by_id: dict[str, Code],
    factor_ids: dict[str, int],
    known: set[str],
    where: Where,
) -> list[Problem]:
    problems = []
    target = code.merged_into
    if code.status == CodeStatus.merged and target is None:
        problems.append(
            Problem(
                where(("codes", i, "status")),
                f"code {code.id!r} has status merged but no merged_into",
                "add merged_into: <id of the code it was merged into>",
            )
        )
    if target is None:
        return problems
    if code.status != CodeStatus.merged:
        problems.append(
            Problem(
                where(("codes", i, "merged_into")),
                f"code {code.id!r} has merged_into {target!r} but status {code.status.value!r}",
                "set status: merged, or remove merged_into",
            )
        )
    if target in factor_ids:
        problems.append(
            Problem(
                where(("codes", i, "merged_into")),
                f"code {code.id!r} is merged into factor {target!r}",
                "merge into a code; to move a code under a factor, change parent",
            )
        )
    elif target not in by_id and target not in known:
        hint = _suggest(target, sorted(by_id))
        problems.append(
            Problem(
                where(("codes", i, "merged_into")),
                f"code {code.id!r} is merged into missing code {target!r}",
                hint or "merge into an existing code id",
            )
        )
    else:
        seen = {code.id}
        current: str | None = target
        while current in by_id and current is not None:
            if current in seen:
                problems.append(
                    Problem(
                        where(("codes", i, "merged_into")),
                        f"merge cycle: {code.id!r} is (indirectly) merged into itself",
                        "make one code of the cycle active",
                    )
                )
                break
            seen.add(current)
            current = by_id[current].merged_into
    return problems


def _cycle_problems(
    codes: Sequence[tuple[int, Code]], by_id: dict[str, Code], index: dict[str, int], where: Where
) -> list[Problem]:
    problems = []
    reported: set[frozenset[str]] = set()
    for _, code in codes:
        chain = [code.id]
        current = code.parent
        while current in by_id and current is not None:
            if current in chain:
                cycle = chain[chain.index(current) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    first = min(cycle, key=lambda c: index[c])
                    ring = " → ".join([*cycle, current])
                    problems.append(
                        Problem(
                            where(("codes", index[first], "parent")),
                            f"parent cycle: {ring}",
                            "a code cannot be its own (grand)parent; point one of them at a factor",
                        )
                    )
                break
            chain.append(current)
            current = by_id[current].parent
    return problems


_LINE_RE = re.compile(r":(\d+)(?: \(|$)")


def _line_of(problem: Problem) -> int:
    match = _LINE_RE.search(problem.where)
    return int(match.group(1)) if match else 0


def parse_codebook(text: str, source: str | Path = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML, raising every problem at once.

    Raises
    ------
    ValidationError
        With one :class:`~verhalen.errors.Problem` per problem, each located as
        ``file:line (field)``.
    VerhalenError
        If the text is not YAML at all.
    """
    loaded = load_yaml(text, source)
    lines: LineMap = loaded.lines

    def where(path: PathKey) -> str:
        return location(source, lines.line(path), _dotted(path) or None)

    problems = list(loaded.problems)
    data = loaded.data
    if not isinstance(data, dict):
        raise ValidationError(
            [
                Problem(
                    str(source),
                    f"expected a codebook mapping, got {_short(data)}",
                    "start the file with 'id:' and 'name:'",
                )
            ],
            summary=f"{source}: not a codebook",
        )
    header = {k: v for k, v in data.items() if k not in SECTIONS}
    try:
        Codebook.model_validate(header)
    except PydanticValidationError as exc:
        problems.extend(_pydantic_problems(exc, Codebook, (), where))
    sections = {name: _validate_items(data.get(name), name, where, problems) for name in SECTIONS}
    raw_codes = data.get("codes") if isinstance(data.get("codes"), list) else []
    valid_idx = {i for i, _ in sections["codes"]}
    extra = [
        item["id"]
        for i, item in enumerate(raw_codes or [])
        if i not in valid_idx and isinstance(item, dict) and isinstance(item.get("id"), str)
    ]
    problems.extend(codebook_problems(sections["factors"], sections["codes"], where, extra))
    problems.sort(key=_line_of)
    if problems:
        n = len(problems)
        raise ValidationError(
            problems,
            summary=f"{source}: {n} problem{'s' if n != 1 else ''} "
            "in the codebook — fix them and run `verhalen codebook validate`",
        )
    return Codebook.model_validate(
        {
            **header,
            **{name: [record for _, record in items] for name, items in sections.items()},
        }
    )


def check_codebook(codebook: Codebook, source: str | Path = "<codebook>") -> None:
    """Raise :class:`ValidationError` if an in-memory codebook is structurally invalid."""

    def where(path: PathKey) -> str:
        return location(source, None, _dotted(path))

    problems = codebook_problems(
        list(enumerate(codebook.factors)), list(enumerate(codebook.codes)), where
    )
    if problems:
        raise ValidationError(problems, summary=f"{source}: the codebook would become invalid")
