"""Shared builders for the sheets, coded, calibrate and agreement tests (no tests here).

A tiny fictional project: four interviews in two practices with three roles, turn-level
segments (respondent turns only), and a small codebook with two factors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from openpyxl import load_workbook

from verhalen.corpus import Corpus
from verhalen.records import Code, Codebook, Factor, Participant, Transcript, Turn

WHEN = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)

INTERVIEWS = {
    "int01": (
        "p01",
        [
            "Kunt u iets vertellen over de groep?",
            "We wisselen tips uit over slapen en eten. Dat helpt mij echt.",
            "Wat maakt dat u blijft komen?",
            "De gezelligheid, ik kom even de deur uit en zie andere moeders.",
            "En buiten de groep?",
            "We hebben een groepsapp en drinken soms samen koffie.",
        ],
    ),
    "int02": (
        "p02",
        [
            "Hoe is het contact met de begeleiding?",
            "De juf luistert goed en vraagt door, ik voel me serieus genomen.",
            "Wat doet u zelf in de groep?",
            "Ik help met knutselen, dat is ontspannend voor mij.",
        ],
    ),
    "int03": (
        "p03",
        [
            "Hoe ziet een bijeenkomst eruit?",
            "We beginnen altijd met een goed nieuws ronde, daarna een thema.",
            "Wat doet u als iemand het moeilijk heeft?",
            "Dan laten we het programma los en luisteren we eerst.",
            "Hoe bepaalt u de thema's?",
            "De moeders kiezen samen de thema's voor de planning.",
        ],
    ),
    "int04": (
        "p04",
        [
            "Wat vindt u van de groep?",
            "Iedereen is gelijk, we zitten in hetzelfde schuitje.",
            "Voelt u zich veilig?",
            "Ja, wat in de groep gezegd wordt blijft in de groep.",
        ],
    ),
}
PARTICIPANTS = {
    "p01": ("moeder", "vve_hoogeveen", "Samira Testnaam"),
    "p02": ("verzorger", "vve_hoogeveen", "Gerda Testnaam"),
    "p03": ("jeugdprofessional", "huiskamer_groningen", "Marloes Testnaam"),
    "p04": ("moeder", "huiskamer_groningen", "Fatma Testnaam"),
}
CODE_IDS = ("tips_en_advies", "gezelligheid", "luisteren", "structuur_rondes", "gelijkwaardigheid")


def transcript(tid: str, participant: str, lines: list[str]) -> Transcript:
    """A transcript with alternating interviewer / respondent turns."""
    parts, turns, pos = [], [], 0
    for i, line in enumerate(lines):
        interviewer = i % 2 == 0
        label = "I: " if interviewer else "R: "
        start = pos + len(label)
        turns.append(
            Turn(
                index=i,
                speaker="I" if interviewer else "R",
                is_interviewer=interviewer,
                role="interviewer" if interviewer else "respondent",
                text=line,
                start=start,
                end=start + len(line),
            )
        )
        parts.append(label + line)
        pos += len(label) + len(line) + 1
    return Transcript(id=tid, participants=[participant], text="\n".join(parts), turns=turns)


def tiny_corpus() -> Corpus:
    participants = {
        pid: Participant(id=pid, role=role, practice=practice, name=name)
        for pid, (role, practice, name) in PARTICIPANTS.items()
    }
    transcripts = [transcript(t, p, lines) for t, (p, lines) in INTERVIEWS.items()]
    return Corpus(participants=participants, transcripts=transcripts)


def tiny_codebook(version: str = "1.0") -> Codebook:
    factors = [
        Factor(id="uitwisselen_en_leren", label="Uitwisselen en leren"),
        Factor(id="structuur", label="Structuur", kind="procesmatig"),
    ]
    parents = {
        "tips_en_advies": "uitwisselen_en_leren",
        "gezelligheid": "uitwisselen_en_leren",
        "luisteren": "structuur",
        "structuur_rondes": "structuur",
        "gelijkwaardigheid": "structuur",
    }
    codes = [
        Code(
            id=c,
            label=c.replace("_", " ").capitalize(),
            definition=f"Definitie van {c}.",
            parent=parents[c],
            keywords=[c.split("_")[0]],
        )
        for c in CODE_IDS
    ]
    return Codebook(
        id="test_boek", name="Testcodeboek", version=version, factors=factors, codes=codes
    )


def make_project(root: Path, codebook: Codebook | None = None) -> Path:
    """A project folder with verhalen.toml, the tiny corpus and a YAML codebook."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "verhalen.toml").write_text(
        '[project]\nname = "Test"\nfictional = true\n\n'
        '[report]\nrole_mapping = { verzorger = "moeder" }\n\n'
        '[roles]\nmoeder = "Moeder"\nverzorger = "Verzorger"\nvrijwilliger = "Vrijwilliger"\n'
        'jeugdprofessional = "Jeugdprofessional"\n',
        encoding="utf-8",
    )
    tiny_corpus().save(root / "data" / "corpus.jsonl")
    write_codebook(root, codebook or tiny_codebook())
    return root


def write_codebook(root: Path, codebook: Codebook) -> None:
    """Write the codebook where the project configuration expects it."""
    path = root / "codebook" / "zes_factoren.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = codebook.model_dump(mode="json", exclude_defaults=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def fill_sheet(path: Path, answers: dict[str, dict[str, object]], out: Path | None = None) -> Path:
    """Fill in a coding sheet the way a coder would: by segment id, by column header."""
    wb = load_workbook(path)
    ws = wb["Coderen"]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        seg = row[0].value
        for header, value in answers.get(str(seg), {}).items():
            row[headers.index(header)].value = value
    target = out or path
    wb.save(target)
    return target
