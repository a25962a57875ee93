"""The calibration report of a round: HTML and Markdown, in Dutch.

The report shows agreement overall and per code with 95% bootstrap intervals, notes on
figures that are not meaningful (prevalence paradox, too few segments, unused codes), the
concrete segments the coders disagree on with each coder's codes and memos side by side,
and the decisions recorded for the round. It quotes transcript fragments, so it is an
internal document of the research team (the report says so at the top).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from verhalen.calibrate.analysis import AgreementResult, CodeResult, Estimate
from verhalen.calibrate.disagreements import CodeDisagreements
from verhalen.calibrate.notes import interpretation, num
from verhalen.calibrate.rounds import CalibrationRound
from verhalen.io import atomic_write_text

OVERALL_ROWS = (
    ("percent_agreement", "Percentage overeenstemming"),
    ("krippendorff_alpha", "Krippendorffs alfa (per code aanwezig/afwezig)"),
    ("masi_alpha", "Krippendorffs alfa, hele codeset (MASI)"),
    ("fleiss_kappa", "Fleiss' kappa"),
    ("gwet_ac1", "Gwets AC1"),
    ("brennan_prediger", "Brennan-Prediger"),
)

STRATA_NL = {
    "practice": "praktijk",
    "role": "rol",
    "transcript_id": "interview",
    "participant_id": "deelnemer",
    "speaker": "spreker",
}


def interval(est: Estimate | None) -> str:
    """``[0,55; 0,86]`` or an en dash."""
    if est is None or est.low is None or est.high is None:
        return "–"
    return f"[{num(est.low)}; {num(est.high)}]"


def fmt(est: Estimate | None) -> str:
    """``0,72 [0,55; 0,86]``."""
    if est is None:
        return "–"
    ci = interval(est)
    return num(est.estimate) + ("" if ci == "–" else f" {ci}")


def _cohen(result: CodeResult) -> str:
    return " / ".join(num(e.estimate) for e in result.cohen.values()) or "–"


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("verhalen", "templates/calibrate"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.globals.update(
        num=num, fmt=fmt, interval=interval, cohen=_cohen, interpretation=interpretation
    )
    return env


def render_report(
    round_: CalibrationRound,
    result: AgreementResult,
    disagreements: Sequence[CodeDisagreements],
    *,
    generated: str,
) -> tuple[str, str]:
    """The report as ``(html, markdown)``.

    Parameters
    ----------
    round_
        The round (coders, sample, codebook version, decisions).
    result
        Its agreement (:func:`verhalen.calibrate.analysis.compute_agreement`).
    disagreements
        Its disagreements (:func:`verhalen.calibrate.disagreements.find_disagreements`).
    generated
        When the report was made, as shown (e.g. ``"21-11-2026"``).
    """
    context = {
        "round": round_,
        "result": result,
        "disagreements": list(disagreements),
        "generated": generated,
        "overall_rows": OVERALL_ROWS,
        "strata": " × ".join(STRATA_NL.get(s, s) for s in round_.stratify),
        "has_alpha_u": any(r.alpha_u is not None for r in result.per_code),
        "pairs": [
            f"{a} – {b}" for i, a in enumerate(result.coders) for b in result.coders[i + 1 :]
        ],
    }
    html = _environment(True).get_template("report.html.j2").render(context)
    markdown = _environment(False).get_template("report.md.j2").render(context)
    return html, _tidy_markdown(markdown)


def _tidy_markdown(text: str) -> str:
    """Collapse runs of blank lines left by template logic."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


def write_report(
    folder: str | Path,
    round_: CalibrationRound,
    result: AgreementResult,
    disagreements: Sequence[CodeDisagreements],
    *,
    generated: str,
) -> tuple[Path, Path]:
    """Write ``<folder>/<round>.html`` and ``<round>.md`` atomically; returns both paths."""
    html, markdown = render_report(round_, result, disagreements, generated=generated)
    folder = Path(folder)
    html_path, md_path = folder / f"{round_.id}.html", folder / f"{round_.id}.md"
    atomic_write_text(html_path, html)
    atomic_write_text(md_path, markdown)
    return html_path, md_path
