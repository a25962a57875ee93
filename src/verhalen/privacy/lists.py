"""Name lists: the project's local names file, the bundled gazetteers, the manifest names.

The local names file (``privacy.local_names`` in ``verhalen.toml``, e.g.
``codebook/lokale_namen.txt``) has one entry per line, ``kind: text``::

    # neighbourhoods, villages, institutions of the practices' regions
    wijk: Beijum
    instellingswoord: Stichting
    niet: De Huiskamer

Kinds are the identifier kinds (``naam``, ``wijk``, ``plaats``, ``adres``, ``instelling``,
…) plus three that configure the heuristics: ``instellingswoord`` (a word an institution's
name starts with), ``instellingsachtervoegsel`` (a word after a business name) and
``niet`` (never replace this phrase).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from verhalen.errors import Problem, ValidationError
from verhalen.privacy.detect import Phrase, phrase_needs_exact_case
from verhalen.privacy.normalise import PARTICLES, STOP_WORDS, Kind, allowed_kinds, parse_kind
from verhalen.records import Participant

SPECIAL_KINDS = ("instellingswoord", "instellingsachtervoegsel", "niet")


@dataclass
class LocalNames:
    """The contents of a local names file."""

    phrases: list[Phrase] = field(default_factory=list)
    institution_words: list[str] = field(default_factory=list)
    business_words: list[str] = field(default_factory=list)
    never: list[str] = field(default_factory=list)


def parse_local_names(text: str, where: str) -> tuple[LocalNames, list[Problem]]:
    """Parse the text of a local names file; returns the lists and every problem found."""
    names = LocalNames()
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, sep, value = line.partition(":")
        value = value.strip()
        if not sep or not value:
            problems.append(
                Problem(
                    f"{where}:{number}",
                    f"expected `kind: text`, got {line!r}",
                    "write one entry per line, e.g. `wijk: Beijum`",
                )
            )
            continue
        label = head.strip().casefold()
        if label == "instellingswoord":
            names.institution_words.append(value)
        elif label == "instellingsachtervoegsel":
            names.business_words.append(value)
        elif label == "niet":
            names.never.append(value)
        else:
            kind = parse_kind(label)
            if kind is None:
                problems.append(
                    Problem(
                        f"{where}:{number}",
                        f"unknown kind {head.strip()!r}",
                        f"use one of: {allowed_kinds()}, {', '.join(SPECIAL_KINDS)}",
                    )
                )
                continue
            names.phrases.append(Phrase(value, kind, exact_case=phrase_needs_exact_case(value)))
    return names, problems


def load_local_names(path: Path | None) -> LocalNames:
    """Read a local names file; a missing file gives empty lists.

    Raises
    ------
    ValidationError
        Listing every malformed line, with file and line number.
    """
    if path is None or not path.is_file():
        return LocalNames()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            [Problem(str(path), f"not UTF-8 text ({exc})", "save the file as UTF-8")]
        ) from None
    names, problems = parse_local_names(text, str(path))
    if problems:
        raise ValidationError(problems, summary=f"{path}: invalid local names file")
    return names


@cache
def bundled_list(name: str) -> tuple[str, ...]:
    """A bundled list from ``verhalen/data/privacy/<name>.txt`` (comments skipped)."""
    text = (
        resources.files("verhalen")
        .joinpath("data", "privacy", f"{name}.txt")
        .read_text(encoding="utf-8")
    )
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def bundled_phrases() -> list[Phrase]:
    """Bundled gazetteer phrases (towns abroad) that are matched like project names."""
    return [
        Phrase(p, Kind.plaats, exact_case=phrase_needs_exact_case(p))
        for p in bundled_list("plaatsen_buitenland")
    ]


def split_name(name: str) -> tuple[str, str]:
    """Split a full name into first name and surname (everything after the first word)."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return parts[0], " ".join(parts[1:])


def name_variants(name: str) -> list[tuple[str, str]]:
    """The forms a person's name takes in talk: full, first name, surname (± particles)."""
    name = " ".join(name.split())
    first, surname = split_name(name)
    variants = [(name, "full"), (first, "first")]
    if surname:
        variants.append((surname, "last"))
        words = surname.split()
        core = [w for w in words if w.casefold() not in PARTICLES]
        if core and len(core) < len(words):
            variants.append((" ".join(core), "last"))
        if len(words) > 1 and words[0].casefold() in PARTICLES:
            variants.append((f"{first} {' '.join(core)}", "full"))
    return [
        (text, form)
        for text, form in variants
        if len(text) >= 2 and text.casefold() not in STOP_WORDS
    ]


def participant_phrases(participants: Iterable[Participant]) -> list[Phrase]:
    """Phrases for every manifest participant's name (all variants), in id order."""
    phrases: list[Phrase] = []
    for participant in sorted(participants, key=lambda p: p.id):
        if not participant.name or not participant.name.strip():
            continue
        for text, form in name_variants(participant.name):
            phrases.append(
                Phrase(
                    text, Kind.naam, form, participant.id, exact_case=phrase_needs_exact_case(text)
                )
            )
    return phrases
