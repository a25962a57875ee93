"""Proposal files: the clustering as an editable YAML, and applying the accepted grouping.

``verhalen cluster propose`` writes ``cluster/voorstel.yaml``: one category per cluster,
with the factor it most resembles, its codes (with their current factor and stability) and
the evidence. A researcher edits it — moves codes, renames categories, or names a new
factor — and ``verhalen cluster apply`` writes the accepted grouping into the codebook as
a new version with a changelog entry (action ``apply``).
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from verhalen.cluster.analysis import ClusterResult
from verhalen.errors import NotFoundError, Problem, ValidationError
from verhalen.io import atomic_write_text
from verhalen.records import Codebook, FactorKind

HEADER = """\
# Voorstel voor categorieën, gemaakt door `verhalen cluster propose`.
# Bewerk dit bestand: verplaats codes tussen categorieën, kies per categorie een bestaande
# factor (factor: <id>) of maak een nieuwe (factor: <nieuw_id> met label en kind).
# Leg de indeling daarna vast met `verhalen cluster apply` (nieuwe codeboekversie).
"""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProposedCode(_Model):
    code: str
    label: str = ""
    current_factor: str | None = None
    stability: float | None = None


class Category(_Model):
    cluster: int
    factor: str
    label: str = ""
    kind: FactorKind | None = None
    codes: list[ProposedCode] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)


class Proposal(_Model):
    codebook: str
    codebook_version: str
    k: int
    method: str
    adjusted_rand_index: float | None = None
    scope: str = "alle praktijken"
    categories: list[Category]

    def assignment(self) -> dict[str, str]:
        """Code id → factor id as accepted in the (edited) proposal."""
        return {c.code: cat.factor for cat in self.categories for c in cat.codes}


def make_proposal(
    result: ClusterResult, codebook: Codebook, scope: str = "alle praktijken"
) -> Proposal:
    """Turn a cluster result into a proposal (each cluster named after its majority factor)."""
    stab = result.clustering.stability
    categories = []
    for cluster_id, members in sorted(result.clustering.members().items()):
        factor_id = result.comparison.cluster_factor.get(cluster_id) or f"categorie_{cluster_id}"
        factor = codebook.factor(factor_id)
        codes = []
        for code_id in members:
            code = codebook.code(code_id)
            value = float(stab[code_id]) if stab is not None else None
            codes.append(
                ProposedCode(
                    code=code_id,
                    label=code.label if code else code_id,
                    current_factor=codebook.factor_of(code_id),
                    stability=None if value is None or math.isnan(value) else round(value, 3),
                )
            )
        moved = [c.code for c in codes if c.current_factor != factor_id]
        evidence = [
            f"{len(members)} codes; {len(moved)} nu bij een andere factor: "
            f"{', '.join(moved) if moved else '—'}"
        ]
        categories.append(
            Category(
                cluster=cluster_id,
                factor=factor_id,
                label=factor.label if factor else f"Categorie {cluster_id}",
                kind=factor.kind if factor else None,
                codes=codes,
                evidence=evidence,
            )
        )
    return Proposal(
        codebook=codebook.id,
        codebook_version=codebook.version,
        k=result.clustering.k,
        method=result.clustering.method,
        adjusted_rand_index=round(result.comparison.ari, 4),
        scope=scope,
        categories=categories,
    )


def write_proposal(proposal: Proposal, path: str | Path) -> Path:
    """Write the proposal as commented YAML (atomically)."""
    body = yaml.safe_dump(
        proposal.model_dump(mode="json", exclude_none=True),
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    atomic_write_text(path, HEADER + body)
    return Path(path)


def read_proposal(path: str | Path) -> Proposal:
    """Read and validate an (edited) proposal; every problem is reported at once."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{path}: no proposal — run `verhalen cluster propose` first")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValidationError(
            [Problem(str(path), f"not valid YAML ({exc})", "fix the indentation")]
        ) from None
    try:
        proposal = Proposal.model_validate(raw)
    except PydanticValidationError as exc:
        raise ValidationError(
            [
                Problem(
                    f"{path} ({'.'.join(str(p) for p in e['loc'])})",
                    e["msg"],
                    "compare with a fresh `verhalen cluster propose`",
                )
                for e in exc.errors()
            ],
            summary=f"{path}: invalid proposal",
        ) from None
    seen: dict[str, int] = {}
    problems = []
    for cat in proposal.categories:
        for c in cat.codes:
            if c.code in seen:
                problems.append(
                    Problem(
                        f"{path} (categorie {cat.cluster})",
                        f"code {c.code!r} also stands in categorie {seen[c.code]}",
                        "list every code in one category only",
                    )
                )
            seen[c.code] = cat.cluster
    if problems:
        raise ValidationError(problems, summary=f"{path}: invalid proposal")
    return proposal
