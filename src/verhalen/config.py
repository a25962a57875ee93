"""Project configuration: ``verhalen.toml`` in the project folder.

A research project is a folder with ``verhalen.toml``, ``codebook/``, ``data/raw/``,
``data/coded/``, ``notebooks/`` and ``reports/``. The configuration says which roles and
practices exist, how speakers are labelled, what the coding unit is, which codebook(s) to
use and where the pseudonym key lives (outside ``data/`` and ``reports/``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from verhalen.errors import ConfigError, Problem, ValidationError
from verhalen.records import SegmentUnit

CONFIG_NAME = "verhalen.toml"

DEFAULT_ROLES = {
    "moeder": "Moeder (deelnemende moeder of andere verzorger)",
    "vrijwilliger": "Vrijwilliger",
    "jeugdprofessional": "Jeugdprofessional",
}
DEFAULT_PRACTICES = {
    "vve_hoogeveen": "VVE&O Hoogeveen",
    "huiskamer_groningen": "De Huiskamer Groningen",
    "alleenstaande_moeders_veendam": "Alleenstaande moedergroepen Veendam",
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectSection(_Section):
    name: str = "Nieuw onderzoek"
    language: str = "nl"
    fictional: bool = False


class SpeakerSection(_Section):
    interviewer: list[str] = Field(default_factory=lambda: ["I", "Interviewer", "INT"])
    respondent: list[str] = Field(default_factory=lambda: ["R", "Respondent", "Resp"])
    other: list[str] = Field(default_factory=lambda: ["Tolk", "T"])


class SegmentationSection(_Section):
    unit: SegmentUnit = SegmentUnit.turn
    respondent_only: bool = True
    min_chars: int = Field(default=1, ge=0)


class CodebookSection(_Section):
    files: list[str] = Field(default_factory=lambda: ["codebook/zes_factoren.yaml"])


class PrivacySection(_Section):
    key_path: str = "private/pseudoniemen.json"
    style: Literal["tags", "names"] = "tags"
    own_name: Literal["role", "pseudonym"] = "role"
    local_names: str = "private/lokale_namen.txt"
    review_path: str = "private/review.json"
    n_process: int = Field(default=1, ge=1)


class ReportSection(_Section):
    small_cell_k: int = Field(default=3, ge=1)
    role_mapping: dict[str, str] = Field(default_factory=dict)
    title: str = "Wat groepsgerichte opvoedingsondersteuning oplevert"


class NlpSection(_Section):
    spacy_model: str = "auto"
    batch_size: int = Field(default=64, ge=1)
    n_process: int = Field(default=1, ge=1)


class ProjectConfig(_Section):
    """The validated contents of ``verhalen.toml``."""

    project: ProjectSection = Field(default_factory=ProjectSection)
    roles: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_ROLES))
    practices: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PRACTICES))
    speakers: SpeakerSection = Field(default_factory=SpeakerSection)
    segmentation: SegmentationSection = Field(default_factory=SegmentationSection)
    codebook: CodebookSection = Field(default_factory=CodebookSection)
    privacy: PrivacySection = Field(default_factory=PrivacySection)
    report: ReportSection = Field(default_factory=ReportSection)
    nlp: NlpSection = Field(default_factory=NlpSection)

    def report_role(self, role: str) -> str:
        """The role as it is shown in reports (e.g. carers reported as ``moeder``)."""
        return self.report.role_mapping.get(role, role)


def load_config(path: str | Path) -> ProjectConfig:
    """Read and validate a ``verhalen.toml``; every problem is reported at once.

    Raises
    ------
    ConfigError
        If the file does not exist or is not valid TOML.
    ValidationError
        If fields are unknown or values are invalid (all problems listed).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"{path}: no project configuration found — run `verhalen init {path.parent}` "
            "to create a project, or pass --project to point at one"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}) — fix the syntax and try again") from exc
    try:
        return ProjectConfig.model_validate(raw)
    except PydanticValidationError as exc:
        raise ValidationError(
            [
                Problem(
                    f"{path} ({'.'.join(str(p) for p in err['loc'])})",
                    f"{err['msg']} (got {err.get('input')!r})",
                    "see docs/configuration.md for the allowed keys",
                )
                for err in exc.errors()
            ],
            summary=f"{path}: invalid project configuration",
        ) from None
