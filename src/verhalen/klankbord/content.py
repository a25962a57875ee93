"""What goes on a klankbord poster: the factor, its kenmerkende elementen and quotes.

Step 5 of the analysis: each factor of a practice is put on a poster for the
klankbordgroepen (mothers, volunteers, professionals; many read Dutch with difficulty).
A poster shows

* the factor's label and whether it is about *what parents get* (inhoudelijk) or *how it
  is done* (procesmatig);
* 3–5 **kenmerkende elementen**: the factor's codes that were coded most often in this
  practice (distinct segments, pooled over coders with the ``any`` rule), phrased with the
  factor's ``kenmerkende_elementen`` where a code matches one (:func:`element_phrases`)
  and with the code's label otherwise. Codes that share a phrase count together. With too
  little coding, the list is filled up with the factor's remaining kenmerkende elementen;
* one or two short quotes (at most 25 words) from different participants, chosen by
  :func:`poster_quotes` from an *already pseudonymised* corpus.

Everything is deterministic: ties are broken by codebook order, never by chance.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from verhalen.config import ProjectConfig
from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.records import Codebook, CodeStatus, Factor, FactorKind

GROUPS: dict[str, str] = {
    "moeders": "Moeders",
    "vrijwilligers": "Vrijwilligers",
    "professionals": "Professionals",
}
"""The three klankbordgroepen: id → Dutch label."""

KIND_TEXT: dict[str, str] = {
    FactorKind.inhoudelijk.value: "Wat ouders eraan hebben",
    FactorKind.procesmatig.value: "Hoe het gebeurt",
    FactorKind.overig.value: "Ook belangrijk",
}

ROLE_WORDS: dict[str, str] = {
    "moeder": "een moeder",
    "vrijwilliger": "een vrijwilliger",
    "jeugdprofessional": "een jeugdprofessional",
}
STAFF_ROLES = ("vrijwilliger", "jeugdprofessional")
STAFF_WORD = "een medewerker"
ANY_WORD = "uit een interview"

PALETTE = ("#1b6ca8", "#c0392b", "#27864a", "#8e44ad", "#b9770e", "#117a65", "#5d6d7e")

_STOPWORDS = frozenset(
    "de het een en van je met in op voor over als tijdens bij aan te of die dat er om tot "  # noqa: SIM905
    "uit naar door is zijn".split()
)
_TAG = re.compile(r"\[([A-Z]+)-\d+\]")


@dataclass(frozen=True)
class PosterSettings:
    """Limits of a poster (defaults follow the issue: 3–5 elements, 1–2 quotes ≤ 25 words)."""

    min_elements: int = 3
    max_elements: int = 5
    n_quotes: int = 2
    min_quote_words: int = 6
    max_quote_words: int = 25
    ideal_quote_words: int = 16


@dataclass(frozen=True)
class Element:
    """A kenmerkende element as shown on a poster.

    ``segments`` is how many of the practice's segments carry one of ``codes``
    (0 for an element added to reach the minimum).
    """

    id: str
    label: str
    codes: tuple[str, ...]
    segments: int


@dataclass(frozen=True)
class PosterQuote:
    """A short pseudonymised quote; ``segment_id`` is kept for the audit trail only."""

    text: str
    attribution: str
    words: int
    segment_id: str


@dataclass(frozen=True)
class Poster:
    """One poster: a factor in a practice."""

    practice: str
    practice_label: str
    factor_id: str
    factor_label: str
    kind: str
    number: int
    color: str
    elements: tuple[Element, ...]
    quotes: tuple[PosterQuote, ...]
    fictional: bool = False

    @property
    def kind_text(self) -> str:
        return KIND_TEXT.get(self.kind, "")


def slug(text: str) -> str:
    """A file- and id-safe slug: ``"Tips en adviezen"`` → ``"tips_en_adviezen"``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_") or "element"


def _tokens(text: str) -> list[str]:
    words = re.split(r"[^a-zà-ÿ]+", text.lower().replace("_", " "))
    return [w for w in words if w and w not in _STOPWORDS]


def _likeness(a: str, b: str) -> int:
    """2 for equal words, 1 for related ones (a compound part or a shared stem), else 0."""
    if a == b:
        return 2
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 5 and short in long_:
        return 1
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return 1 if n >= 6 or (n == len(short) and n >= 4) else 0


def element_phrases(codebook: Codebook, factor: Factor) -> list[tuple[str, tuple[str, ...]]]:
    """The phrases a factor's active codes are shown with, each with its codes.

    A code takes the kenmerkende element whose words best match its label and id: an
    equal word scores 2, a related one 1 (part of a compound, e.g. *samenstelling* in
    *groepssamenstelling*, or a shared stem of six letters, e.g. *ervaringen* ~
    *ervaringsdeskundigen*); stop words are ignored and ties go to the earlier element. A code
    matching none is shown with its own label. Order: the kenmerkende elementen in their
    listed order, then the unmatched code labels in codebook order.
    """
    elements = [(e, _tokens(e)) for e in factor.kenmerkende_elementen if e.strip()]
    by_phrase: dict[str, list[str]] = {e: [] for e, _ in elements}
    for code in codebook.codes:
        if code.status != CodeStatus.active or codebook.factor_of(code.id) != factor.id:
            continue
        words = set(_tokens(code.label) + _tokens(code.id))
        best, best_score = None, 0
        for phrase, phrase_words in elements:
            score = sum(max((_likeness(w, c) for c in words), default=0) for w in phrase_words)
            if score > best_score:
                best, best_score = phrase, score
        by_phrase.setdefault(best if best is not None else code.label, []).append(code.id)
    return [(phrase, tuple(codes)) for phrase, codes in by_phrase.items()]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def select_elements(
    codebook: Codebook,
    factor: Factor,
    coded: pd.DataFrame,
    settings: PosterSettings | None = None,
) -> list[Element]:
    """The 3–5 kenmerkende elementen of a factor in one practice, most coded first.

    Parameters
    ----------
    codebook, factor
        The factor and the codebook its codes live in.
    coded
        Pooled codings of the practice: distinct ``segment_id``/``code_id`` pairs (codes
        already resolved with :meth:`~verhalen.records.Codebook.resolve`).
    settings
        Minimum and maximum number of elements.
    """
    s = settings or PosterSettings()
    counted: list[Element] = []
    used: set[str] = set()
    for phrase, codes in element_phrases(codebook, factor):
        n = int(coded.loc[coded["code_id"].isin(codes), "segment_id"].nunique()) if codes else 0
        element_id, k = slug(phrase), 2
        while element_id in used:  # two phrases with the same slug stay apart
            element_id, k = f"{slug(phrase)}_{k}", k + 1
        used.add(element_id)
        counted.append(Element(element_id, _capital(phrase), codes, n))
    # stable sort: equal counts keep the phrase order (kenmerkende elementen first)
    found = sorted((e for e in counted if e.segments > 0), key=lambda e: -e.segments)
    chosen = found[: s.max_elements]
    if len(chosen) < s.min_elements:
        rest = [e for e in counted if e.segments == 0]
        chosen += rest[: s.min_elements - len(chosen)]
    return chosen


def poster_attribution(role: str, practice: str, corpus: Corpus, config: ProjectConfig) -> str:
    """Who said a quote, without singling anyone out (small-cell rule).

    The reported role (``report.role_mapping``: carers as ``moeder``) is shown only when at
    least ``report.small_cell_k`` participants of the practice have it; otherwise
    volunteers and professionals together are "een medewerker" if they are at least ``k``,
    and else the quote is only marked as coming from an interview.
    """
    k = config.report.small_cell_k
    counts: dict[str, int] = {}
    for p in corpus.participants.values():
        if p.practice == practice:
            reported = config.report_role(p.role)
            counts[reported] = counts.get(reported, 0) + 1
    if role in ROLE_WORDS and counts.get(role, 0) >= k:
        return ROLE_WORDS[role]
    if role in STAFF_ROLES and sum(counts.get(r, 0) for r in STAFF_ROLES) >= k:
        return STAFF_WORD
    return ANY_WORD


def plain_tags(text: str) -> str:
    """Pseudonym tags read as plain words: ``[NAAM-3]`` → ``[naam]``."""
    return _TAG.sub(lambda m: f"[{m.group(1).lower()}]", text)


def poster_quotes(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    codes: Collection[str],
    *,
    codebook: Codebook,
    n: int = 2,
    min_words: int = 6,
    max_words: int = 25,
    ideal_words: int = 16,
    role_mapping: Mapping[str, str] | None = None,
    forbidden: Collection[str] = (),
) -> list[tuple[str, str, int, str]]:
    """Up to ``n`` short quotes from different participants: ``(text, role, words, segment)``.

    The one place posters choose quotes, so the selector can be swapped. It delegates to
    the report's :func:`verhalen.report.quotes.select_quotes` (ranked by typicality, coder
    agreement and length, with a SHA-256 tie-breaker; one quote per participant) with a
    short window of whole sentences (at most ``max_words`` words, "…" marks cuts).
    """
    from verhalen.report.quotes import select_quotes, theme_keywords

    quotes = select_quotes(
        segments,
        codings,
        codes,
        n=n,
        min_words=min_words,
        max_words=max_words,
        ideal_words=ideal_words,
        keywords=theme_keywords(codebook, codes),
        role_mapping=role_mapping,
        forbidden=forbidden,
    )
    return [(plain_tags(q.text), q.role, q.score.words, q.segment_id) for q in quotes]


def _pooled(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    if codings.empty:
        return pd.DataFrame(columns=["segment_id", "code_id"])
    frame = pd.DataFrame(
        {
            "segment_id": codings["segment_id"].astype(str),
            "code_id": [codebook.resolve(str(c)) for c in codings["code_id"]],
        }
    )
    return frame.drop_duplicates().reset_index(drop=True)


def practices_of(corpus: Corpus, config: ProjectConfig, wanted: Sequence[str] | None) -> list[str]:
    """The practices to make material for: configured order first, then the rest sorted."""
    present = {p.practice for p in corpus.participants.values()}
    ordered = [p for p in config.practices if p in present]
    ordered += sorted(present - set(ordered))
    if not wanted:
        return ordered
    unknown = [p for p in wanted if p not in present]
    if unknown:
        raise VerhalenError(
            f"practice {', '.join(map(repr, unknown))} is not in the corpus — choose one of: "
            f"{', '.join(ordered)}"
        )
    return [p for p in ordered if p in wanted]


def factors_of(codebook: Codebook, wanted: Sequence[str] | None) -> list[Factor]:
    """The factors on posters: all but the ``overig`` bucket, or the ones asked for."""
    if not wanted:
        return [f for f in codebook.factors if f.kind != FactorKind.overig]
    unknown = [f for f in wanted if codebook.factor(f) is None]
    if unknown:
        raise VerhalenError(
            f"factor {', '.join(map(repr, unknown))} is not in codebook {codebook.id!r} — "
            f"choose from: {', '.join(f.id for f in codebook.factors)}"
        )
    return [f for f in codebook.factors if f.id in wanted]


def build_posters(
    corpus: Corpus,
    codings: pd.DataFrame,
    codebook: Codebook,
    config: ProjectConfig,
    *,
    practices: Sequence[str] | None = None,
    factors: Sequence[str] | None = None,
    forbidden: Collection[str] = (),
    settings: PosterSettings | None = None,
) -> dict[str, list[Poster]]:
    """The posters of every practice (practice id → posters in codebook order).

    Parameters
    ----------
    corpus
        The **already pseudonymised** corpus (quotes are taken from its segments).
    codings
        Codings of all coders, e.g. ``CodedStore(project.coded_dir).dataframe(codebook)``.
    codebook, config
        The project's codebook and configuration (practice labels, role mapping,
        ``small_cell_k``).
    practices, factors
        Restrict to these ids (default: every practice in the corpus; every factor except
        the ``overig`` bucket).
    forbidden
        Strings never to show in a quote (e.g. real names, a last line of defence).
    settings
        Element and quote limits (:class:`PosterSettings`).
    """
    s = settings or PosterSettings()
    chosen_factors = factors_of(codebook, factors)
    segments = corpus.segments_df()
    pooled = _pooled(codings, codebook)
    out: dict[str, list[Poster]] = {}
    for practice in practices_of(corpus, config, practices):
        segs = segments[segments["practice"] == practice]
        ids = set(segs["segment_id"])
        coded = pooled[pooled["segment_id"].isin(ids)]
        raw = codings[codings["segment_id"].astype(str).isin(ids)] if not codings.empty else codings
        posters = []
        for number, factor in enumerate(chosen_factors, start=1):
            elements = select_elements(codebook, factor, coded, s)
            codes = [c for e in elements for c in e.codes] or [
                c.id for c in codebook.codes if codebook.factor_of(c.id) == factor.id
            ]
            quotes = poster_quotes(
                segs,
                raw,
                codes,
                codebook=codebook,
                n=s.n_quotes,
                min_words=s.min_quote_words,
                max_words=s.max_quote_words,
                ideal_words=s.ideal_quote_words,
                role_mapping=config.report.role_mapping,
                forbidden=forbidden,
            )
            posters.append(
                Poster(
                    practice=practice,
                    practice_label=config.practices.get(practice, practice),
                    factor_id=factor.id,
                    factor_label=factor.label,
                    kind=factor.kind.value,
                    number=number,
                    color=factor.color or PALETTE[(number - 1) % len(PALETTE)],
                    elements=tuple(elements),
                    quotes=tuple(
                        PosterQuote(
                            text, poster_attribution(role, practice, corpus, config), w, sid
                        )
                        for text, role, w, sid in quotes
                    ),
                    fictional=config.project.fictional,
                )
            )
        out[practice] = posters
    return out
