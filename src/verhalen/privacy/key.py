"""The pseudonym key: every original identifier, its kind and its pseudonym.

One key per project, at ``privacy.key_path`` (outside ``data/`` and ``reports/``),
written with file mode 600. Each *entry* is one person, place or number; its *variants*
are the forms it takes in the transcripts (``"Samira El Amrani"``, ``"Samira"``,
``"El Amrani"``), and all of them get the same pseudonym. The key only grows: entries are
never renumbered, so earlier pseudonyms never change when new transcripts come in.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from verhalen.errors import ConfigError, VerhalenError
from verhalen.io import atomic_write_json
from verhalen.privacy.detect import Detection
from verhalen.privacy.lists import PARTICLES, bundled_list, name_variants
from verhalen.privacy.normalise import TAG_PREFIX, Kind, fold_key

KEY_FORMAT: Literal["verhalen-pseudonym-key"] = "verhalen-pseudonym-key"
Style = Literal["tags", "names"]


class KeyVariant(BaseModel):
    """One form of an original identifier (``form``: ``full``, ``first``, ``last`` or ``""``)."""

    model_config = ConfigDict(extra="forbid")
    text: str
    form: str = ""


class KeyEntry(BaseModel):
    """One person, place, institution or number, with its pseudonym."""

    model_config = ConfigDict(extra="forbid")
    id: str
    kind: Kind
    number: int = Field(ge=1)
    pseudonym: str
    variants: list[KeyVariant] = Field(default_factory=list)
    participant: str | None = None


class KeyFile(BaseModel):
    """The key file as stored."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["verhalen-pseudonym-key"] = KEY_FORMAT
    version: int = 1
    style: Style = "tags"
    entries: list[KeyEntry] = Field(default_factory=list)


_FICTITIOUS = {
    Kind.wijk: "fictief_plaatsen",
    Kind.plaats: "fictief_plaatsen",
    Kind.instelling: "fictief_instellingen",
    Kind.adres: "fictief_straten",
}


class PseudonymKey:
    """Original → pseudonym for one project; consistent across transcripts and runs."""

    def __init__(self, style: Style = "tags", entries: list[KeyEntry] | None = None) -> None:
        self.style: Style = style
        self.entries: list[KeyEntry] = []
        self._by_variant: dict[str, KeyEntry] = {}
        self._by_pseudonym: dict[str, KeyEntry] = {}
        for entry in entries or []:
            self._index(entry)

    # ------------------------------------------------------------------ storage

    @classmethod
    def load(cls, path: str | Path, style: Style | None = None) -> PseudonymKey:
        """Read a key; a missing file gives an empty key in ``style``.

        Raises
        ------
        VerhalenError
            If the file is not a valid key, or was made in another style than ``style``.
        """
        path = Path(path)
        if not path.is_file():
            return cls(style or "tags")
        try:
            stored = KeyFile.model_validate_json(path.read_text(encoding="utf-8"))
        except (PydanticValidationError, ValueError) as exc:
            raise VerhalenError(
                f"{path}: not a valid pseudonym key ({str(exc).splitlines()[0]}) — restore it "
                "from your backup; without the key earlier pseudonyms cannot be kept"
            ) from None
        if style is not None and stored.style != style:
            raise ConfigError(
                f"{path}: this key uses style {stored.style!r} but verhalen.toml asks for "
                f'{style!r} — set privacy.style = "{stored.style}" again, or move the key '
                "away to start a new one (earlier pseudonyms will then change)"
            )
        return cls(stored.style, stored.entries)

    def save(self, path: str | Path) -> None:
        """Write the key atomically with mode 600 (its folder is made private too)."""
        path = Path(path)
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        data = KeyFile(style=self.style, entries=self.entries).model_dump(mode="json")
        atomic_write_json(path, data, permissions=0o600)
        os.chmod(path, 0o600)

    def to_json(self) -> str:
        """The key as JSON text (for tests and backups)."""
        data = KeyFile(style=self.style, entries=self.entries).model_dump(mode="json")
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)

    # ------------------------------------------------------------------ lookups

    def _index(self, entry: KeyEntry) -> None:
        self.entries.append(entry)
        for variant in entry.variants:
            self._by_variant.setdefault(fold_key(variant.text), entry)
        self._by_pseudonym[fold_key(entry.pseudonym)] = entry

    def find(self, text: str) -> KeyEntry | None:
        """The entry that has ``text`` as a variant (case/diacritic-insensitive)."""
        return self._by_variant.get(fold_key(text))

    def form_of(self, entry: KeyEntry, text: str) -> str:
        """Which form (full/first/last) ``text`` is of ``entry``."""
        key = fold_key(text)
        return next((v.form for v in entry.variants if fold_key(v.text) == key), "")

    def lookup(self, query: str) -> list[KeyEntry]:
        """Entries whose original or pseudonym equals ``query`` — or else contains it."""
        key = fold_key(query).strip("[]")
        exact = [
            e
            for e in self.entries
            if fold_key(e.pseudonym).strip("[]") == key
            or any(fold_key(v.text) == key for v in e.variants)
        ]
        if exact or not key:
            return exact
        return [
            e
            for e in self.entries
            if key in fold_key(e.pseudonym) or any(key in fold_key(v.text) for v in e.variants)
        ]

    def reverse(self, pseudonym: str) -> KeyEntry | None:
        """The entry behind a pseudonym (``"[NAAM-3]"``, ``"NAAM-3"`` or a fictitious name)."""
        key = fold_key(pseudonym)
        found = self._by_pseudonym.get(key) or self._by_pseudonym.get(f"[{key.strip('[]')}]")
        if found is None and self.style == "names":
            found = next(
                (e for e in self.entries if any(fold_key(p) == key for p in e.pseudonym.split())),
                None,
            )
        return found

    def originals(self) -> list[tuple[str, KeyEntry]]:
        """Every original variant with its entry."""
        return [(v.text, e) for e in self.entries for v in e.variants]

    # ------------------------------------------------------------------ growth

    def _new_entry(
        self, kind: Kind, variants: list[KeyVariant], participant: str | None = None
    ) -> KeyEntry:
        number = 1 + max((e.number for e in self.entries if e.kind == kind), default=0)
        entry = KeyEntry(
            id=f"{kind.value}-{number}",
            kind=kind,
            number=number,
            pseudonym=self._pseudonym(kind, number, variants),
            variants=variants,
            participant=participant,
        )
        self._index(entry)
        return entry

    def _add_variant(self, entry: KeyEntry, text: str, form: str) -> None:
        key = fold_key(text)
        if key in self._by_variant:
            return
        entry.variants.append(KeyVariant(text=text, form=form))
        self._by_variant[key] = entry

    def add_participant(self, participant_id: str, name: str) -> KeyEntry:
        """The entry for a manifest participant (created, or completed, with all variants)."""
        variants = name_variants(name)
        entry = next((e for e in self.entries if e.participant == participant_id), None)
        entry = entry or self.find(name)
        if entry is None:
            fresh = [
                KeyVariant(text=t, form=f)
                for t, f in variants
                if fold_key(t) not in self._by_variant
            ]
            return self._new_entry(
                Kind.naam, fresh or [KeyVariant(text=name, form="full")], participant_id
            )
        if entry.participant is None and entry.kind == Kind.naam:
            entry.participant = participant_id
        for text, form in variants:
            self._add_variant(entry, text, form)
        return entry

    def register(self, det: Detection) -> KeyEntry:
        """The entry for a detection: an existing one (same variant) or a new one."""
        found = self.find(det.text)
        if found is not None:
            return found
        text = " ".join(det.text.split())
        if det.kind != Kind.naam or len(text.split()) < 2:
            form = det.form or ("first" if det.kind == Kind.naam else "")
            return self._new_entry(det.kind, [KeyVariant(text=text, form=form)], det.participant)
        first, *rest = text.split()
        surname = " ".join(rest)
        owner = self.find(first)
        if (
            owner is not None
            and owner.kind == Kind.naam
            and not any(v.form == "full" for v in owner.variants)
        ):
            self._add_variant(owner, text, "full")
            self._add_variant(owner, surname, "last")
            return owner
        entry = self._new_entry(Kind.naam, [KeyVariant(text=text, form="full")], det.participant)
        self._add_variant(entry, first, "first")
        if not all(w.casefold() in PARTICLES for w in rest):
            self._add_variant(entry, surname, "last")
        return entry

    # ------------------------------------------------------------------ pseudonyms

    def _taken(self) -> set[str]:
        taken = {fold_key(e.pseudonym) for e in self.entries}
        taken |= {fold_key(p) for e in self.entries for p in e.pseudonym.split()}
        return taken | set(self._by_variant)

    def _pseudonym(self, kind: Kind, number: int, variants: list[KeyVariant]) -> str:
        tag = f"[{TAG_PREFIX[kind]}-{number}]"
        if self.style == "tags":
            return tag
        taken = self._taken() | {fold_key(v.text) for v in variants}
        if kind == Kind.naam:
            firsts, lasts = bundled_list("fictief_voornamen"), bundled_list("fictief_achternamen")
            first = _draw(firsts, f"naam:{number}", taken)
            if first is None:
                return tag
            last = _draw(lasts, f"achternaam:{number}", taken) or lasts[number % len(lasts)]
            return f"{first} {last}"
        source = _FICTITIOUS.get(kind)
        if source is None:
            return tag
        drawn = _draw(bundled_list(source), f"{kind.value}:{number}", taken)
        if drawn is None:
            return tag
        if kind == Kind.adres:
            return f"{drawn} {1 + int(hashlib.sha256(drawn.encode()).hexdigest(), 16) % 90}"
        return drawn

    def render(self, entry: KeyEntry, text: str) -> str:
        """The replacement for ``text`` (a variant of ``entry``) in the key's style."""
        if self.style == "tags" or entry.kind != Kind.naam or entry.pseudonym.startswith("["):
            return entry.pseudonym
        first, _, last = entry.pseudonym.partition(" ")
        form = self.form_of(entry, text)
        return {"first": first, "last": last}.get(form, entry.pseudonym)


def _draw(options: tuple[str, ...], seed: str, taken: set[str]) -> str | None:
    """A deterministic pick from ``options`` that is not in ``taken`` (``None`` if none is)."""
    if not options:
        return None
    start = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(options)
    for i in range(len(options)):
        option = options[(start + i) % len(options)]
        if fold_key(option) not in taken and not any(
            fold_key(part) in taken for part in option.split()
        ):
            return option
    return None
