"""Proper-noun heuristics for what lists and models miss in Dutch interviews.

* an institution word followed by a name: ``Stichting Kleine Stappen``, ``Hogeschool de
  Veenkolonie`` (words from the project list, kind ``instellingswoord``);
* a name followed by a business word: ``Kooistra Transport`` (``instellingsachtervoegsel``);
* a name followed by a compass point: ``Budgetwijzer Oost``;
* a capitalised article inside a sentence: ``naar De Tweesprong``, ``in De Wieken``;
* an unknown capitalised word inside a sentence (not a Dutch word, not on the list of
  harmless words such as languages and holidays): ``Krakeel``, ``Trijntje``;
* a lower-case first name that is not also an ordinary word: ``ik en samira``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from verhalen.privacy.detect import DetectContext, Detection
from verhalen.privacy.normalise import Kind, fold_key, is_common_word, is_sentence_start
from verhalen.privacy.patterns import scan_from

CAP = r"[A-ZÀ-Ý][\w'’&\-]*"
LINK = r"(?:de|het|van|voor|der|den|'t)"
NAME_RUN = rf"{CAP}(?:\s+(?:{LINK}\s+)?{CAP}){{0,3}}"
COMPASS = r"(?:Noord|Oost|Zuid|West|Centrum|Midden)"
LOCATIVE = re.compile(
    r"(?i)\b(?:in|uit|naar|vanuit|richting|te|rond|woon\w*|verhuisd\w*"
    r"|wijk|buurt|dorp)\s+(?:(?:de|het)\s+)?$"
)
DWELLING = re.compile(
    r"(?i)\b(?:woon\w*|verhuis\w*|wijk|buurt|dorp|kom\w* uit|opgegroeid)\b"
    r"[^.\n]{0,25}$"
)
LETTER = r"[^\W\d_]"
WORD = re.compile(rf"(?<![\w'’@.\-])({LETTER}+(?:['’]{LETTER}+)?(?:-{LETTER}+)*)(?![\w@])")
#: Every upper-case letter (and more): where a capitalised word can start.
MAYBE_UPPER = re.compile(r"[A-Z]|[^\x00-\x7f]")
LOWER_WORD = re.compile(rf"(?<![\w'’@.\-])({LETTER}{{3,}})(?![\w@\-])")
#: Compound words that head an institution's name: ``Dansschool Reflex``.
INSTITUTION_HEADS = (
    "school|bedrijf|bank|vereniging|stichting|centrum|praktijk|opvang|kliniek|club|team|punt"
    "|winkel|huis|zorg|groep|kantoor|bureau|fonds|dienst|instituut"
)
#: Words around a lower-case first name that show it is a person (``met samira``).
NAME_BEFORE = re.compile(
    r"(?i)\b(?:met|en|van|bij|voor|aan|zei|heet|heette|genaamd|dochter|zoon|man|vrouw|"
    r"vriendin|vriend|zus|zusje|broer|broertje|juf|oma|opa|tante|oom|mevrouw|meneer|"
    r"buurvrouw|buurman|moeder|vader|schoonmoeder|kleinzoon|kleindochter|collega)\s+$"
)
NAME_AFTER = re.compile(
    r"(?i)^\s*(?:zei|zegt|vroeg|vraagt|vertelde|belde|appte|heeft|had|"
    r"kwam|komt|was|is|en|die|zelf|ook)\b"
)

DEFAULT_INSTITUTION_WORDS = (
    "Stichting",
    "Hogeschool",
    "Basisschool",
    "School",
    "Kindcentrum",
    "Kinderopvang",
    "Kinderdagverblijf",
    "Peuterspeelzaal",
    "Buurthuis",
    "Wijkcentrum",
    "Dorpshuis",
    "Gezondheidscentrum",
    "Huisartsenpraktijk",
    "Vereniging",
    "Zorggroep",
    "Woonstichting",
    "Scholengemeenschap",
    "Universiteit",
    "Moskee",
    "Kerk",
    "Speeltuin",
)
DEFAULT_BUSINESS_WORDS = (
    "Transport",
    "B.V.",
    "BV",
    "Bouw",
    "Installatie",
    "Techniek",
    "Logistiek",
    "Schoonmaak",
    "Holding",
    "Groep",
    "Thuiszorg",
    "Makelaardij",
    "Administratie",
)


class HeuristicDetector:
    """Proper-noun heuristics (source ``"heuristiek"``), configured by the project lists."""

    name = "heuristiek"

    def __init__(
        self,
        institution_words: Iterable[str] = DEFAULT_INSTITUTION_WORDS,
        business_words: Iterable[str] = DEFAULT_BUSINESS_WORDS,
        harmless: Iterable[str] = (),
        places: Iterable[str] = (),
        first_names: Iterable[str] = (),
    ) -> None:
        inst = sorted({w.strip() for w in institution_words if w.strip()}, key=len, reverse=True)
        biz = sorted({w.strip() for w in business_words if w.strip()}, key=len, reverse=True)
        self.harmless = {fold_key(w) for w in harmless}
        self.places = {fold_key(p) for p in places}
        self.first_names = {fold_key(n) for n in first_names}
        self._harmless_prefixes = tuple(h for h in self.harmless if len(h) >= 5 and " " not in h)
        inst_alt = "|".join(re.escape(w) for w in inst) or "(?!)"
        biz_alt = "|".join(re.escape(w) for w in biz) or "(?!)"
        self._institution = re.compile(rf"(?<![\w])(?i:{inst_alt})\s+(?:{LINK}\s+)?{NAME_RUN}")
        self._business = re.compile(rf"(?<![\w])(?:{CAP}\s+){{1,2}}(?:{biz_alt})(?![\w])")
        self._compass = re.compile(rf"(?<![\w])({CAP}(?:\s+{CAP})?)\s+{COMPASS}(?![\w])")
        self._article = re.compile(rf"(?<![\w])(?:De|Het|'t|Den)\s+{NAME_RUN}")
        self._compound = re.compile(
            rf"(?<![\w])[A-ZÀ-Ý]\w*(?:{INSTITUTION_HEADS})\s+(?:{LINK}\s+)?{NAME_RUN}"
        )

    @staticmethod
    def _lead(text: str, start: int, end: int) -> int:
        """``start`` moved past leading words that only start the sentence (``Bij``, ``En``)."""
        while True:
            m = re.match(r"(\S+)\s+", text[start:end])
            if m is None or not is_sentence_start(text, start) or not is_common_word(m.group(1)):
                return start
            start += m.end()

    def _harmless(self, phrase: str) -> bool:
        return fold_key(phrase) in self.harmless

    def _harmless_word(self, key: str) -> bool:
        """A harmless word, or a compound starting with one (``Pokémonkaarten``)."""
        if key in self.harmless or key.split("-")[0] in self.harmless:
            return True
        return key.startswith(self._harmless_prefixes)

    def detect(self, text: str, context: DetectContext) -> list[Detection]:
        found: list[Detection] = []

        def add(start: int, end: int, kind: Kind) -> None:
            found.append(Detection(start, end, text[start:end], kind, self.name))

        for m in self._institution.finditer(text):
            if not self._harmless(m.group(0)):
                found.append(
                    Detection(m.start(), m.end(), m.group(0), Kind.instelling, "instellingspatroon")
                )
        for pattern in (self._business, self._compound):
            for m in pattern.finditer(text):
                start = self._lead(text, m.start(), m.end())
                if len(text[start : m.end()].split()) >= 2 and not self._harmless(m.group(0)):
                    found.append(
                        Detection(
                            start,
                            m.end(),
                            text[start : m.end()],
                            Kind.instelling,
                            "instellingspatroon",
                        )
                    )
        for m in self._compass.finditer(text):
            start = self._lead(text, m.start(), m.end())
            head = text[start : m.end(1)]
            if start >= m.end(1) or self._harmless(head):
                continue
            add(start, m.end(), Kind.wijk if fold_key(head) in self.places else Kind.instelling)
        for m in self._article.finditer(text):
            words = [w for w in m.group(0).split()[1:] if w[:1].isupper()]
            if (
                is_sentence_start(text, m.start())
                or self._harmless(m.group(0))
                or all(self._harmless_word(fold_key(w)) for w in words)
            ):
                continue
            before = text[max(0, m.start() - 40) : m.start()]
            add(m.start(), m.end(), Kind.wijk if DWELLING.search(before) else Kind.instelling)
        found.extend(self._unknown_words(text))
        found.extend(self._lower_names(text))
        return found

    def _unknown_words(self, text: str) -> list[Detection]:
        found: list[Detection] = []
        for m in scan_from(WORD, MAYBE_UPPER, text):
            word = m.group(1)
            if len(word) < 3 or not word[0].isupper() or word.isupper():
                continue
            if is_sentence_start(text, m.start()):
                continue
            key = fold_key(word)
            if self._harmless_word(key):
                continue
            if all(is_common_word(part) for part in word.split("-")):
                continue
            before = text[max(0, m.start() - 30) : m.start()]
            if key in self.places or LOCATIVE.search(before):
                kind = Kind.wijk if DWELLING.search(before) else Kind.plaats
            else:
                kind = Kind.naam
            found.append(Detection(m.start(), m.end(), word, kind, self.name))
        return found

    def _lower_names(self, text: str) -> list[Detection]:
        if not self.first_names:
            return []
        found: list[Detection] = []
        for m in LOWER_WORD.finditer(text):
            word = m.group(1)
            if not word.islower() or len(word) < 4:
                continue
            key = fold_key(word)
            if key not in self.first_names or is_common_word(word) or self._harmless_word(key):
                continue
            if NAME_BEFORE.search(text[max(0, m.start() - 20) : m.start()]) or NAME_AFTER.match(
                text[m.end() : m.end() + 15]
            ):
                found.append(Detection(m.start(), m.end(), word, Kind.naam, self.name, "first"))
        return found
