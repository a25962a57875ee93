"""The privacy engine: all detectors together, plus the key, the review and replacement.

Detection combines (in order of trust) the researcher's added texts, the manifest names,
the project's local names, the key itself (names found earlier are found again, in every
transcript), shape patterns, deduce, spaCy/Frog NER when available, the bundled
gazetteers and proper-noun heuristics. Overlaps are merged, phrases marked ``niet`` in the
local names file and texts the researcher rejected are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from verhalen.privacy.detect import (
    DetectContext,
    Detection,
    Detector,
    Phrase,
    PhraseDetector,
    drop_protected,
    merge,
    phrase_needs_exact_case,
    tidy,
)
from verhalen.privacy.heuristics import (
    DEFAULT_BUSINESS_WORDS,
    DEFAULT_INSTITUTION_WORDS,
    HeuristicDetector,
)
from verhalen.privacy.key import PseudonymKey
from verhalen.privacy.lists import (
    LocalNames,
    bundled_list,
    bundled_phrases,
    load_local_names,
    participant_phrases,
)
from verhalen.privacy.normalise import Kind, bounded, fold, fold_key, phrase_pattern
from verhalen.privacy.replace import OffsetMap, apply
from verhalen.privacy.review import ReviewStore
from verhalen.records import Participant

if TYPE_CHECKING:
    from verhalen.project import Project

PLACE_SUFFIX = r"(?i:-(?:oost|west|noord|zuid|centrum|midden)|park|bos|meer|dorp)?"
OwnName = Literal["role", "pseudonym"]
#: Kinds a ``niet`` phrase can be cut out of (not e-mail addresses or numbers).
NAME_KINDS = frozenset({Kind.naam, Kind.wijk, Kind.plaats, Kind.instelling, Kind.adres})


@dataclass
class PrivacyEngine:
    """Detects identifiers and replaces them consistently using a :class:`PseudonymKey`.

    Parameters
    ----------
    detectors
        The detectors to combine (see :meth:`from_project` for the usual set).
    participants
        Manifest participants; their names are detected in every form and, with
        ``own_name="role"``, a participant's own name in her own interview becomes her role.
    roles
        How a participant's role is shown (``report.role_mapping``: carers as ``moeder``).
    never
        Phrases that are never replaced (``niet:`` lines, the practices' names).
    review
        The researcher's decisions (rejected texts are kept, added ones replaced).
    """

    detectors: list[Detector]
    participants: dict[str, Participant] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)
    never: Iterable[str] = ()
    review: ReviewStore = field(default_factory=ReviewStore)
    own_name: OwnName = "role"
    notes: list[str] = field(default_factory=list)
    harmless: Iterable[str] = ()

    def __post_init__(self) -> None:
        self._harmless = {fold_key(h) for h in self.harmless}
        self._never = sorted({fold_key(n) for n in self.never if n.strip()}, key=len, reverse=True)
        self._never_re = (
            re.compile(bounded("|".join(phrase_pattern(n) for n in self._never)))
            if self._never
            else None
        )
        self._added = PhraseDetector("review", self.review.added)
        self._participants = PhraseDetector(
            "deelnemers", participant_phrases(self.participants.values())
        )

    # ------------------------------------------------------------------ building

    @classmethod
    def from_project(
        cls,
        project: Project,
        participants: Mapping[str, Participant] | None = None,
        *,
        nlp: Any = None,
        use_deduce: bool = True,
        use_spacy: bool | None = None,
        use_frog: bool | None = None,
        deduce_instance: Any = None,
    ) -> PrivacyEngine:
        """The engine configured by a project's ``verhalen.toml`` and lists.

        ``nlp`` is a spaCy pipeline with NER to use; otherwise an installed trained Dutch
        pipeline is used unless ``use_spacy`` is ``False``. Frog is used when installed
        unless ``use_frog`` is ``False``.
        """
        from verhalen.privacy.deduce_backend import DeduceDetector
        from verhalen.privacy.ner import FrogDetector, SpacyDetector, frog_available

        config = project.config
        local_path = project.root / config.privacy.local_names
        local = load_local_names(local_path)
        notes: list[str] = []
        if not local_path.is_file():
            notes.append(
                f"no local names file at {config.privacy.local_names} (privacy."
                "local_names): only the bundled lists are used"
            )
        detectors: list[Detector] = list(standard_detectors(local))
        if use_deduce:
            detectors.append(DeduceDetector(deduce_instance))
        if nlp is not None:
            detectors.append(SpacyDetector(nlp))
        elif use_spacy is not False:
            spacy_detector = SpacyDetector.from_installed(config.nlp.spacy_model)
            if spacy_detector is not None:
                detectors.append(spacy_detector)
            else:
                notes.append("spaCy NER skipped: no trained Dutch pipeline installed")
        if use_frog is not False:
            if frog_available():
                detectors.append(FrogDetector())
            else:
                notes.append("Frog NER skipped: the `frog` program is not installed")
        review = ReviewStore.load(project.private_path(config.privacy.review_path))
        never = [*local.never, *public_phrases(config.practices.values())]
        roles = {p: config.report_role(p) for p in config.roles}
        own_name: OwnName = config.privacy.own_name
        harmless = [*bundled_list("onschuldig"), *local.never]
        return cls(
            detectors, dict(participants or {}), roles, never, review, own_name, notes, harmless
        )

    # ------------------------------------------------------------------ detection

    def prepare_key(self, key: PseudonymKey) -> None:
        """Give every named manifest participant a key entry (in id order)."""
        for pid in sorted(self.participants):
            name = self.participants[pid].name
            if name and name.strip():
                key.add_participant(pid, name)

    def detect(
        self,
        text: str,
        participant_id: str | None = None,
        protected: Sequence[tuple[int, int]] = (),
    ) -> list[Detection]:
        """Merged detections of all detectors in ``text`` (outside ``protected`` spans)."""
        participant = self.participants.get(participant_id or "")
        context = DetectContext(
            participant_id, participant.name if participant else None, list(protected)
        )
        found: list[Detection] = []
        for detector in (self._added, self._participants, *self.detectors):
            found.extend(detector.detect(text, context))
        return self._clean(found, text, protected)

    def _clean(
        self, found: Iterable[Detection], text: str, protected: Sequence[tuple[int, int]]
    ) -> list[Detection]:
        tidied = [t for t in (tidy(d, text) for d in found) if t is not None]
        tidied = [piece for d in tidied for piece in split_names(d, text)]
        kept = [
            d
            for d in drop_protected(tidied, protected)
            if d.source in ("review", "deelnemers")
            or (
                fold_key(d.text) not in self.review.rejected
                and fold_key(d.text) not in self._harmless
            )
        ]
        pieces: list[Detection] = []
        for det in merge(kept, text):
            pieces.extend(self._cut_never(det, text))
        return [
            d
            for d in pieces
            if d.source == "review" or fold_key(d.text) not in self.review.rejected
        ]

    def _cut_never(self, det: Detection, text: str) -> list[Detection]:
        if self._never_re is None or det.source == "review" or det.kind not in NAME_KINDS:
            return [det]
        folded = fold(text[det.start : det.end])
        cuts = [(m.start(), m.end()) for m in self._never_re.finditer(folded)]
        if not cuts:
            return [det]
        out: list[Detection] = []
        pos = 0
        for a, b in [*cuts, (len(folded), len(folded))]:
            if a > pos:
                piece = Detection(
                    det.start + pos,
                    det.start + a,
                    text[det.start + pos : det.start + a],
                    det.kind,
                    det.source,
                    "",
                    det.participant,
                )
                tidied = tidy(piece, text)
                if tidied is not None and len(tidied.text) >= 2:
                    out.append(tidied)
            pos = b
        return out

    def key_detector(self, key: PseudonymKey) -> PhraseDetector:
        """Finds every variant in the key (except rejected ones) — cross-transcript recall."""
        phrases = [
            Phrase(
                text,
                entry.kind,
                key.form_of(entry, text),
                entry.participant,
                exact_case=phrase_needs_exact_case(text),
            )
            for text, entry in key.originals()
            if fold_key(text) not in self.review.rejected
        ]
        return PhraseDetector("sleutel", phrases)

    # ------------------------------------------------------------------ replacement

    def pseudonymise_text(
        self,
        text: str,
        key: PseudonymKey,
        participant_id: str | None = None,
        protected: Sequence[tuple[int, int]] = (),
        detections: Sequence[Detection] | None = None,
        forced: Sequence[Detection] = (),
        key_detector: PhraseDetector | None = None,
    ) -> tuple[str, OffsetMap]:
        """Replace every identifier in ``text``; new identifiers are added to ``key``.

        ``detections`` are earlier results of :meth:`detect` on the same text (saves
        running the detectors twice); ``forced`` detections are replaced even inside
        protected spans (e.g. a speaker label that is a name).
        """
        found = (
            list(detections)
            if detections is not None
            else self.detect(text, participant_id, protected)
        )
        for det in found:
            key.register(det)
        finder = key_detector or self.key_detector(key)
        context = DetectContext(participant_id)
        again = self._clean([*found, *finder.detect(text, context)], text, protected)
        final = merge([*again, *forced], text)
        role = self._role_text(participant_id, key)

        def render(det: Detection) -> tuple[str, str]:
            entry = key.find(det.text) or key.register(det)
            if role is not None and entry.participant == participant_id:
                return role, entry.id
            return key.render(entry, det.text), entry.id

        return apply(text, final, render)

    def _role_text(self, participant_id: str | None, key: PseudonymKey) -> str | None:
        if self.own_name != "role" or participant_id is None:
            return None
        participant = self.participants.get(participant_id)
        if participant is None:
            return None
        role = self.roles.get(participant.role, participant.role)
        return f"[{role}]" if key.style == "tags" else role


def standard_detectors(local: LocalNames | None = None) -> list[Detector]:
    """The detectors that need no models: lists, patterns and heuristics."""
    from verhalen.privacy.patterns import PatternDetector

    local = local or LocalNames()
    places = [p.text for p in local.phrases if p.kind in (Kind.wijk, Kind.plaats)]
    places += bundled_list("plaatsen_buitenland")
    heuristic = HeuristicDetector(
        institution_words=local.institution_words or DEFAULT_INSTITUTION_WORDS,
        business_words=local.business_words or DEFAULT_BUSINESS_WORDS,
        harmless=[*bundled_list("onschuldig"), *local.never],
        places=places,
        first_names=first_name_list(),
    )
    return [
        PhraseDetector("lokale_namen", local.phrases, suffixes=PLACE_SUFFIX),
        PatternDetector(),
        PhraseDetector("lijst", bundled_phrases(), suffixes=PLACE_SUFFIX),
        heuristic,
    ]


_FIRST_NAMES: list[str] = []
_FIRST_NAME_KEYS: set[str] = set()
_TOKEN = re.compile(r"[^\s]+")


def split_names(det: Detection, text: str) -> list[Detection]:
    """Split a detected "full name" that is really several first names (``Ria Nadia``).

    deduce joins adjacent names (``heeft Ria Nadia gebeld``); when every word (apart from
    particles such as ``van``) is a known first name, each becomes its own detection.
    """
    from verhalen.privacy.lists import PARTICLES

    if det.kind != Kind.naam or det.source in ("deelnemers", "sleutel", "review"):
        return [det]
    tokens = [m for m in _TOKEN.finditer(det.text) if m.group(0).casefold() not in PARTICLES]
    if len(tokens) < 2:
        return [det]
    if not _FIRST_NAME_KEYS:
        _FIRST_NAME_KEYS.update(fold_key(n) for n in first_name_list())
    if not all(fold_key(m.group(0)) in _FIRST_NAME_KEYS for m in tokens):
        return [det]
    return [
        Detection(
            det.start + m.start(), det.start + m.end(), m.group(0), det.kind, det.source, "first"
        )
        for m in tokens
    ]


def first_name_list() -> list[str]:
    """deduce's Dutch first names plus verhalen's bundled extra names."""
    if not _FIRST_NAMES:
        from verhalen.privacy.deduce_backend import _deduce_source

        path = _deduce_source() / "src" / "names" / "lst_first_name" / "items.txt"
        names = path.read_text(encoding="utf-8").split("\n") if path.is_file() else []
        _FIRST_NAMES.extend(
            n.strip() for n in [*names, *bundled_list("voornamen_extra")] if n.strip()
        )
    return _FIRST_NAMES


def public_phrases(labels: Iterable[str]) -> list[str]:
    """Phrases of the practices' public labels that are never replaced.

    ``"De Huiskamer Groningen"`` gives itself and ``"De Huiskamer"`` (the label without its
    last word, usually the town).
    """
    out: list[str] = []
    for label in labels:
        words = label.split()
        out.append(label)
        if len(words) > 1:
            out.append(" ".join(words[:-1]))
    return out


Progress = Callable[[Iterable[Any], str], Iterable[Any]]
