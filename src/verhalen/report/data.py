"""The report's inputs, joined once: segments with reported roles, pooled codings, groups.

Roles are mapped to the reported role (``[report] role_mapping``, e.g. carers as
``moeder``) *here*, before anything is counted, so no table, figure, quote or appendix of
the report can show an unmapped role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from verhalen.config import ProjectConfig
from verhalen.corpus import Corpus
from verhalen.errors import VerhalenError
from verhalen.records import Codebook, Factor, Participant
from verhalen.report.pooling import pool_codings
from verhalen.report.tables import report_roles

_PARTICLES = {"van", "der", "den", "ter", "ten", "het", "von", "del", "los", "las", "bin", "ben"}


@dataclass
class ReportData:
    """Everything the report counts, prepared by :func:`prepare`."""

    config: ProjectConfig
    codebook: Codebook
    k: int
    pooling: str
    participants: list[Participant]
    segments: pd.DataFrame  # segment_id, transcript_id, participant_id, role, practice, text
    codings: pd.DataFrame  # raw codings of known segments (for quote agreement)
    pooled: pd.DataFrame  # pooled codings joined with participant_id, role, practice
    roles: list[str]
    practices: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def factors(self) -> list[Factor]:
        return list(self.codebook.factors)

    def practice_label(self, practice: str) -> str:
        return self.config.practices.get(practice, practice)

    def factor_label(self, factor_id: str) -> str:
        factor = self.codebook.factor(factor_id)
        return factor.label if factor else factor_id

    def code_label(self, code_id: str) -> str:
        code = self.codebook.code(code_id)
        return code.label if code else code_id

    def role_mapping(self) -> dict[str, str]:
        return dict(self.config.report.role_mapping)

    def forbidden_names(self) -> list[str]:
        """Real-name parts of the participants (≥ 3 letters, capitalised), never to be quoted."""
        parts: set[str] = set()
        for p in self.participants:
            if p.name:
                parts.add(p.name.strip())
                parts.update(
                    w
                    for w in p.name.split()
                    if len(w) >= 3 and w[0].isupper() and w.lower() not in _PARTICLES
                )
        return sorted(parts)


def prepare(
    corpus: Corpus,
    codings: pd.DataFrame,
    codebook: Codebook,
    config: ProjectConfig,
    k: int | None = None,
    pooling: str = "any",
) -> ReportData:
    """Join corpus, codings and configuration for the report.

    Segments without a known participant, and codings of segments that are not in the
    corpus (e.g. after re-segmenting), are left out; the report says how many.
    """
    k = config.report.small_cell_k if k is None else k
    if k < 1:
        raise VerhalenError(
            f"small-cell minimum k={k} is not allowed — use 1 or more (default 3, "
            "[report] small_cell_k in verhalen.toml)"
        )
    notes: list[str] = []
    participants = sorted(corpus.participants.values(), key=lambda p: p.id)
    known = {p.id: p for p in participants}
    frame = corpus.segments_df()
    if frame.empty:
        frame = pd.DataFrame(
            columns=["segment_id", "transcript_id", "participant_id", "role", "practice", "text"]
        )
    orphan = frame["participant_id"].isna() | ~frame["participant_id"].isin(list(known))
    if orphan.any():
        notes.append(
            f"{int(orphan.sum())} fragmenten zonder bekende deelnemer zijn niet meegeteld."
        )
    segments = frame.loc[~orphan].copy()
    segments["role"] = [config.report_role(known[p].role) for p in segments["participant_id"]]
    segments["practice"] = [known[p].practice for p in segments["participant_id"]]
    segments = segments[
        ["segment_id", "transcript_id", "participant_id", "role", "practice", "text"]
    ].reset_index(drop=True)

    if "segment_id" not in codings.columns or "code_id" not in codings.columns:
        raise VerhalenError(
            "codings table lacks segment_id/code_id — pass "
            "CodedStore(project.coded_dir).dataframe(codebook)"
        )
    in_corpus = codings["segment_id"].isin(frame["segment_id"])
    if (~in_corpus).any():
        notes.append(
            f"{int((~in_corpus).sum())} coderingen horen bij fragmenten die niet (meer) in het "
            "corpus staan en zijn niet meegeteld."
        )
    raw = codings.loc[codings["segment_id"].isin(segments["segment_id"])].reset_index(drop=True)
    pooled = pool_codings(raw, codebook, pooling)
    meta = segments.set_index("segment_id")[["participant_id", "role", "practice"]]
    pooled = pooled.join(meta, on="segment_id")
    coded = set(pooled["participant_id"])
    uncoded = sorted({p for p in segments["participant_id"]} - coded)
    if uncoded:
        notes.append(
            f"{len(uncoded)} geïnterviewde deelnemers hebben (nog) geen gecodeerde fragmenten; "
            "zij tellen wel mee in de noemer van de percentages."
        )
    present_practices = {p.practice for p in participants}
    practices = [p for p in config.practices if p in present_practices]
    practices += sorted(present_practices - set(practices))
    roles = report_roles(config, [p.role for p in participants])
    return ReportData(
        config=config,
        codebook=codebook,
        k=k,
        pooling=pooling,
        participants=participants,
        segments=segments,
        codings=raw,
        pooled=pooled,
        roles=roles,
        practices=practices,
        notes=notes,
    )
