"""Codebook YAML: a line-aware loader and a stable, diff-friendly dumper.

The loader composes the YAML node tree (:func:`yaml.compose` semantics, safe tags only) and
builds plain Python data while recording the 1-based line of every mapping key and sequence
item, so validation can point at ``codebook/zes_factoren.yaml:123``. Duplicate keys, which
PyYAML silently overwrites, are reported as problems.

The dumper writes keys in a fixed order (the order of the records), omits empty optional
fields, keeps short cue lists (keywords, lemma patterns) on one line, folds long prose and
puts a comment line above the codes of each factor. The same codebook always gives the same
bytes, so ``git diff`` shows only what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from verhalen.errors import Problem, VerhalenError, location
from verhalen.records import Code, Codebook, Factor

PathKey = tuple[str | int, ...]

# libyaml's parser when installed (20x faster); marks and safe constructors are the same
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class LineMap:
    """1-based line numbers of mapping keys and sequence items, by path.

    ``lines[("codes", 3, "parent")]`` is the line of the ``parent:`` key of the fourth code;
    ``lines[("codes", 3)]`` the line where that code starts.
    """

    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey) -> int | None:
        """Line of ``path``, or of its nearest recorded ancestor (``None`` if none)."""
        for n in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:n]))
            if found is not None:
                return found
        return None


@dataclass
class LoadedYaml:
    """Plain data from a YAML text plus where everything was."""

    data: Any
    lines: LineMap
    problems: list[Problem]


def load_yaml(text: str, source: str | Path = "<text>") -> LoadedYaml:
    """Parse YAML text, recording line numbers and duplicate keys.

    Raises
    ------
    VerhalenError
        If the text is not valid YAML (message with file and line).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines = LineMap()
        problems: list[Problem] = []
        data = _build(loader, node, (), lines, problems, source) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise VerhalenError(
            f"{location(source, line)}: not valid YAML ({what}) — fix the syntax at that line "
            "(check indentation, and quote text that contains ': ' or starts with a quote)"
        ) from None
    except yaml.YAMLError as exc:
        raise VerhalenError(f"{source}: not valid YAML ({exc})") from None
    finally:
        loader.dispose()
    return LoadedYaml(data, lines, problems)


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: PathKey,
    lines: LineMap,
    problems: list[Problem],
    source: str | Path,
) -> Any:
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                key = str(key)
            key_line = key_node.start_mark.line + 1
            if key in out:
                problems.append(
                    Problem(
                        location(source, key_line, ".".join(str(p) for p in (*path, key))),
                        f"key {key!r} appears twice in the same block (first at line "
                        f"{lines.lines.get((*path, key))})",
                        "keep one of them; YAML would silently use the last",
                    )
                )
                continue
            lines.lines[(*path, key)] = key_line
            out[key] = _build(loader, value_node, (*path, key), lines, problems, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, i), lines, problems, source)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


# --------------------------------------------------------------------------- dumping

FLOW_KEYS = {"keywords", "lemma_patterns", "origin"}
FOLD_KEYS = {"description", "definition", "source"}
FOLD_WIDTH = 88


class _Flow(list[Any]):
    """A list dumped on one line: ``[a, b, c]``."""


class _FlowMap(dict[str, Any]):
    """A mapping dumped on one line: ``{kind: deductive, source: ...}``."""


class _Folded(str):
    """A long text dumped as a folded block (``>-``)."""


class _Quoted(str):
    """A text dumped in double quotes (versions, example quotes)."""


class _Dumper(yaml.SafeDumper):
    """Safe dumper with indented sequences (``  - id: …`` under ``codes:``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # never write anchors (&id001) for shared values


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True)
)
_Dumper.add_representer(
    _Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style=">")
)
_Dumper.add_representer(
    _Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"')
)
_Dumper.add_representer(dt.datetime, _represent_datetime)

FACTOR_KEYS = ("id", "label", "kind", "description", "kenmerkende_elementen", "color")
CODE_KEYS = (
    "id",
    "label",
    "parent",
    "definition",
    "inclusion",
    "exclusion",
    "examples",
    "keywords",
    "lemma_patterns",
    "patterns",
    "origin",
    "status",
    "merged_into",
    "color",
    "created",
    "modified",
)


def _prose(text: str) -> str:
    """Long single-line prose as a folded block; anything else as a plain string."""
    if len(text) > FOLD_WIDTH and "\n" not in text and text == text.strip() and "  " not in text:
        return _Folded(text)
    return text


def _code_data(code: Code) -> dict[str, Any]:
    data = code.model_dump(mode="python")
    out: dict[str, Any] = {}
    for key in CODE_KEYS:
        value = data[key]
        if key in ("merged_into", "color") and value is None:
            continue
        if key == "patterns" and not value:
            continue
        if key == "origin":
            value = _FlowMap({k: v for k, v in value.items() if v is not None})
            value["kind"] = str(value["kind"])
        elif key == "status":
            value = str(value)
        elif key in FLOW_KEYS:
            value = _Flow(value)
        elif key == "examples":
            value = [_Quoted(v) for v in value]
        elif key in FOLD_KEYS and isinstance(value, str):
            value = _prose(value)
        out[key] = value
    return out


def _factor_data(factor: Factor) -> dict[str, Any]:
    data = factor.model_dump(mode="python")
    out = {key: data[key] for key in FACTOR_KEYS if not (key == "color" and data[key] is None)}
    out["kind"] = str(out["kind"])
    out["description"] = _prose(out["description"])
    return out


def _dump(obj: Any) -> str:
    return yaml.dump(
        obj, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=92, default_flow_style=False
    )


def _indent(text: str, prefix: str = "  ") -> Iterator[str]:
    for line in text.splitlines():
        yield prefix + line if line.strip() else ""


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML text: fixed key order, one comment line per factor group."""
    head = codebook.model_dump(mode="python", exclude={"factors", "codes", "changelog"})
    for key in FOLD_KEYS & head.keys():
        head[key] = _prose(head[key])
    head["version"] = _Quoted(head["version"])
    parts = [_dump(head).rstrip("\n")]
    parts.append("factors: []" if not codebook.factors else "factors:")
    for factor in codebook.factors:
        parts.extend(_indent(_dump([_factor_data(factor)]).rstrip("\n")))
    parts.append("codes: []" if not codebook.codes else "codes:")
    labels = {f.id: f.label for f in codebook.factors}
    group: object = object()
    for code in codebook.codes:
        factor_id = codebook.factor_of(code.id)
        if factor_id != group:
            group = factor_id
            title = labels.get(factor_id, "zonder factor") if factor_id else "zonder factor"
            parts.append(f"  # {'-' * 12} {title}")
        parts.extend(_indent(_dump([_code_data(code)]).rstrip("\n")))
    parts.append("changelog: []" if not codebook.changelog else "changelog:")
    for entry in codebook.changelog:
        data = entry.model_dump(mode="python")
        data["version"] = _Quoted(data["version"])
        data["codes"] = _Flow(data["codes"])
        if data["details"]:
            data["details"] = {
                k: _Flow(v) if isinstance(v, list) else v for k, v in data["details"].items()
            }
        else:
            data.pop("details")
        parts.extend(_indent(_dump([data]).rstrip("\n")))
    return "\n".join(parts) + "\n"
