"""Optional NER backends: spaCy (with a pipeline passed in) and Frog (when installed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy

from verhalen.errors import VerhalenError
from verhalen.privacy import PrivacyEngine, ner
from verhalen.privacy.detect import DetectContext
from verhalen.privacy.ner import (
    FrogDetector,
    SpacyDetector,
    frog_available,
    parse_frog_output,
    trained_spacy_pipeline,
)
from verhalen.privacy.normalise import Kind
from verhalen.project import Project


def ruler_pipeline() -> spacy.language.Language:
    nlp = spacy.blank("nl")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": [{"LOWER": "wubbo"}, {"LOWER": "zwart"}]},
            {"label": "GPE", "pattern": "Uithuizermeeden"},
            {"label": "ORG", "pattern": "Stamppot BV"},
            {"label": "DATE", "pattern": "maandag"},
        ]
    )
    return nlp


def test_spacy_entities_become_detections() -> None:
    detector = SpacyDetector(ruler_pipeline())
    text = "Toen kwam wubbo zwart uit Uithuizermeeden, hij werkt bij Stamppot BV op maandag."
    found = {(d.text, d.kind) for d in detector.detect(text, DetectContext())}
    assert found == {
        ("wubbo zwart", Kind.naam),
        ("Uithuizermeeden", Kind.plaats),
        ("Stamppot BV", Kind.instelling),
    }


def test_a_pipeline_passed_to_the_project_engine_is_used(example_project: Path) -> None:
    project = Project.open(example_project)
    engine = PrivacyEngine.from_project(
        project, nlp=ruler_pipeline(), use_deduce=False, use_frog=False
    )
    texts = [d.text for d in engine.detect("Ik sprak wubbo zwart gisteren.")]
    assert texts == ["wubbo zwart"]  # lower case: only the NER step finds it
    plain = PrivacyEngine.from_project(project, use_deduce=False, use_frog=False)
    assert plain.detect("Ik sprak wubbo zwart gisteren.") == []


def test_a_pipeline_without_ner_is_refused_and_trained_ones_are_detected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(VerhalenError, match="no named-entity step"):
        SpacyDetector(spacy.blank("nl"))
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "nl_core_news_sm")
    assert trained_spacy_pipeline("auto") == "nl_core_news_sm"
    assert trained_spacy_pipeline("nl_core_news_lg") is None
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    assert trained_spacy_pipeline("auto") is None
    assert SpacyDetector.from_installed() is None


FROG_OUTPUT = (
    "1\tIk\tik\t[ik]\tVNW(pers,pron,nomin,vol,1,ev)\t0.99\tO\tB-NP\t2\tsu\n"
    "2\twoon\twonen\t[woon]\tWW(pv,tgw,ev)\t0.99\tO\tB-VP\t0\tROOT\n"
    "3\tin\tin\t[in]\tVZ(init)\t0.99\tO\tB-PP\t2\tmod\n"
    "4\tNieuw\tnieuw\t[nieuw]\tADJ(prenom,basis,zonder)\t0.9\tB-LOC\tB-NP\t5\tmod\n"
    "5\tBuinen\tBuinen\t[Buinen]\tSPEC(deeleigen)\t0.9\tI-LOC\tI-NP\t3\tobj1\n"
    "6\tmet\tmet\t[met]\tVZ(init)\t0.99\tO\tB-PP\t2\tmod\n"
    "7\tGeesje\tGeesje\t[Geesje]\tSPEC(deeleigen)\t0.9\tB-PER\tB-NP\t6\tobj1\n"
    "8\t.\t.\t[.]\tLET()\t1\tO\tO\t2\tpunct\n\n"
)


def test_frog_output_is_aligned_to_the_text() -> None:
    text = "Ik woon in Nieuw  Buinen met Geesje."
    found = [(d.text, d.kind) for d in parse_frog_output(text, FROG_OUTPUT)]
    assert found == [("Nieuw  Buinen", Kind.plaats), ("Geesje", Kind.naam)]


def test_frog_absent_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ner.shutil, "which", lambda name: None)
    assert frog_available() is None
    with pytest.raises(VerhalenError, match="Frog is not installed"):
        FrogDetector()


@pytest.mark.skipif(
    shutil.which("frog") is None, reason="Frog is not installed (optional Debian package `frog`)"
)
def test_frog_finds_a_name_when_installed() -> None:  # pragma: no cover - needs Frog
    found = FrogDetector().detect("Gisteren belde Geesje Mulder mij op.", DetectContext())
    assert any("Geesje" in d.text for d in found)
