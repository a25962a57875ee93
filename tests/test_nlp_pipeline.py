"""Loading the NLP pipeline: blank + simplemma, nl_core_news_sm when installed, any path."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
import spacy.util

from tests.test_nlp_shared import blank, trained_pipeline
from verhalen.errors import VerhalenError
from verhalen.nlp import (
    FACTORY,
    SimplemmaLemmatizer,
    lemma_of,
    load_pipeline,
    pipeline_fingerprint,
)


def test_blank_pipeline_lemmatises_with_simplemma() -> None:
    nlp, info = blank()
    assert info.source == "blank"
    assert info.lemmatizer == "simplemma"
    assert "sentencizer" in info.components and FACTORY in info.components
    doc = nlp("De kinderen en moeders was het leuk, zij heeft tips.")
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["kinderen"] == "kind"
    assert lemmas["moeders"] == "moeder"
    assert lemmas["was"] == "zijn"
    assert lemmas["heeft"] == "hebben"
    assert lemmas["tips"] == "tip"
    assert len(list(doc.sents)) == 1


def test_auto_falls_back_to_blank_and_logs_instead_of_printing(monkeypatch, caplog, capsys) -> None:
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    with caplog.at_level("INFO", logger="verhalen.nlp"):
        _, info = load_pipeline("auto")
    assert info.source == "blank"
    assert "nl_core_news_sm is not installed" in info.describe()
    assert info.describe().startswith("NLP: blank Dutch")
    assert caplog.text.count(info.describe()) == 1  # said once, via logging
    assert capsys.readouterr() == ("", "")  # the library never prints


def test_auto_prefers_nl_core_news_sm_when_installed(monkeypatch) -> None:
    loaded: list[str] = []

    def fake_load(name: str, **kwargs: object) -> spacy.language.Language:
        loaded.append(name)
        nlp = spacy.blank("nl")
        nlp.add_pipe("lemmatizer", config={"mode": "rule"})  # a pipeline with its own lemmas
        nlp.meta.update({"name": "core_news_sm", "version": "3.8.0"})
        return nlp

    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "nl_core_news_sm")
    monkeypatch.setattr(spacy, "load", fake_load)
    nlp, info = load_pipeline("auto")
    assert loaded == ["nl_core_news_sm"]
    assert info.source == "package" and info.name == "nl_core_news_sm"
    assert info.lemmatizer == "lemmatizer"  # its own lemmatizer is kept ...
    assert FACTORY not in nlp.pipe_names  # ... and simplemma is not added
    assert info.added == ("sentencizer",)
    assert "nl_core_news_sm 3.8.0" in info.describe()


def test_trained_pipeline_loads_from_a_path(tmp_path_factory) -> None:
    path = trained_pipeline(tmp_path_factory)
    nlp, info = load_pipeline(str(path))
    assert info.source == "path" and info.name == str(path)
    assert "tagger" in info.components
    assert info.added == ("sentencizer", FACTORY)  # no lemmatizer of its own: simplemma added
    doc = nlp("De moeders drinken koffie")
    assert [t.tag_ for t in doc][:2] == ["DET", "NOUN"]
    assert doc[1].lemma_ == "moeder"
    assert info.fingerprint != blank()[1].fingerprint


def test_simplemma_factory_is_saved_in_the_config_and_loads_again(tmp_path: Path) -> None:
    nlp, _ = blank()
    nlp.to_disk(tmp_path / "p")
    config = (tmp_path / "p" / "config.cfg").read_text(encoding="utf-8")
    assert f'factory = "{FACTORY}"' in config
    again, info = load_pipeline(str(tmp_path / "p"))
    assert info.added == ()  # sentencizer and simplemma came with the saved pipeline
    assert info.lemmatizer == "simplemma"
    assert again("kinderen")[0].lemma_ == "kind"
    assert pipeline_fingerprint(again) == blank()[1].fingerprint  # same pipeline, same cache


def test_lemmatizer_keeps_lemmas_set_by_an_earlier_component() -> None:
    nlp, _ = blank()
    doc = nlp.make_doc("kinderen spelen")
    doc[0].lemma_ = "KIND"
    SimplemmaLemmatizer(nlp.vocab)(doc)
    assert [t.lemma_ for t in doc] == ["KIND", lemma_of("spelen")]
    SimplemmaLemmatizer(nlp.vocab, overwrite=True)(doc)
    assert doc[0].lemma_ == "kind"
    assert len(SimplemmaLemmatizer(nlp.vocab)(nlp.make_doc(""))) == 0


def test_unknown_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VerhalenError, match="no installed spaCy package") as exc:
        load_pipeline("nl_bestaat_niet_lg")
    assert "auto" in str(exc.value) and "nlp.to_disk" in str(exc.value)
    (tmp_path / "leeg").mkdir()
    with pytest.raises(VerhalenError, match="could not load"):
        load_pipeline(str(tmp_path / "leeg"))
