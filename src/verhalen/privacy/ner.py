"""Optional named-entity recognisers: spaCy (a trained Dutch pipeline) and Frog.

Neither is required. spaCy's NER is used only when a *trained* Dutch pipeline is
installed (``nl_core_news_sm``/``md``/``lg``, detected with :func:`spacy.util.is_package`)
or when a pipeline is passed in; a blank pipeline has no NER. Frog (the Dutch NLP suite,
Debian package ``frog``) is used when its ``frog`` program is on the ``PATH``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from verhalen.errors import VerhalenError
from verhalen.privacy.detect import DetectContext, Detection
from verhalen.privacy.normalise import Kind

TRAINED_PIPELINES = ("nl_core_news_lg", "nl_core_news_md", "nl_core_news_sm")
SPACY_LABELS = {
    "PERSON": Kind.naam,
    "PER": Kind.naam,
    "GPE": Kind.plaats,
    "LOC": Kind.plaats,
    "ORG": Kind.instelling,
    "FAC": Kind.adres,
}
FROG_LABELS = {"per": Kind.naam, "loc": Kind.plaats, "org": Kind.instelling}


def trained_spacy_pipeline(configured: str = "auto") -> str | None:
    """The name of an installed trained Dutch spaCy pipeline, or ``None``.

    ``configured`` is ``[nlp] spacy_model`` from ``verhalen.toml``: ``"auto"`` tries the
    usual Dutch pipelines, largest first; any other name is used only if installed.
    """
    import spacy

    names = TRAINED_PIPELINES if configured in ("", "auto", "blank") else (configured,)
    return next((name for name in names if spacy.util.is_package(name)), None)


class SpacyDetector:
    """PERSON / GPE / LOC / ORG entities of a spaCy pipeline that has an ``ner`` step.

    Parameters
    ----------
    nlp
        A loaded pipeline; it must recognise entities (a trained ``ner`` component or an
        ``entity_ruler``).
    """

    name = "spacy"

    def __init__(self, nlp: Any) -> None:
        if not ({"ner", "entity_ruler", "span_ruler"} & set(nlp.pipe_names)):
            raise VerhalenError(
                f"spaCy pipeline {nlp.meta.get('name', '?')!r} has no named-entity step "
                f"(its steps: {', '.join(nlp.pipe_names) or 'none'}) — install a trained "
                "Dutch pipeline such as nl_core_news_sm, or leave spaCy out"
            )
        self.nlp = nlp

    @classmethod
    def from_installed(cls, configured: str = "auto") -> SpacyDetector | None:
        """A detector for the installed trained Dutch pipeline, or ``None`` if there is none."""
        name = trained_spacy_pipeline(configured)
        if name is None:
            return None
        import spacy

        return cls(spacy.load(name, exclude=["parser", "lemmatizer", "textcat"]))

    def detect(self, text: str, context: DetectContext) -> list[Detection]:
        doc = self.nlp(text)
        return [
            Detection(ent.start_char, ent.end_char, ent.text, SPACY_LABELS[ent.label_], self.name)
            for ent in doc.ents
            if ent.label_ in SPACY_LABELS
        ]


def frog_available() -> str | None:
    """The path of the ``frog`` program, or ``None`` when Frog is not installed."""
    return shutil.which("frog")


def parse_frog_output(text: str, output: str) -> list[Detection]:
    """Turn Frog's tab-separated output (token in column 2, NER in column 7) into spans.

    Tokens are located in ``text`` in order, so offsets refer to the original text.
    """
    found: list[Detection] = []
    pos = 0
    current: tuple[int, int, Kind] | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            start, end, kind = current
            found.append(Detection(start, end, text[start:end], kind, "frog"))
        current = None

    for line in output.splitlines():
        cols = line.split("\t")
        if len(cols) < 7:
            close()
            continue
        token, tag = cols[1], cols[6].strip()
        at = text.find(token, pos)
        if at < 0:
            close()
            continue
        pos = at + len(token)
        prefix, _, label = tag.partition("-")
        kind = FROG_LABELS.get(label.lower())
        if kind is None or prefix not in ("B", "I"):
            close()
            continue
        if prefix == "I" and current is not None and current[2] == kind:
            current = (current[0], pos, kind)
        else:
            close()
            current = (at, pos, kind)
    close()
    return found


class FrogDetector:
    """Person, location and organisation names found by Frog's NER (when installed)."""

    name = "frog"

    def __init__(self, program: str | None = None, timeout: float = 300.0) -> None:
        found = program or frog_available()
        if found is None:
            raise VerhalenError(
                "Frog is not installed (no `frog` program on the PATH) — "
                "install the Debian package `frog`, or leave Frog out"
            )
        self.program = found
        self.timeout = timeout

    def detect(self, text: str, context: DetectContext) -> list[Detection]:
        with tempfile.TemporaryDirectory(prefix="verhalen-frog-") as tmp:
            source = Path(tmp) / "in.txt"
            target = Path(tmp) / "out.tsv"
            source.write_text(text, encoding="utf-8")
            try:
                subprocess.run(
                    [self.program, "-t", str(source), "-o", str(target), "--skip=mpc"],
                    check=True,
                    capture_output=True,
                    timeout=self.timeout,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                raise VerhalenError(
                    f"Frog failed ({type(exc).__name__}) — run `frog --help` "
                    "to check the installation, or leave Frog out"
                ) from None
            return parse_frog_output(text, target.read_text(encoding="utf-8"))
