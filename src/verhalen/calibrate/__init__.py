"""Calibration rounds: code the same sample independently, compare, discuss, decide.

* :mod:`~verhalen.calibrate.rounds`: the round records in ``calibration/rounds.json``;
* :mod:`~verhalen.calibrate.analysis`: agreement per code and overall, from codings;
* :mod:`~verhalen.calibrate.disagreements`: the segments coders differ on;
* :mod:`~verhalen.calibrate.report`: the Dutch HTML/Markdown report of a round;
* :mod:`~verhalen.calibrate.trend`: agreement across rounds;
* :mod:`~verhalen.calibrate.session`: the whole workflow on a project (used by the CLI).
"""

from verhalen.calibrate.analysis import AgreementResult, CodeResult, Estimate, compute_agreement
from verhalen.calibrate.disagreements import CodeDisagreements, find_disagreements
from verhalen.calibrate.rounds import CalibrationRound, Decision, RoundStatus, load_rounds

__all__ = [
    "AgreementResult",
    "CalibrationRound",
    "CodeDisagreements",
    "CodeResult",
    "Decision",
    "Estimate",
    "RoundStatus",
    "compute_agreement",
    "find_disagreements",
    "load_rounds",
]
