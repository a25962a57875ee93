"""Dutch explanations for agreement figures that are not meaningful.

:func:`verhalen.agreement.diagnose` says *which* problem a table has (its ``kind``); this
module tells the calibration team, in Dutch, what it means and what to do about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from verhalen.agreement import AgreementWarning, ReliabilityData

_NAMES_NL = {
    "percent_agreement": "het percentage overeenstemming",
    "krippendorff_alpha": "Krippendorffs alfa",
    "fleiss_kappa": "Fleiss' kappa",
    "cohen_kappa": "Cohens kappa",
    "gwet_ac1": "Gwets AC1",
    "brennan_prediger": "Brennan-Prediger",
}


@dataclass(frozen=True)
class Note:
    """A remark on the figures, in Dutch, for the report."""

    code: str | None
    kind: str
    message: str
    detail: str = ""
    """A short fact for notes that are combined (e.g. ``"2 van 60"`` for a rare code)."""

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "kind": self.kind, "message": self.message}


_RARE_TAIL = (
    "Kappa en alfa zijn dan instabiel: één verschil meer of minder verandert ze sterk. "
    "Kijk vooral naar de concrete verschillen hieronder."
)


def combine_rare(notes: Sequence[Note]) -> list[Note]:
    """Replace two or more rare-code notes by one note listing the codes."""
    rare = [n for n in notes if n.kind == "rare_code"]
    if len(rare) < 2:
        return list(notes)
    listed = ", ".join(f"{n.code} ({n.detail})" for n in rare)
    combined = Note(
        None,
        "rare_code",
        (
            f"{len(rare)} codes komen zelden voor (of juist bijna altijd) in deze ronde: {listed}. "
            + _RARE_TAIL
        ),
    )
    first = notes.index(rare[0])
    rest = [n for n in notes if n.kind != "rare_code"]
    return [*rest[:first], combined, *rest[first:]]


def pct(value: float) -> str:
    """A share as a Dutch percentage: ``0.875`` → ``"88%"``."""
    return f"{value:.0%}"


def num(value: float | None, digits: int = 2) -> str:
    """A number with a decimal comma, or an en dash when undefined."""
    if value is None or value != value:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def _worst(data: ReliabilityData, coefs: Mapping[str, Any]) -> tuple[str, float] | None:
    keys = ["krippendorff_alpha", "fleiss_kappa"] + (["cohen_kappa"] if data.n_coders == 2 else [])
    values = {
        k: float(coefs[k]) for k in keys if isinstance(coefs.get(k), float) and coefs[k] == coefs[k]
    }
    if not values:
        return None
    key = min(values, key=lambda k: values[k])
    return key, values[key]


def dutch_notes(
    warnings: Sequence[AgreementWarning],
    data: ReliabilityData,
    coefs: Mapping[str, Any],
    *,
    overall_only: bool = False,
) -> list[Note]:
    """Dutch notes for the warnings :func:`verhalen.agreement.diagnose` gave on ``data``.

    With ``overall_only`` only the notes about the table as a whole (too few segments,
    unequal numbers of coders) are kept.
    """
    counts = data.value_counts()
    pairable = counts.sum(axis=1) >= 2
    n_pairable = int(pairable.sum())
    used = counts[pairable].sum(axis=0)
    out: list[Note] = []
    seen_kinds = {w.kind for w in warnings}
    for w in warnings:
        code = w.code
        what = f"code '{code}'" if code else "deze ronde"
        if w.kind == "too_few_units":
            text = (
                f"Slechts {n_pairable} fragment(en) zijn door twee of meer codeurs gecodeerd. "
                "Met zo weinig fragmenten zijn alle cijfers erg onzeker (zie de brede "
                "intervallen); codeer in een volgende ronde meer fragmenten samen."
            )
        elif w.kind == "unequal_coders":
            text = (
                "Niet elk fragment is door evenveel codeurs gecodeerd (een codeur heeft "
                "rijen overgeslagen of niet ingeleverd). Fleiss' kappa gebruikt dan de "
                "uitbreiding van Gwet voor ontbrekende beoordelingen."
            )
        elif overall_only:
            continue
        elif w.kind == "code_never_used":
            text = (
                f"Geen codeur heeft {what} gebruikt op de gezamenlijk gecodeerde fragmenten; "
                "kappa en alfa zijn dan niet te berekenen (er valt niets te vergelijken)."
            )
        elif w.kind == "code_always_used":
            text = (
                f"Alle codeurs gaven {what} aan elk gezamenlijk gecodeerd fragment; kappa en "
                "alfa zijn dan niet te berekenen. Is de code te breed omschreven?"
            )
        elif w.kind == "single_category":
            text = (
                f"Alle codeurs kozen overal hetzelfde voor {what}; zonder variatie zijn kappa "
                "en alfa niet te berekenen."
            )
        elif w.kind == "rare_code":
            present = float(used[1]) if used.size > 1 else 0.0
            total = float(used.sum())
            detail = f"toegekend in {present:.0f} van {total:.0f}"
            text = (
                f"{what[0].upper()}{what[1:]} komt zelden voor (of juist bijna altijd): "
                f"{detail} beoordelingen ({pct(present / total if total else 0.0)}). " + _RARE_TAIL
            )
            out.append(Note(code, w.kind, text, detail))
            continue
        elif w.kind == "prevalence_paradox":
            worst = _worst(data, coefs)
            pa = coefs.get("percent_agreement", float("nan"))
            low = f"{_NAMES_NL[worst[0]]} maar {num(worst[1])}" if worst else "kappa en alfa laag"
            text = (
                f"Prevalentieparadox bij {what}: de codeurs zijn het in {pct(pa)} van de "
                f"vergelijkingen eens, en toch is {low}. Dat komt doordat de code meestal "
                "níet wordt toegekend. Als één antwoord ('code niet van toepassing') zo vaak "
                "voorkomt, is de kans op toevallige overeenstemming al heel groot; kappa en "
                "alfa corrigeren daarvoor en blijven dan laag, ook al verschillen de "
                "codeurs zelden. Lees dit cijfer daarom samen met het percentage "
                "overeenstemming en met hoe vaak de code voorkomt; Gwets AC1 heeft minder "
                "last van deze paradox."
            )
        elif w.kind == "undefined":
            if seen_kinds & {"code_never_used", "code_always_used", "single_category"}:
                continue
            bad = [
                _NAMES_NL[k]
                for k in _NAMES_NL
                if isinstance(coefs.get(k), float) and coefs[k] != coefs[k]
            ]
            text = (
                f"Voor {what} kon{'den' if len(bad) > 1 else ''} "
                f"{', '.join(bad) or 'niet alle maten'} niet worden berekend (leeg in de "
                "tabel)."
            )
        else:
            text = w.message
        out.append(Note(code, w.kind, text))
    return out


def interpretation(alpha: float | None) -> str:
    """Krippendorff's rule of thumb for alpha, in Dutch."""
    if alpha is None or not np.isfinite(alpha):
        return "niet te berekenen"
    if alpha >= 0.80:
        return "betrouwbaar (≥ 0,80)"
    if alpha >= 0.667:
        return "voorlopig bruikbaar (0,667–0,80)"
    return "onvoldoende (< 0,667)"
