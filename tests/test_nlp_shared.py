"""Helpers shared by the NLP and suggest tests (this module holds no tests).

Pipelines are loaded once per test session (module-level caches), so the test files that
import these helpers share them; the tiny trained spaCy pipeline is trained once, too.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.training import Example

from verhalen.nlp import PipelineInfo, load_pipeline
from verhalen.records import Code, Codebook, Coding, CodingSource, Factor, Segment

_PIPELINES: dict[str, tuple[Language, PipelineInfo]] = {}
_TRAINED: dict[str, Path] = {}

WHEN = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.UTC)

TAGGED = [
    ("De moeders drinken koffie", ["DET", "NOUN", "VERB", "NOUN"]),
    ("Ik kom elke week naar de groep", ["PRON", "VERB", "DET", "NOUN", "ADP", "DET", "NOUN"]),
    ("Zij geeft mij een goede tip", ["PRON", "VERB", "PRON", "DET", "ADJ", "NOUN"]),
    ("De kinderen spelen samen", ["DET", "NOUN", "VERB", "ADV"]),
    ("Wij praten over slapen en eten", ["PRON", "VERB", "ADP", "VERB", "CCONJ", "VERB"]),
]


def blank() -> tuple[Language, PipelineInfo]:
    """The blank Dutch pipeline with simplemma, loaded once per session."""
    if "blank" not in _PIPELINES:
        _PIPELINES["blank"] = load_pipeline("blank")
    return _PIPELINES["blank"]


def trained_pipeline(factory: pytest.TempPathFactory) -> Path:
    """A real (tiny) trained pipeline: blank nl + tagger, a few updates, saved to disk.

    It has no lemmatizer, so loading it through verhalen adds the simplemma component.
    """
    if "tagger" not in _TRAINED:
        spacy.util.fix_random_seed(0)
        random.seed(0)
        nlp = spacy.blank("nl")
        nlp.add_pipe("tagger")
        examples = [Example.from_dict(nlp.make_doc(t), {"tags": tags}) for t, tags in TAGGED]
        nlp.initialize(lambda: examples)
        for _ in range(8):
            nlp.update(examples)
        nlp.meta["name"] = "tiny_tagger"
        nlp.meta["version"] = "0.0.1"
        path = factory.mktemp("pipelines") / "tiny_tagger"
        nlp.to_disk(path)
        _TRAINED["tagger"] = path
    return _TRAINED["tagger"]


def codebook() -> Codebook:
    """A small two-factor codebook with keywords, lemma patterns, regexes and examples."""
    return Codebook(
        id="mini",
        name="Mini",
        factors=[
            Factor(id="uitwisselen", label="Uitwisselen en leren"),
            Factor(id="ontmoeten", label="Ontmoeten en steunen"),
        ],
        codes=[
            Code(
                id="tips",
                label="Tips en adviezen",
                parent="uitwisselen",
                definition="Ouders geven elkaar praktische tips en adviezen over opvoeden.",
                inclusion=["een concrete tip van een andere moeder"],
                exclusion=["gezellig samen koffie drinken zonder advies"],
                examples=["Zij gaf mij een goede tip over slapen."],
                keywords=["tip", "advies"],
                lemma_patterns=["tip geven"],
            ),
            Code(
                id="herkenning",
                label="Herkenning",
                parent="uitwisselen",
                definition="Zich herkennen in anderen: niet de enige zijn met zorgen.",
                examples=["Ik ben niet de enige, bij iedereen is het zo."],
                keywords=["herkennen", "enige"],
                lemma_patterns=["niet de enige"],
            ),
            Code(
                id="gezelligheid",
                label="Gezelligheid",
                parent="ontmoeten",
                definition="Het is gezellig in de groep, met koffie en thee.",
                examples=["Het is gewoon gezellig, koffie, thee, even kletsen."],
                keywords=["gezellig", "koffie", "thee"],
                patterns=[r"kopje\s+(koffie|thee)"],
            ),
            Code(
                id="voorlezen",
                label="Voorlezen",
                parent="ontmoeten",
                definition="Activiteiten met taal en verhalen, thuis of in de groep.",
            ),
        ],
    )


def segment(sid: str, text: str, transcript: str = "t1", participant: str | None = None) -> Segment:
    """A respondent turn segment (offsets are those of a one-turn transcript)."""
    return Segment(
        id=sid,
        transcript_id=transcript,
        participant_id=participant or transcript,
        turn_index=1,
        start=0,
        end=len(text),
        text=text,
        speaker="R",
    )


def coding(
    sid: str, code: str, coder: str = "anna", source: CodingSource = CodingSource.manual
) -> Coding:
    """A coding of a whole segment."""
    return Coding(segment_id=sid, code_id=code, coder=coder, timestamp=WHEN, source=source)


TEMPLATES = {
    "tips": [
        "Zij gaf mij een tip over slapen, en dat advies werkte echt.",
        "Een andere moeder zei: probeer een beloningskaart. Goede tip.",
        "Ik kreeg advies over eten, dat ga ik thuis proberen.",
    ],
    "herkenning": [
        "Toen merkte ik dat ik niet de enige ben met een kind dat slecht slaapt.",
        "Iedereen heeft dat, ik herken het van de andere moeders.",
        "Het was fijn om te horen: je bent niet de enige.",
    ],
    "gezelligheid": [
        "Het is daar heel gezellig, we drinken koffie en thee.",
        "Gewoon een kopje koffie en kletsen met de anderen.",
        "De sfeer is gezellig, iedereen lacht veel.",
    ],
    "voorlezen": [
        "Nu gaan we elke week naar de bieb voor een prentenboek.",
        "Ik lees haar elke avond voor uit een boek van de bieb.",
        "Het prentenboek van de rups leest ze zelf na uit de bieb.",
    ],
}


def synthetic_corpus(
    n_transcripts: int = 6, per_transcript: int = 8, seed: int = 0
) -> tuple[list[Segment], list[Coding]]:
    """Segments built from code templates, with the 'human' codes they were built from."""
    rng = random.Random(seed)
    codes = sorted(TEMPLATES)
    segments: list[Segment] = []
    codings: list[Coding] = []
    for t in range(n_transcripts):
        tid = f"int{t:02d}"
        for k in range(per_transcript):
            code = codes[(t + k) % len(codes)]
            text = rng.choice(TEMPLATES[code]) + f" Dat was in week {k + 1}."
            sid = f"{tid}-t{k:03d}"
            segments.append(segment(sid, text, tid))
            codings.append(coding(sid, code))
    return segments, codings
