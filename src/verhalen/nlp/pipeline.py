"""Choose and load the spaCy pipeline, and describe it once.

``"auto"`` loads ``nl_core_news_sm`` when it is installed (it cannot be downloaded on every
machine, so it is never required) and otherwise builds ``spacy.blank("nl")`` with a
sentencizer and the simplemma lemmatizer (:mod:`verhalen.nlp.lemmatizer`). Any other name is
an installed spaCy package or a folder written by :meth:`spacy.Language.to_disk`.

Whatever is loaded, the pipeline gets sentence boundaries (a sentencizer if it has no parser
or senter) and lemmas (the simplemma component if it has no lemmatizer of its own; a trained
or rule-based lemmatizer is kept). :class:`PipelineInfo` says what runs; the library never
prints it — it is logged once on logger ``verhalen.nlp`` and returned, and the CLI prints it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import simplemma
import spacy
import spacy.util
from spacy.language import Language

from verhalen.errors import VerhalenError
from verhalen.nlp.lemmatizer import FACTORY, LEMMATIZER_FACTORIES
from verhalen.nlp.notes import NOTES_VERSION
from verhalen.nlp.stopwords import stop_words

logger = logging.getLogger("verhalen.nlp")

PREFERRED_PACKAGE = "nl_core_news_sm"
BLANK_NAMES = frozenset({"blank", "blank:nl"})
SENTENCE_FACTORIES = frozenset({"parser", "senter", "sentencizer"})
FINGERPRINT_VERSION = "1"


@dataclass(frozen=True)
class PipelineInfo:
    """What NLP pipeline runs.

    Attributes
    ----------
    name
        The package name, the folder, or ``"blank:nl"``.
    version
        The pipeline's own version (``meta["version"]``).
    source
        ``"package"`` (an installed spaCy package), ``"path"`` (a folder) or ``"blank"``.
    components
        Component names in pipeline order, including the ones added here.
    lemmatizer
        ``"simplemma"`` when the simplemma component fills the lemmas, else the name of the
        pipeline's own lemmatizer component.
    added
        Components added to the loaded pipeline (e.g. ``("sentencizer", ...)``).
    fingerprint
        A short hash of name, version, config, spaCy/simplemma versions and the note
        stripping rules: the NLP cache key of this pipeline.
    note
        Why this pipeline was chosen (e.g. ``nl_core_news_sm`` is not installed).
    """

    name: str
    version: str
    source: Literal["package", "path", "blank"]
    components: tuple[str, ...]
    lemmatizer: str
    added: tuple[str, ...]
    fingerprint: str
    note: str = ""

    def describe(self) -> str:
        """One line for people: which pipeline runs and where its lemmas come from."""
        if self.source == "blank":
            head = "blank Dutch spaCy pipeline (tokenizer + sentencizer)"
        else:
            head = f"spaCy pipeline {self.name} {self.version}".rstrip()
        lemmas = (
            "lemmas from simplemma"
            if self.lemmatizer == "simplemma"
            else f"lemmas from its own {self.lemmatizer!r} component"
        )
        text = f"NLP: {head}, {lemmas}"
        return f"{text} ({self.note})" if self.note else text


def pipeline_fingerprint(nlp: Language) -> str:
    """A stable hash of everything that determines a pipeline's output.

    Parameters
    ----------
    nlp
        A loaded pipeline.

    Returns
    -------
    str
        16 hex digits over the pipeline's name, version, language, config, the spaCy and
        simplemma versions and :data:`verhalen.nlp.notes.NOTES_VERSION`.
    """
    meta = nlp.meta
    parts = [
        FINGERPRINT_VERSION,
        str(meta.get("name", "")),
        str(meta.get("version", "")),
        str(nlp.lang),
        spacy.__version__,
        str(getattr(simplemma, "__version__", "")),
        NOTES_VERSION,
        nlp.config.to_str(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _factories(nlp: Language) -> dict[str, str]:
    return {name: nlp.get_pipe_meta(name).factory for name in nlp.pipe_names}


def _complete(nlp: Language) -> tuple[str, tuple[str, ...]]:
    """Add a sentencizer and the simplemma lemmatizer where the pipeline lacks them."""
    factories = _factories(nlp)
    added: list[str] = []
    if not SENTENCE_FACTORIES & set(factories.values()):
        nlp.add_pipe("sentencizer", first=True)
        added.append("sentencizer")
    own = [name for name, factory in factories.items() if factory in LEMMATIZER_FACTORIES]
    if own:
        lemmatizer = "simplemma" if factories[own[0]] == FACTORY else own[0]
    else:
        lang = nlp.lang if nlp.lang in {"nl", "en", "de", "fr"} else "nl"
        nlp.add_pipe(FACTORY, config={"lang": lang})
        added.append(FACTORY)
        lemmatizer = "simplemma"
    return lemmatizer, tuple(added)


def apply_stop_words(nlp: Language) -> None:
    """Make ``token.is_stop`` follow the project stop list in this pipeline's vocabulary.

    Only this pipeline's lexemes change (spaCy's global Dutch defaults are untouched).
    """
    ours = stop_words()
    for word in ours | set(nlp.Defaults.stop_words):
        is_stop = word in ours
        for form in {word, word.capitalize(), word.upper()}:
            nlp.vocab[form].is_stop = is_stop


def blank_pipeline() -> Language:
    """``spacy.blank("nl")`` with a sentencizer and the simplemma lemmatizer."""
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(FACTORY, config={"lang": "nl"})
    return nlp


def _load(name: str) -> Language:
    try:
        return spacy.load(name)
    except (OSError, ValueError, KeyError) as exc:
        raise VerhalenError(
            f"--spacy-model {name!r}: spaCy could not load this pipeline ({exc}) — allowed: "
            "'auto', 'blank', an installed spaCy package such as nl_core_news_sm, or a folder "
            "written by nlp.to_disk(); check the name or path, or use 'auto'"
        ) from exc


def load_pipeline(name: str = "auto") -> tuple[Language, PipelineInfo]:
    """Load the NLP pipeline and say which one runs.

    Parameters
    ----------
    name
        ``"auto"`` (``nl_core_news_sm`` if installed, else the blank pipeline), ``"blank"``,
        the name of an installed spaCy package, or a path to a pipeline folder.

    Returns
    -------
    nlp : spacy.language.Language
        The pipeline, with a sentencizer and the simplemma lemmatizer added if needed, and
        ``token.is_stop`` following the project stop list.
    info : PipelineInfo
        What runs (also logged once at INFO level on logger ``verhalen.nlp``).

    Raises
    ------
    VerhalenError
        If ``name`` is neither ``auto``/``blank``, an installed package nor a pipeline folder,
        or if spaCy cannot load it.
    """
    name = (name or "auto").strip()
    note = ""
    source: Literal["package", "path", "blank"]
    if name == "auto":
        if spacy.util.is_package(PREFERRED_PACKAGE):
            nlp, source, shown = _load(PREFERRED_PACKAGE), "package", PREFERRED_PACKAGE
        else:
            nlp, source, shown = blank_pipeline(), "blank", "blank:nl"
            note = f"{PREFERRED_PACKAGE} is not installed"
    elif name in BLANK_NAMES:
        nlp, source, shown = blank_pipeline(), "blank", "blank:nl"
    elif Path(name).expanduser().is_dir():
        path = Path(name).expanduser()
        nlp, source, shown = _load(str(path)), "path", str(path)
    elif spacy.util.is_package(name):
        nlp, source, shown = _load(name), "package", name
    else:
        raise VerhalenError(
            f"--spacy-model {name!r}: no installed spaCy package and no folder of that name — "
            "allowed: 'auto', 'blank', an installed package (e.g. nl_core_news_sm) or a folder "
            "written by nlp.to_disk(); check the spelling or the path"
        )
    if nlp.lang != "nl":
        note = f"language {nlp.lang!r}, not Dutch"
    lemmatizer, added = _complete(nlp)
    apply_stop_words(nlp)
    info = PipelineInfo(
        name=shown,
        version=str(nlp.meta.get("version", "")),
        source=source,
        components=tuple(nlp.pipe_names),
        lemmatizer=lemmatizer,
        added=added,
        fingerprint=pipeline_fingerprint(nlp),
        note=note,
    )
    logger.info(info.describe())
    return nlp, info


def warmup(name: str = "auto") -> PipelineInfo:
    """Load the pipeline once and lemmatise a sentence, so first use later is fast.

    Loads spaCy's language data and simplemma's Dutch dictionary (used by ``verhalen warmup``).

    Returns
    -------
    PipelineInfo
        The pipeline that ``name`` resolves to.
    """
    nlp, info = load_pipeline(name)
    nlp("De kinderen speelden, en de moeders dronken koffie.")
    return info
