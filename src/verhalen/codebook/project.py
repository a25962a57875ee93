"""The codebook(s) of a project, and the bundled codebooks.

A project lists its codebook files in ``verhalen.toml``::

    [codebook]
    files = ["codebook/zes_factoren.yaml", "codebook/beschermende_factoren.yaml"]

Several files are combined into one codebook: the union of their factors and codes, with an
error when two files use the same id. The combination's version is
``<highest major>.<sum of minors>``; it equals the file's version for a single file and rises
with every change to any of the files.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from verhalen.codebook.ops import Change
from verhalen.codebook.validate import parse_codebook
from verhalen.codebook.versions import commit, read_codebooks
from verhalen.errors import ConfigError, NotFoundError, Problem, ValidationError
from verhalen.project import Project
from verhalen.records import Codebook

BUNDLED = (
    "zes_factoren",
    "beschermende_factoren",
    "ouders_als_partners",
    "peer_support_zelfeffectiviteit",
)
"""Names of the codebooks that ship with verhalen (``verhalen/data/codebooks/<name>.yaml``)."""


def bundled_text(name: str) -> str:
    """The YAML text of a bundled codebook."""
    if name not in BUNDLED:
        raise NotFoundError(f"no bundled codebook {name!r} — choose one of: {', '.join(BUNDLED)}")
    resource = importlib.resources.files("verhalen") / "data" / "codebooks" / f"{name}.yaml"
    return resource.read_text(encoding="utf-8")


def load_bundled(name: str) -> Codebook:
    """A bundled codebook, validated."""
    return parse_codebook(bundled_text(name), f"<bundled>/{name}.yaml")


def combine(codebooks: Sequence[tuple[str | Path, Codebook]]) -> Codebook:
    """Union of several codebooks; raises :class:`ValidationError` on clashing ids.

    Parameters
    ----------
    codebooks
        ``(source, codebook)`` pairs; the source names the file in messages.
    """
    if not codebooks:
        raise ConfigError(
            "no codebook files configured — add one to [codebook] files in "
            'verhalen.toml, e.g. files = ["codebook/zes_factoren.yaml"]'
        )
    if len(codebooks) == 1:
        return codebooks[0][1]
    owner: dict[str, str | Path] = {}
    problems: list[Problem] = []
    for source, cb in codebooks:
        for kind, ids in (
            ("factor", [f.id for f in cb.factors]),
            ("code", [c.id for c in cb.codes]),
        ):
            for item in ids:
                if item in owner:
                    problems.append(
                        Problem(
                            str(source),
                            f"{kind} id {item!r} is also used in {owner[item]}",
                            "rename it in one of the files "
                            "(`verhalen codebook rename`) or use only one file",
                        )
                    )
                else:
                    owner[item] = source
    if problems:
        raise ValidationError(problems, summary="the configured codebooks clash")
    majors = [int(cb.version.split(".")[0]) for _, cb in codebooks]
    minors = [int(cb.version.split(".")[1]) for _, cb in codebooks]
    changelog = [
        e.model_copy(update={"details": {**e.details, "codebook": cb.id}})
        for _, cb in codebooks
        for e in cb.changelog
    ]
    return Codebook(
        id="__".join(cb.id for _, cb in codebooks)[:80],
        name=" + ".join(cb.name for _, cb in codebooks),
        version=f"{max(majors)}.{sum(minors)}",
        language=codebooks[0][1].language,
        description="Combinatie van: "
        + "; ".join(f"{cb.name} (versie {cb.version})" for _, cb in codebooks),
        source="; ".join(cb.source for _, cb in codebooks if cb.source),
        factors=[f for _, cb in codebooks for f in cb.factors],
        codes=[c for _, cb in codebooks for c in cb.codes],
        changelog=sorted(changelog, key=lambda e: e.when.replace(tzinfo=None)),
    )


@dataclass
class ProjectCodebooks:
    """The configured codebook files of a project, each with its loaded codebook."""

    files: list[tuple[Path, Codebook]]

    @classmethod
    def open(cls, project: Project) -> ProjectCodebooks:
        """Load every configured file; all problems of all files are reported together."""
        out = cls(read_codebooks(project.codebook_paths))
        out.combined()
        return out

    def combined(self) -> Codebook:
        """The project's codebook (the union of its files)."""
        return combine([(path, cb) for path, cb in self.files])

    def select(self, codebook_id: str | None = None) -> tuple[Path, Codebook]:
        """The file of codebook ``codebook_id`` (default: the only or first file)."""
        if codebook_id is None:
            return self.files[0]
        for path, cb in self.files:
            if cb.id == codebook_id:
                return path, cb
        ids = ", ".join(cb.id for _, cb in self.files)
        raise NotFoundError(f"codebook {codebook_id!r} is not configured — configured: {ids}")

    def owner(self, item_id: str) -> tuple[Path, Codebook]:
        """The file that defines code or factor ``item_id``."""
        for path, cb in self.files:
            if cb.code(item_id) is not None or cb.factor(item_id) is not None:
                return path, cb
        raise NotFoundError(
            f"{item_id!r} is not a code or factor of the configured codebooks "
            "— see `verhalen codebook show`"
        )

    def apply(self, path: Path, operation: Callable[[Codebook], Change]) -> Change:
        """Run ``operation`` on the codebook of ``path``, check the combination, write it."""
        index = next(i for i, (p, _) in enumerate(self.files) if p == path)
        before = self.files[index][1]
        change = operation(before)
        trial = list(self.files)
        trial[index] = (path, change.codebook)
        combine(trial)
        change = commit(path, before, change)
        self.files[index] = (path, change.codebook)
        return change

    def change(self, item_id: str, operation: Callable[[Codebook], Change]) -> Change:
        """Run ``operation`` on the file that defines code or factor ``item_id``."""
        return self.apply(self.owner(item_id)[0], operation)


def load_project_codebook(project: Project) -> Codebook:
    """The project's codebook: its configured file(s), validated and combined."""
    return ProjectCodebooks.open(project).combined()
