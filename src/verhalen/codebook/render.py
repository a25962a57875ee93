"""A readable codebook document (Markdown or HTML) with Dutch headings.

For a report appendix and for validation by practitioners: per factor its kenmerkende
elementen, then each active code with definition, inclusion and exclusion criteria,
examples and origin; merged and retired codes and the changelog follow as appendices.
With ``feedback=True`` every code gets a line where a practitioner marks whether they
recognise it.

Privacy: quotes stored with inductive codes (``origin.quote``) are never rendered, and every
text can be passed through a ``redact`` function, e.g. :func:`name_redactor` built from the
participants' real names, before it leaves the tool.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import jinja2

from verhalen.records import Code, Codebook, CodeStatus, Factor

KIND_NL = {"inhoudelijk": "inhoudelijk", "procesmatig": "procesmatig", "overig": "overig"}
ACTION_NL = {
    "create": "aangemaakt",
    "add": "code toegevoegd",
    "edit": "bewerkt",
    "merge": "samengevoegd",
    "split": "gesplitst",
    "rename": "hernoemd",
    "retire": "vervallen",
    "import": "geïmporteerd",
    "apply": "toegepast",
    "factor": "factor toegevoegd",
}
PARTICLES = {
    "de",
    "den",
    "der",
    "van",
    "het",
    "ter",
    "ten",
    "te",
    "la",
    "le",
    "el",
    "al",
    "da",
    "di",
    "du",
    "von",
}


@dataclass
class Section:
    """One factor (or the codes without a factor) with its active codes in tree order."""

    factor: Factor | None
    codes: list[tuple[Code, int]] = field(default_factory=list)


def name_redactor(names: Iterable[str], replacement: str = "[naam]") -> Callable[[str], str]:
    """A function that replaces real names (and their parts) in a text.

    Each full name and each part of three or more letters that is not a particle (van, de, …)
    is replaced as a whole word, case-insensitively, longest first.
    """
    words: set[str] = set()
    for name in names:
        name = name.strip()
        if not name:
            continue
        words.add(name)
        words.update(
            p for p in re.split(r"[\s-]+", name) if len(p) >= 3 and p.lower() not in PARTICLES
        )
    if not words:
        return lambda text: text
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub(replacement, text)


def sections(codebook: Codebook) -> list[Section]:
    """Active codes grouped by factor, each code followed by its sub-codes (depth first)."""
    active = [c for c in codebook.codes if c.status == CodeStatus.active]
    children: dict[str | None, list[Code]] = {}
    active_ids = {c.id for c in active}
    for code in active:
        parent = (
            code.parent if code.parent in active_ids or codebook.factor(code.parent or "") else None
        )
        children.setdefault(parent, []).append(code)

    def walk(parent: str, depth: int, out: list[tuple[Code, int]]) -> None:
        for child in children.get(parent, []):
            out.append((child, depth))
            walk(child.id, depth + 1, out)

    out = []
    for factor in codebook.factors:
        section = Section(factor)
        walk(factor.id, 0, section.codes)
        out.append(section)
    orphans = Section(None)
    for code in children.get(None, []):
        orphans.codes.append((code, 0))
        walk(code.id, 1, orphans.codes)
    if orphans.codes:
        out.append(orphans)
    return out


def origin_nl(code: Code) -> str:
    """Where a code comes from, in Dutch (never the stored quote)."""
    origin = code.origin
    if origin.kind.value == "inductive":
        text = "inductief, uit de data"
        if origin.segment_id:
            text += f" (fragment {origin.segment_id})"
    else:
        text = "deductief"
    return f"{text}; {origin.source}" if origin.source else text


def _environment(autoescape: bool, redact: Callable[[str], str]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("verhalen", "templates/codebook"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["r"] = lambda text: redact(str(text or ""))
    env.filters["cell"] = lambda text: (
        redact(str(text or "")).replace("|", "\\|").replace("\n", " ")
    )
    env.filters["origin_nl"] = origin_nl
    return env


def _context(codebook: Codebook, feedback: bool) -> dict[str, object]:
    inactive = [c for c in codebook.codes if c.status != CodeStatus.active]
    return {
        "cb": codebook,
        "sections": sections(codebook),
        "n_active": len(codebook.active_codes),
        "inactive": inactive,
        "kind_nl": KIND_NL,
        "action_nl": ACTION_NL,
        "feedback": feedback,
    }


def render_markdown(
    codebook: Codebook, feedback: bool = False, redact: Callable[[str], str] | None = None
) -> str:
    """The codebook as a Markdown document (Dutch headings).

    Parameters
    ----------
    codebook
        The codebook to render (all active codes appear, grouped by factor).
    feedback
        Add a line per code for practitioners to mark recognition and comments.
    redact
        Applied to every text before it is written (e.g. :func:`name_redactor`).
    """
    env = _environment(False, redact or (lambda text: text))
    return env.get_template("codebook.md.j2").render(_context(codebook, feedback))


def render_html(
    codebook: Codebook, feedback: bool = False, redact: Callable[[str], str] | None = None
) -> str:
    """The codebook as a self-contained, printable HTML page (see :func:`render_markdown`)."""
    env = _environment(True, redact or (lambda text: text))
    return env.get_template("codebook.html.j2").render(_context(codebook, feedback))
