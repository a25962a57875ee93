"""Plain-text views of a codebook for the terminal: tree, one code, changelog."""

from __future__ import annotations

from verhalen.codebook.render import sections
from verhalen.errors import NotFoundError
from verhalen.records import Codebook, CodeStatus


def tree_lines(codebook: Codebook, include_inactive: bool = False) -> list[str]:
    """Factors with their active codes indented by depth; optionally merged/retired codes."""
    lines = [
        f"{codebook.name} — version {codebook.version}, {len(codebook.active_codes)} active codes"
    ]
    for section in sections(codebook):
        if section.factor is None:
            lines.append("(no factor)")
        else:
            lines.append(f"{section.factor.label} ({section.factor.id})")
        lines.extend(
            f"{'  ' * (depth + 1)}{code.id}  {code.label}" for code, depth in section.codes
        )
    if include_inactive:
        for code in codebook.codes:
            if code.status != CodeStatus.active:
                extra = f" into {code.merged_into}" if code.merged_into else ""
                lines.append(f"  {code.id}  {code.label} ({code.status.value}{extra})")
    return lines


def item_lines(codebook: Codebook, item_id: str) -> list[str]:
    """Everything about one code (or factor)."""
    factor = codebook.factor(item_id)
    if factor is not None:
        return [
            f"{factor.label} ({factor.id}, {factor.kind.value})",
            factor.description,
            *(f"  • {el}" for el in factor.kenmerkende_elementen),
        ]
    code = codebook.code(item_id)
    if code is None:
        raise NotFoundError(
            f"{item_id!r} is not a code or factor of codebook {codebook.id!r} — "
            "see `verhalen codebook show`"
        )
    merged = f" into {code.merged_into}" if code.merged_into else ""
    lines = [
        f"{code.label} ({code.id}) — {code.status.value}{merged}",
        f"factor: {codebook.factor_of(code.id) or '-'}   parent: {code.parent or '-'}",
        f"definition: {code.definition}",
    ]
    for title in ("inclusion", "exclusion", "examples"):
        items = getattr(code, title)
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  - {item}" for item in items)
    for title in ("keywords", "lemma_patterns", "patterns"):
        items = getattr(code, title)
        if items:
            lines.append(f"{title}: {', '.join(items)}")
    o = code.origin
    lines.append(
        f"origin: {o.kind.value}"
        + (f", {o.source}" if o.source else "")
        + (f", segment {o.segment_id}" if o.segment_id else "")
        + (f', quote "{o.quote}"' if o.quote else "")
    )
    lines.append(f"created {code.created or '-'}, modified {code.modified or '-'}")
    return lines


def log_lines(codebook: Codebook) -> list[str]:
    """The changelog, one entry per line, oldest first."""
    lines = []
    for e in codebook.changelog:
        codes = f" [{', '.join(e.codes)}]" if e.codes else ""
        why = f" — {e.why}" if e.why else ""
        lines.append(
            f"{e.version:>6}  {e.when:%Y-%m-%d %H:%M}  {e.who}  {e.action}{codes}: {e.what}{why}"
        )
    return lines
