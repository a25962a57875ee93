"""Regular-expression detectors: e-mail, phone numbers, postcodes, BSN, ids, dates, addresses.

These catch identifiers with a fixed shape, which lists and NER models miss or cut short:
``06-38517264``, ``+31 (0)50 123 45 67``, ``9736 AB``, a BSN that passes the *elfproef*,
``NL91ABNA0417164300``, ``geboren op 14 februari 2022``, ``Zwaluwlaan 23`` and
``Veenlustlaan, nummer 52``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from verhalen.privacy.detect import DetectContext, Detection
from verhalen.privacy.normalise import STOP_WORDS, Kind, is_common_word, is_sentence_start

MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    "|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
STREET_SUFFIXES = (
    "straat|straatje|weg|laan|laantje|plein|pleintje|dijk|pad|hof|singel|kade|gracht|dreef"
    "|steeg|markt|baan|plantsoen|diep|diepje|wal|ring|boulevard|allee|erf|akkers?|velden"
)
_SEP = r"[ .\-]?"

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?!\w)")
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_])(?!\w)")
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)31[ .\-]?(?:\(0\)[ .\-]?)?|\(?0)"
    rf"(?:6{_SEP}(?:\d{_SEP}){{7}}\d"
    rf"|[1-57-9]\d\)?{_SEP}(?:\d{_SEP}){{6}}\d"
    rf"|[1-57-9]\d\d\)?{_SEP}(?:\d{_SEP}){{5}}\d"
    rf"|(?:800|900|906|909|8[78]\d){_SEP}(?:\d{_SEP}){{3,6}}\d)"
    r"(?![\d\w])"
)
POSTCODE = re.compile(
    r"(?<![\w-])[1-9]\d{3} ?(?!S[ADS])[A-Z]{2}(?![\w])|(?<![\w-])[1-9]\d{3}"
    r"(?!s[ads])[a-z]{2}(?![\w])"
)
BSN_CANDIDATE = re.compile(r"(?<![\d.\-])(\d{3}[ .\-]?\d{2,3}[ .\-]?\d{3})(?![\d])")
BSN_CONTEXT = re.compile(r"(?i)\b(bsn|burgerservicenummer|sofi-?nummer)\b")
IBAN = re.compile(r"(?<![\w])NL ?\d{2} ?[A-Z]{4}(?: ?\d){10}(?!\d)", re.IGNORECASE)
LONG_NUMBER = re.compile(r"(?<![\w.,\-])\d{7,}(?![\w.,]\d)")
NUMBERED_ID = re.compile(
    r"(?i)\b(?:klant|dossier|cli[eë]nt|polis|pas|lid|v-|vreemdelingen|zaak|referentie|"
    r"personeels|leerling|patiënt|patient)nummer\s*(?:is|was|:)?\s*([A-Z0-9][A-Z0-9\-./]{3,})"
)
PLATE = re.compile(
    r"(?<![\w-])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{1,3}-[A-Z0-9]{2,3}"
    r"-[A-Z0-9]{1,3}(?![\w-])"
)
DATE_TEXT = re.compile(rf"(?i)(?<![\w])\d{{1,2}}\s+(?:{MONTHS})\.?\s+(?:19|20)\d\d(?!\d)")
DATE_NUMERIC = re.compile(
    r"(?<![\w\-/.])(?:0?[1-9]|[12]\d|3[01])([-/.])(?:0?[1-9]|1[0-2])\1(?:(?:19|20)\d\d|\d\d)"
    r"(?![\w\-/]|\.\d)"
)
DATE_ISO = re.compile(
    r"(?<![\w\-])(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?![\w\-])"
)
BIRTH = re.compile(
    rf"(?i)\b(?:geboren|jarig|verjaardag|geboortedatum|geb\.)\b[^.\n]{{0,25}}?"
    rf"(?<![\w])(\d{{1,2}}\s+(?:{MONTHS})\.?(?:\s+(?:19|20)\d\d)?|(?:{MONTHS})\s+(?:19|20)\d\d)"
    rf"(?![\w])"
)
STREET_NUMBER = re.compile(
    rf"(?<![\w-])([A-ZÀ-Ý][\w'’\-]*?(?:{STREET_SUFFIXES}))"
    r"(?:,?\s*(?:huisnummer|nummer|nr\.?|no\.?)?\s*)(\d{1,4}(?:\s?[a-zA-Z](?![\w])|-\d{1,3})?)"
    r"(?![\w,.]\d)"
)
STREET_ALONE = re.compile(
    r"(?<![\w-])[A-ZÀ-Ý][\w'’\-]{2,}"
    r"(?:straat|straatje|weg|laan|plein|dijk|pad|singel|kade|gracht|dreef|steeg)(?![\w-])"
)
PREP_NAME_NUMBER = re.compile(
    r"(?<![\w])(?:op|aan|in|bij|naar|van|tegenover|naast)\s+(?:(?:de|het|'t)\s+)?"
    r"((?:[A-ZÀ-Ý][\w'’\-]+\s+){0,2}[A-ZÀ-Ý][\w'’\-]+)\s+"
    r"(?:(?:huisnummer|nummer|nr\.?)\s*)?(\d{1,4}[a-zA-Z]?)(?![\w,.]\d|\w)"
    r"(?!\s*(?:jaar|keer|uur|minuten|euro|kinderen|weken|maanden|dagen|%|procent|kilo))"
)
POSTBUS = re.compile(r"(?i)\bpostbus\s+\d{1,5}\b")

# Speed-ups that never change a result. Most patterns can only start at a digit (or ``@``,
# ``+``, ``(``), which are rare in interviews: they are tried only there (:func:`scan`).
# Others need a word that is rarely said: they are skipped when it does not occur.
_DIGIT = re.compile(r"\d")
_FIRST: dict[re.Pattern[str], re.Pattern[str]] = {
    HANDLE: re.compile("@"),
    PHONE: re.compile(r"[+0(]"),
    POSTCODE: re.compile("[1-9]"),
    BSN_CANDIDATE: _DIGIT,
    LONG_NUMBER: _DIGIT,
    DATE_TEXT: _DIGIT,
    DATE_NUMERIC: _DIGIT,
    DATE_ISO: re.compile("[12]"),
}
_NEEDS: dict[re.Pattern[str], re.Pattern[str]] = {
    EMAIL: re.compile("@"),
    NUMBERED_ID: re.compile("(?i)nummer"),
    POSTBUS: re.compile("(?i)postbus"),
}


def scan(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The same matches as ``pattern.finditer(text)``, found faster.

    A pattern in ``_NEEDS`` is only run if its required word occurs. A pattern in
    ``_FIRST`` (whose matches can only start at a character its first-character pattern
    matches, and are never empty) is tried only at those characters, left to right, never
    inside an earlier match — what ``finditer`` does. Lookbehinds still see the text before
    the position tried.
    """
    needs = _NEEDS.get(pattern)
    if needs is not None and needs.search(text) is None:
        return iter(())
    first = _FIRST.get(pattern)
    if first is None:
        return pattern.finditer(text)
    return scan_from(pattern, first, text)


def scan_from(
    pattern: re.Pattern[str], first: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose matches are never empty and only start
    where ``first`` matches one character: only those positions are tried."""
    end = 0
    for candidate in first.finditer(text):
        pos = candidate.start()
        if pos < end:
            continue
        m = pattern.match(text, pos)
        if m is not None:
            yield m
            end = m.end()


def elfproef(digits: str) -> bool:
    """Whether a 9-digit number passes the BSN eleven test (weights 9…2 and -1)."""
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    total -= int(digits[8])
    return total % 11 == 0


class PatternDetector:
    """All shape-based detectors together (source ``"patroon"``)."""

    name = "patroon"

    def detect(self, text: str, context: DetectContext) -> list[Detection]:
        found: list[Detection] = []

        def add(start: int, end: int, kind: Kind) -> None:
            found.append(Detection(start, end, text[start:end], kind, self.name))

        for m in scan(EMAIL, text):
            add(m.start(), m.end(), Kind.email)
        for m in scan(HANDLE, text):
            add(m.start(), m.end(), Kind.id)
        for m in scan(PHONE, text):
            add(m.start(), m.end(), Kind.telefoon)
        for m in scan(POSTCODE, text):
            add(m.start(), m.end(), Kind.postcode)
        for m in scan(BSN_CANDIDATE, text):
            digits = re.sub(r"\D", "", m.group(1))
            window = text[max(0, m.start() - 40) : m.start()]
            if elfproef(digits) or BSN_CONTEXT.search(window):
                add(m.start(1), m.end(1), Kind.id)
        for pattern in (IBAN, LONG_NUMBER, PLATE):
            for m in scan(pattern, text):
                add(m.start(), m.end(), Kind.id)
        for m in scan(NUMBERED_ID, text):
            add(m.start(1), m.end(1), Kind.id)
        for pattern in (DATE_TEXT, DATE_NUMERIC, DATE_ISO):
            for m in scan(pattern, text):
                add(m.start(), m.end(), Kind.datum)
        for m in scan(BIRTH, text):
            add(m.start(1), m.end(1), Kind.datum)
        found.extend(self._addresses(text))
        return found

    def _addresses(self, text: str) -> list[Detection]:
        found: list[Detection] = []

        def add(start: int, end: int) -> None:
            start = _extend_street(text, start)
            found.append(Detection(start, end, text[start:end], Kind.adres, self.name))

        for m in STREET_NUMBER.finditer(text):
            street = m.group(1)
            if is_sentence_start(text, m.start()) and is_common_word(street):
                continue
            add(m.start(), m.end())
        for m in STREET_ALONE.finditer(text):
            if is_sentence_start(text, m.start()) and is_common_word(m.group(0)):
                continue
            add(m.start(), m.end())
        for m in PREP_NAME_NUMBER.finditer(text):
            name = m.group(1)
            last = name.split()[-1]
            if is_common_word(last) and not re.search(rf"(?:{STREET_SUFFIXES})$", last):
                continue
            add(m.start(1), m.end(2))
        for m in scan(POSTBUS, text):
            add(m.start(), m.end())
        return found


_STREET_LEAD = re.compile(
    r"((?:[A-ZÀ-Ý][\w'’.\-]*\s+(?:(?:van|de|der|den|het|'t|ter|ten)\s+)*){1,3})$"
)


#: Particles inside street names (``Van Iddekingeweg``), never cut from the start.
PARTICLES = frozenset({"van", "de", "der", "den", "het", "'t", "ter", "ten", "sint", "st."})


def _extend_street(text: str, start: int) -> int:
    """Include the capitalised words of a street name before its last word.

    ``Van Iddekingeweg``, ``Oude Ebbingestraat``, ``Gedempte Zuiderdiep``: leading words
    that are function words (``En``, ``Op``) are not part of the name.
    """
    m = _STREET_LEAD.search(text[max(0, start - 60) : start])
    if m is None:
        return start
    lead_start = start - len(m.group(1))
    for word in re.finditer(r"\S+\s+", m.group(1)):
        token = word.group(0).strip()
        if token.casefold() not in PARTICLES and (
            token.casefold() in STOP_WORDS
            or (is_sentence_start(text, lead_start) and is_common_word(token))
        ):
            lead_start += len(word.group(0))
            continue
        break
    return lead_start
