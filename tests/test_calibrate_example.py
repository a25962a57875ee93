"""The example project's two calibration rounds: the session date decides what counts."""

from __future__ import annotations

from pathlib import Path

from verhalen.calibrate.rounds import load_rounds, save_rounds
from verhalen.calibrate.session import report_round, rounds_path
from verhalen.codebook import load_project_codebook
from verhalen.project import Project


def _alpha(result: object, code: str) -> float:
    summary = result.summary()  # type: ignore[attr-defined]
    return float(summary["per_code"][code]["krippendorff_alpha"]["estimate"])


def test_round_one_sees_codings_as_they_stood_at_the_session(example_project: Path) -> None:
    assert (example_project / "calibration" / "rounds.json").is_file()  # copied by the fixture
    project = Project.open(example_project)
    project.ingest()
    codebook = load_project_codebook(project)
    before, _, _ = report_round(project, codebook, "r1", n_boot=20, n_boot_cohen=0)
    # Coder B confused herkenning with ervaringen_delen until session 1 (6 May 2025) ...
    assert _alpha(before, "herkenning") < 0.2
    # ... and corrected it afterwards: without the session date, the round sees the fix.
    rounds = load_rounds(rounds_path(project))
    rounds[0] = rounds[0].model_copy(update={"session_date": None})
    save_rounds(rounds_path(project), rounds)
    after, _, _ = report_round(project, codebook, "r1", n_boot=20, n_boot_cohen=0)
    assert _alpha(after, "herkenning") > 0.9
    assert (example_project / "reports" / "calibratie" / "r1.html").is_file()
