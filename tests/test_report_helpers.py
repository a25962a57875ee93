"""Builders for the report tests: a small pseudonymised corpus with two coders' codings.

No tests here; the report test modules import these helpers.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from verhalen.codebook import load_bundled
from verhalen.config import ProjectConfig
from verhalen.corpus import Corpus
from verhalen.records import Codebook, Participant, Transcript, Turn

ROLES = {
    "moeder": "Moeder",
    "verzorger": "Verzorger (bijv. oma)",
    "vrijwilliger": "Vrijwilliger",
    "jeugdprofessional": "Jeugdprofessional",
}

# id, real name (must never appear in the report), role, practice, attributes
PEOPLE = [
    ("p01", "Annelies Vermeulen", "moeder", "vve_hoogeveen", (31, "Marokkaans", "nee", 1.5)),
    ("p02", "Brechtje Kramer", "moeder", "vve_hoogeveen", (27, "Nederlands", "ja", 0.5)),
    ("p03", "Cornelia Wouters", "moeder", "vve_hoogeveen", (34, "Pools", "nee", 2)),
    ("p04", "Dorothea Hendriks", "verzorger", "vve_hoogeveen", (58, "Nederlands", "ja", 1)),
    (
        "p05",
        "Evelien Timmermans",
        "jeugdprofessional",
        "vve_hoogeveen",
        (42, "Nederlands", "nee", 8),
    ),
    ("p06", "Femke Gerritsen", "moeder", "huiskamer_groningen", (36, "Turks", "nee", 3)),
    ("p07", "Geertruida Bosman", "moeder", "huiskamer_groningen", (29, "Nederlands", "ja", 2)),
    ("p08", "Hendrika Lammers", "moeder", "huiskamer_groningen", (25, "Eritrees", "nee", 1)),
    (
        "p09",
        "Ingeborg Dekkers",
        "vrijwilliger",
        "huiskamer_groningen",
        (51, "Nederlands", "nee", 9),
    ),
    ("p10", "Jacoba Molenaar", "vrijwilliger", "huiskamer_groningen", (39, "Marokkaans", "ja", 6)),
    (
        "p11",
        "Klaasje Veldman",
        "jeugdprofessional",
        "huiskamer_groningen",
        (45, "Nederlands", "nee", 7),
    ),
    (
        "p12",
        "Lieke Brouwers",
        "jeugdprofessional",
        "huiskamer_groningen",
        (38, "Nederlands", "nee", 5),
    ),
    (
        "p13",
        "Marijke Postmus",
        "jeugdprofessional",
        "huiskamer_groningen",
        (23, "Nederlands", "ja", 1),
    ),
]

ANSWERS = [
    # turn 1: long, with transcription notes and hesitations
    "Nou, eh, ik kwam voor het eerst toen mijn dochter twee was. (lacht) Ik kende niemand in de "
    "wijk, echt niemand. De eerste keer zat ik alleen maar te kijken. Maar [NAAM-{n}] kwam naast "
    "me zitten en vroeg hoe het ging. Ehm... daarna ging ik elke week. We krijgen tips over "
    "slapen en eten, en je hoort dat andere moeders hetzelfde meemaken. Dat je niet de enige "
    "bent, dat is fijn. Thuis probeer ik die tips ook. Soms lukt het, soms niet. (stilte) Maar "
    "ik weet nu dat het normaal is. En we drinken koffie en het is gewoon gezellig met elkaar.",
    # turn 2: medium
    "Het is gezellig, we drinken koffie en we lachen veel. Soms gaan we na de groep samen naar "
    "de speeltuin met de kinderen, dat is leuk voor hen en voor ons.",
    # turn 3: too short to quote
    "Ja, dat klopt wel.",
]


def _transcript(tid: str, pid: str, n: int) -> Transcript:
    parts: list[tuple[str, str, bool]] = []
    for i, answer in enumerate(ANSWERS):
        parts.append(("I", f"Vraag {i + 1}: kunt u daar iets over vertellen?", True))
        parts.append(("R", answer.replace("{n}", str(n)) + f" Dat zeg ik als nummer {n}.", False))
    text, turns, pos = "", [], 0
    for index, (speaker, body, interviewer) in enumerate(parts):
        prefix = f"{speaker}: "
        start = pos + len(prefix)
        turns.append(
            Turn(
                index=index,
                speaker=speaker,
                is_interviewer=interviewer,
                role="interviewer" if interviewer else "respondent",
                text=body,
                start=start,
                end=start + len(body),
            )
        )
        text += prefix + body + "\n\n"
        pos = len(text)
    return Transcript(id=tid, participants=[pid], text=text, turns=turns)


def make_corpus(people: list[tuple] | None = None) -> Corpus:
    """A corpus of short interviews, one per participant (ids ``int01``…)."""
    rows = PEOPLE if people is None else people
    participants = {}
    transcripts = []
    for n, (pid, name, role, practice, (age, background, single, years)) in enumerate(rows, 1):
        participants[pid] = Participant(
            id=pid,
            role=role,
            practice=practice,
            name=name,
            attributes={
                "age": age,
                "background": background,
                "single": single == "ja",
                "years_in_group": years,
            },
        )
        transcripts.append(_transcript(f"int{n:02d}", pid, n))
    return Corpus(participants=participants, transcripts=transcripts)


def make_config(**report: object) -> ProjectConfig:
    data = {
        "project": {"name": "Testproject", "fictional": True},
        "roles": ROLES,
        "report": {"small_cell_k": 3, "role_mapping": {"verzorger": "moeder"}, **report},
    }
    return ProjectConfig.model_validate(data)


def codebook() -> Codebook:
    return load_bundled("zes_factoren")


def make_codings(corpus: Corpus) -> pd.DataFrame:
    """Two coders. Turn 1: tips, herkenning (both), gezelligheid (A only). Turn 3 (long
    interview answers only): gezelligheid and eruit_zijn (both). Participants of the
    volunteer role also get 'vaste_rondes' from A only."""
    when = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
    rows = []
    for seg in corpus.segments:
        role = corpus.participants[seg.participant_id or ""].role
        codes: dict[str, list[str]] = {}
        if seg.turn_index == 1:
            codes = {
                "a": ["tips_en_adviezen", "herkenning", "gezelligheid"],
                "b": ["tips_en_adviezen", "herkenning"],
            }
        elif seg.turn_index == 3:
            codes = {"a": ["gezelligheid", "eruit_zijn"], "b": ["gezelligheid", "eruit_zijn"]}
        elif seg.turn_index == 5 and role == "vrijwilliger":
            codes = {"a": ["vaste_rondes"]}
        for coder, ids in codes.items():
            for code in ids:
                rows.append(
                    {"segment_id": seg.id, "code_id": code, "coder": coder, "timestamp": when}
                )
    return pd.DataFrame(rows)
