"""Differences between two codebook versions: added, removed, renamed, redefined codes.

A rename to a new id is recorded in the codebook as the old code merged into a code that
did not exist before; :func:`diff_codebooks` reports that as a rename, not as an addition
plus a merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verhalen.codebook.ops import EDITABLE
from verhalen.records import Codebook, CodeStatus

# What `diff` reports as "redefined": the content an edit may change, except presentation
# (colour) and provenance (origin), which do not change what a code means.
CONTENT_FIELDS = tuple(f for f in EDITABLE if f not in ("color", "origin"))


@dataclass(frozen=True)
class Rename:
    old_id: str
    new_id: str
    old_label: str
    new_label: str


@dataclass(frozen=True)
class Redefinition:
    code_id: str
    fields: tuple[str, ...]


@dataclass
class CodebookDiff:
    """What changed from ``old_version`` to ``new_version`` (code ids, sorted)."""

    old_version: str
    new_version: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    redefined: list[Redefinition] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)
    split: list[tuple[str, list[str]]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    factors_added: list[str] = field(default_factory=list)
    factors_removed: list[str] = field(default_factory=list)
    factors_changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True if the two versions hold the same factors and codes."""
        return not any(
            (
                self.added,
                self.removed,
                self.renamed,
                self.redefined,
                self.merged,
                self.retired,
                self.reactivated,
                self.factors_added,
                self.factors_removed,
                self.factors_changed,
            )
        )

    def lines(self) -> list[str]:
        """A plain-text summary, one change per line (``+`` added, ``-`` removed, ``~`` changed)."""
        out = [f"+ {c}" for c in self.added]
        out += [f"- {c}" for c in self.removed]
        for r in self.renamed:
            if r.old_id == r.new_id:
                out.append(f"~ {r.old_id}: renamed '{r.old_label}' → '{r.new_label}'")
            else:
                out.append(f"~ {r.old_id} → {r.new_id}: renamed '{r.old_label}' → '{r.new_label}'")
        out += [f"~ {d.code_id}: redefined ({', '.join(d.fields)})" for d in self.redefined]
        out += [f"~ {a}: merged into {b}" for a, b in self.merged]
        out += [f"~ {a}: split into {', '.join(b)}" for a, b in self.split]
        out += [f"~ {c}: retired" for c in self.retired]
        out += [f"~ {c}: active again" for c in self.reactivated]
        out += [f"+ factor {f}" for f in self.factors_added]
        out += [f"- factor {f}" for f in self.factors_removed]
        out += [f"~ factor {f}: changed" for f in self.factors_changed]
        return out


def diff_codebooks(old: Codebook, new: Codebook) -> CodebookDiff:
    """Compare two versions of a codebook.

    Parameters
    ----------
    old, new
        The earlier and the later version (any two versions; order matters only for
        the direction of the report).
    """
    result = CodebookDiff(old.version, new.version)
    old_codes = {c.id: c for c in old.codes}
    new_codes = {c.id: c for c in new.codes}
    rename_targets: set[str] = set()
    splits = {
        str(e.details["from"]): [str(c) for c in e.details.get("into", [])]
        for e in new.changelog
        if e.action == "split" and e.details.get("from")
    }
    for cid in sorted(old_codes.keys() & new_codes.keys()):
        before, after = old_codes[cid], new_codes[cid]
        if before.status == CodeStatus.merged or after.status != CodeStatus.merged:
            continue
        target = after.merged_into or ""
        if target in new_codes and target not in old_codes:
            rename_targets.add(target)
            result.renamed.append(Rename(cid, target, before.label, new_codes[target].label))
        else:
            result.merged.append((cid, target))
    result.added = sorted(new_codes.keys() - old_codes.keys() - rename_targets)
    result.removed = sorted(old_codes.keys() - new_codes.keys())
    for cid in sorted(old_codes.keys() & new_codes.keys()):
        before, after = old_codes[cid], new_codes[cid]
        if before.label != after.label:
            result.renamed.append(Rename(cid, cid, before.label, after.label))
        changed = tuple(k for k in CONTENT_FIELDS if getattr(before, k) != getattr(after, k))
        if changed:
            result.redefined.append(Redefinition(cid, changed))
        if before.status != after.status:
            if after.status == CodeStatus.retired and cid in splits:
                result.split.append((cid, splits[cid]))
            elif after.status == CodeStatus.retired:
                result.retired.append(cid)
            elif after.status == CodeStatus.active:
                result.reactivated.append(cid)
    for r in [r for r in result.renamed if r.old_id != r.new_id]:
        before, after = old_codes[r.old_id], new_codes[r.new_id]
        changed = tuple(k for k in CONTENT_FIELDS if getattr(before, k) != getattr(after, k))
        if changed:
            result.redefined.append(Redefinition(r.new_id, changed))
    result.renamed.sort(key=lambda r: r.old_id)
    result.redefined.sort(key=lambda d: d.code_id)
    old_f = {f.id: f for f in old.factors}
    new_f = {f.id: f for f in new.factors}
    result.factors_added = sorted(new_f.keys() - old_f.keys())
    result.factors_removed = sorted(old_f.keys() - new_f.keys())
    result.factors_changed = sorted(f for f in old_f.keys() & new_f.keys() if old_f[f] != new_f[f])
    return result
