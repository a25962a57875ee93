"""The privacy audit: does any original identifier from the key occur in an output?

Every original in the key (and every manifest name) is searched for as a whole word,
ignoring case and diacritics, also when it is split over lines, HTML tags or extra
whitespace; long identifiers are also searched for with all spacing and punctuation
removed (``"Sa-\\nmira El  Amrani"``). Identifiers that are also ordinary Dutch words
(``"Bakker"``) count only when capitalised as a name, so a report about *de bakker* does
not flood the audit. The audit never shows an identifier in full: a finding shows its
kind and a masked form such as ``S…a (naam)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from verhalen.errors import NotFoundError
from verhalen.privacy.detect import cased_pattern
from verhalen.privacy.extract import Unreadable, blocks
from verhalen.privacy.normalise import (
    PARTICLES,
    Kind,
    bounded,
    fold,
    fold_key,
    fold_marks,
    is_common_word,
    mask,
    phrase_pattern,
)

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SEPARATORS = re.compile(r"[_./\\-]")
_JOINER = re.compile(r"(?<=\w)-[ \t]*\r?\n[ \t]*(?=\w)")
LONG = 8


@dataclass(frozen=True)
class Identifier:
    """One original identifier to search for."""

    text: str
    kind: str


@dataclass(frozen=True)
class Finding:
    """An identifier found in a file: where, of what kind, masked."""

    path: str
    line: int
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.masked} ({self.kind})"


@dataclass
class AuditReport:
    """Findings plus what was scanned and what could not be."""

    findings: list[Finding] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


@dataclass
class _Stream:
    text: str
    lines: list[int]


def _normalise(text: str, first_line: int, keep_case: bool) -> _Stream:
    """Whitespace collapsed, invisible characters and end-of-line hyphens removed."""
    text = text.translate(_INVISIBLE)
    chars: list[str] = []
    lines: list[int] = []
    line = first_line
    pos = 0
    for m in [*_JOINER.finditer(text), None]:
        stop = m.start() if m else len(text)
        for char in text[pos:stop]:
            if char == "\n":
                line += 1
            if char.isspace():
                if chars and chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            lines.append(line)
        if m:
            line += m.group(0).count("\n")
            pos = m.end()
    joined = "".join(chars)
    folded = fold(joined)
    if keep_case:
        folded = "".join(
            f.upper() if c.isupper() else f for c, f in zip(joined, folded, strict=True)
        )
    return _Stream(folded, lines)


class Auditor:
    """Searches texts for a fixed set of identifiers."""

    def __init__(self, identifiers: Iterable[Identifier], public: Iterable[str] = ()) -> None:
        loose: dict[str, Identifier] = {}
        strict: dict[str, Identifier] = {}
        for ident in identifiers:
            text = " ".join(ident.text.split())
            if len(text) < 2:
                continue
            words = text.split()
            if len(words) == 1 and is_common_word(text):
                strict.setdefault(_strict_key(_marks(text)), ident)
            else:
                loose.setdefault(fold_key(text), ident)
        self._loose = loose
        self._strict = strict
        self._loose_re = _alternation(loose, phrase_pattern)
        self._strict_re = _alternation(strict, cased_pattern)
        self._compact = {
            re.sub(r"\W", "", k): v for k, v in loose.items() if len(re.sub(r"\W", "", k)) >= LONG
        }
        public_keys = sorted({fold_key(p) for p in public if p.strip()}, key=len, reverse=True)
        self._public = (
            re.compile("|".join(r"\s*".join(map(re.escape, p.split())) for p in public_keys))
            if public_keys
            else None
        )

    def scan_text(self, text: str, where: str, first_line: int = 1) -> list[Finding]:
        """Findings in one text."""
        found: dict[tuple[int, str], Finding] = {}
        stream = _normalise(text, first_line, keep_case=False)
        folded = self._blank_public(stream.text)
        for pattern, table, haystack in (
            (self._loose_re, self._loose, folded),
            (self._strict_re, self._strict, self._blank_public_cased(text, first_line)),
        ):
            if pattern is None:
                continue
            for m in pattern.finditer(haystack):
                ident = table.get(_key(m.group(0), table is self._strict))
                if ident is not None:
                    line = stream.lines[min(m.start(), len(stream.lines) - 1)]
                    found.setdefault(
                        (line, ident.text), Finding(where, line, ident.kind, mask(ident.text))
                    )
        if self._compact:
            found.update(self._scan_compact(folded, stream.lines, where, found))
        return sorted(found.values(), key=lambda f: (f.line, f.kind, f.masked))

    def _blank_public(self, folded: str) -> str:
        if self._public is None:
            return folded
        return self._public.sub(lambda m: " " * len(m.group(0)), folded)

    def _blank_public_cased(self, text: str, first_line: int) -> str:
        cased = _normalise(text, first_line, keep_case=True).text
        if self._public is None:
            return cased
        spans = [m.span() for m in self._public.finditer(cased.lower())]
        chars = list(cased)
        for a, b in spans:
            chars[a:b] = " " * (b - a)
        return "".join(chars)

    def _scan_compact(
        self, folded: str, lines: list[int], where: str, seen: dict[tuple[int, str], Finding]
    ) -> dict[tuple[int, str], Finding]:
        index = [i for i, c in enumerate(folded) if c.isalnum()]
        compact = "".join(folded[i] for i in index)
        known = {ident for _, ident in seen}
        extra: dict[tuple[int, str], Finding] = {}
        for key, ident in self._compact.items():
            if ident.text in known:
                continue
            at = compact.find(key)
            while at >= 0:
                first, last = index[at], index[at + len(key) - 1]
                if _word_edge(folded, first - 1) and _word_edge(folded, last + 1):
                    line = lines[first]
                    extra[(line, ident.text)] = Finding(where, line, ident.kind, mask(ident.text))
                    break
                at = compact.find(key, at + 1)
        return extra

    def redact(self, text: str) -> str:
        """``text`` (e.g. a file path) with every identifier in it replaced by its mask."""
        spans: list[tuple[int, int, str]] = []
        for pattern, table, haystack, strict in (
            (self._loose_re, self._loose, fold(_SEPARATORS.sub(" ", text)), False),
            (self._strict_re, self._strict, fold_marks(_SEPARATORS.sub(" ", text)), True),
        ):
            if pattern is None:
                continue
            for m in pattern.finditer(haystack):
                ident = table.get(_key(m.group(0), strict))
                if ident is not None:
                    spans.append((m.start(), m.end(), mask(ident.text)))
        for start, end, masked in sorted(spans, reverse=True):
            text = text[:start] + masked + text[end:]
        return text

    def scan_path(self, path: Path, report: AuditReport) -> None:
        """Scan a file or a folder (recursively) into ``report``.

        File names are checked too (a report named after a participant leaks), and every
        location in the report is shown with identifiers masked.
        """
        for file in _files(path):
            shown = self.redact(str(file))
            relative = file.relative_to(path) if path.is_dir() else Path(file.name)
            name = re.sub(r"[_.\\/-]", " ", str(relative))
            report.findings.extend(
                Finding(shown, 0, f.kind, f.masked) for f in self.scan_text(name, "(file name)")
            )
            try:
                data = file.read_bytes()
                texts = list(blocks(str(file), data))
            except (Unreadable, OSError) as exc:
                message = str(exc) if isinstance(exc, Unreadable) else f"{file}: {exc.strerror}"
                report.skipped.append(self.redact(message))
                continue
            report.scanned.append(shown)
            for block in texts:
                found = self.scan_text(block.text, self.redact(block.where), block.first_line)
                report.findings.extend(found)


def _word_edge(text: str, pos: int) -> bool:
    """Whether ``pos`` is outside ``text`` or not a word character (a word ends there)."""
    return pos < 0 or pos >= len(text) or not (text[pos].isalnum() or text[pos] == "_")


def _marks(text: str) -> str:
    folded = fold(text)
    return "".join(f.upper() if c.isupper() else f for c, f in zip(text, folded, strict=True))


def _key(matched: str, strict: bool) -> str:
    return _strict_key(matched) if strict else fold_key(matched)


def _strict_key(text: str) -> str:
    return " ".join(w.casefold() if w.casefold() in PARTICLES else w for w in text.split())


def _alternation(
    table: dict[str, Identifier], make: Callable[[str], str]
) -> re.Pattern[str] | None:
    if not table:
        return None
    parts = [make(k) for k in sorted(table, key=len, reverse=True)]
    return re.compile(bounded("|".join(parts)))


def _files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.name.startswith("."):
                yield child
    else:
        yield path


def audit_paths(
    paths: Iterable[Path], identifiers: Iterable[Identifier], public: Iterable[str] = ()
) -> AuditReport:
    """Scan files and folders for identifiers; see :class:`AuditReport`.

    Raises
    ------
    NotFoundError
        If a path does not exist: a mistyped path must never pass as a clean audit.
    """
    paths = list(paths)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise NotFoundError(
            f"nothing to audit at {', '.join(missing)}: no such file or folder — check the "
            "path (e.g. `verhalen audit-privacy reports/`)"
        )
    auditor = Auditor(identifiers, public)
    report = AuditReport()
    for path in paths:
        auditor.scan_path(path, report)
    return report


def identifiers_from(
    key_originals: Iterable[tuple[str, str]], rejected: Iterable[str] = ()
) -> list[Identifier]:
    """Identifiers from (text, kind) pairs, without texts the researcher rejected."""
    skip = set(rejected)
    return [
        Identifier(text, kind)
        for text, kind in key_originals
        if fold_key(text) not in skip and kind in {k.value for k in Kind}
    ]
