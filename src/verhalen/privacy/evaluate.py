"""Measuring the pseudonymisation: recall and precision per kind on a labelled test set.

The test set (``tests/fixtures/privacy/testset.yaml``) lists Dutch interview sentences
with the character spans and kinds of the identifiers in them, plus a participants
manifest. Sentences run through the engine as the pipeline runs transcripts: a first pass
fills the key, a second pass replaces (so a name found once is found everywhere).

* **recall** of a kind: the share of its labelled identifiers that are replaced
  *completely* (a surname left behind is a leak);
* **precision** of a kind: the share of replacements the engine labelled with that kind
  that overlap a labelled identifier (of any kind).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from verhalen.errors import VerhalenError
from verhalen.privacy.engine import PrivacyEngine
from verhalen.privacy.key import PseudonymKey
from verhalen.privacy.lists import name_variants
from verhalen.privacy.normalise import fold_key
from verhalen.records import Participant

MANIFEST = "deelnemers (manifest)"


@dataclass(frozen=True)
class Gold:
    """One labelled identifier."""

    sentence: str
    start: int
    end: int
    kind: str
    text: str


@dataclass
class LabelledSet:
    """Sentences with labelled identifiers, and the participants manifest."""

    participants: dict[str, Participant]
    sentences: list[dict[str, Any]]

    @classmethod
    def load(cls, path: str | Path) -> LabelledSet:
        """Read a test set, checking that every span matches its text."""
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        participants = {
            p["id"]: Participant(
                id=p["id"],
                role=p.get("role", "moeder"),
                practice=p.get("practice", "test"),
                name=p.get("name"),
            )
            for p in raw.get("participants", [])
        }
        for item in raw["sentences"]:
            for span in item["spans"]:
                if item["sentence"][span["start"] : span["end"]] != span["text"]:
                    raise VerhalenError(
                        f"{path} ({item['id']}): span {span} does not match "
                        "the sentence — fix start/end"
                    )
        return cls(participants, raw["sentences"])

    def gold(self) -> list[Gold]:
        return [
            Gold(item["id"], s["start"], s["end"], s["kind"], s["text"])
            for item in self.sentences
            for s in item["spans"]
        ]


@dataclass
class Score:
    """Counts for one kind."""

    labelled: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else float("nan")


@dataclass
class Evaluation:
    """Scores per kind, overall, and the misses and false alarms (for inspection)."""

    scores: dict[str, Score] = field(default_factory=dict)
    missed: list[Gold] = field(default_factory=list)
    false_alarms: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def overall(self) -> Score:
        total = Score()
        for kind, score in self.scores.items():
            if kind == MANIFEST:
                continue
            total.labelled += score.labelled
            total.found += score.found
            total.predicted += score.predicted
            total.correct += score.correct
        return total

    def table(self) -> str:
        """A plain-text table: kind, labelled, recall, replacements, precision."""
        rows = [f"{'soort':24} {'gelabeld':>8} {'recall':>7} {'vervangen':>9} {'precisie':>8}"]
        for kind in sorted(self.scores, key=lambda k: (k == MANIFEST, k)):
            s = self.scores[kind]
            rows.append(
                f"{kind:24} {s.labelled:8} {s.recall:7.3f} {s.predicted:9} {s.precision:8.3f}"
            )
        o = self.overall
        rows.append(
            f"{'totaal':24} {o.labelled:8} {o.recall:7.3f} {o.predicted:9} {o.precision:8.3f}"
        )
        return "\n".join(rows)


def engine_for_testset(
    testset: LabelledSet,
    local_names: Path | None = None,
    use_deduce: bool = True,
    deduce_instance: Any = None,
) -> PrivacyEngine:
    """The engine configured like a project: its local names file, deduce, the manifest."""
    from verhalen.privacy.deduce_backend import DeduceDetector
    from verhalen.privacy.engine import standard_detectors
    from verhalen.privacy.lists import bundled_list, load_local_names

    local = load_local_names(local_names)
    detectors = standard_detectors(local)
    if use_deduce:
        detectors.append(DeduceDetector(deduce_instance))
    return PrivacyEngine(
        detectors,
        dict(testset.participants),
        {"verzorger": "moeder"},
        never=local.never,
        harmless=[*bundled_list("onschuldig"), *local.never],
    )


def evaluate(engine: PrivacyEngine, testset: LabelledSet) -> Evaluation:
    """Run ``engine`` over the test set the way the pipeline does, and score it."""
    key = PseudonymKey("tags")
    engine.prepare_key(key)
    detections = {}
    for item in testset.sentences:
        dets = engine.detect(item["sentence"], item.get("participant"))
        for det in dets:
            key.register(det)
        detections[item["id"]] = dets
    finder = engine.key_detector(key)
    manifest_keys = {
        fold_key(text)
        for p in testset.participants.values()
        if p.name
        for text, _ in name_variants(p.name)
    }
    result = Evaluation()
    for item in testset.sentences:
        _, omap = engine.pseudonymise_text(
            item["sentence"],
            key,
            item.get("participant"),
            detections=detections[item["id"]],
            key_detector=finder,
        )
        spans = [(r.start, r.end, r.kind) for r in omap.replacements]
        golds = [
            Gold(item["id"], s["start"], s["end"], s["kind"], s["text"]) for s in item["spans"]
        ]
        for gold in golds:
            covered = _covered(gold, spans, item["sentence"])
            kinds = [gold.kind] + (
                [MANIFEST] if fold_key(gold.text) in manifest_keys and gold.kind == "naam" else []
            )
            for kind in kinds:
                score = result.scores.setdefault(kind, Score())
                score.labelled += 1
                score.found += covered
            if not covered:
                result.missed.append(gold)
        for start, end, kind in spans:
            score = result.scores.setdefault(kind, Score())
            score.predicted += 1
            if any(start < g.end and g.start < end for g in golds):
                score.correct += 1
            else:
                result.false_alarms.append((item["id"], item["sentence"][start:end], kind))
    return result


def _covered(gold: Gold, spans: list[tuple[int, int, str]], sentence: str) -> bool:
    """Whether every non-space character of ``gold`` lies inside some replacement."""
    inside = Counter[int]()
    for start, end, _ in spans:
        for i in range(max(start, gold.start), min(end, gold.end)):
            inside[i] += 1
    return all(inside[i] or sentence[i].isspace() for i in range(gold.start, gold.end))
