"""A calibration round from start to finish, on a project.

``new_round`` draws the sample and writes one sheet per coder into
``calibration/<round>/``; ``import_round`` reads the filled-in sheets into ``data/coded``
(events noted with the round) and snapshots them in the round; ``report_round`` computes
agreement and writes ``reports/calibratie/<round>.html`` and ``.md``; ``decide`` records a
decision; ``trend`` compares the rounds. The CLI (``verhalen calibrate``) is a thin layer
over these functions; every one of them also takes explicit inputs (e.g. a list of
codings) so it can be used from Python and notebooks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from verhalen.calibrate.analysis import AgreementResult, compute_agreement
from verhalen.calibrate.disagreements import CodeDisagreements, find_disagreements
from verhalen.calibrate.report import write_report
from verhalen.calibrate.rounds import (
    ROUNDS_FILE,
    CalibrationRound,
    RoundStatus,
    add_decision,
    calibration_dir,
    get_round,
    load_rounds,
    next_round_id,
    record_import,
    replace_round,
    round_codings,
    save_rounds,
)
from verhalen.calibrate.trend import write_trend
from verhalen.coding.proposals import save_proposals
from verhalen.coding.sampling import draw_sample
from verhalen.coding.sheet_import import (
    SheetContent,
    StoreResult,
    read_sheet,
    store_sheet,
)
from verhalen.coding.sheets import SuggestFn, export_sheets
from verhalen.coding.store import CodedStore
from verhalen.corpus import Corpus
from verhalen.errors import Problem, ValidationError, VerhalenError
from verhalen.project import Project
from verhalen.records import Codebook, Coding, Segment

PROPOSALS_FILE = "codevoorstellen.jsonl"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def rounds_path(project: Project) -> Path:
    """``calibration/rounds.json`` of the project."""
    return calibration_dir(project.root) / ROUNDS_FILE


def reports_folder(project: Project) -> Path:
    """``reports/calibratie`` of the project."""
    return project.reports_dir / "calibratie"


def proposals_path(project: Project) -> Path:
    """``data/codevoorstellen.jsonl``: new codes proposed on sheets, for the codebook owner."""
    return project.data_dir / PROPOSALS_FILE


def _role_of(project: Project, participants: dict[str, tuple[str, str]]) -> object:
    def role_of(seg: Segment) -> tuple[str, str]:
        role, practice = participants.get(seg.participant_id or "", ("", ""))
        return (
            project.config.report_role(role) if role else "",
            project.config.practices.get(practice, practice),
        )

    return role_of


def new_round(
    project: Project,
    codebook: Codebook,
    coders: Sequence[str],
    n: int,
    *,
    seed: int = 1,
    stratify: Sequence[str] = ("practice", "role"),
    suggest_fn: SuggestFn | None = None,
    exclude_previous: bool = True,
    shown: Corpus | None = None,
    now: dt.datetime | None = None,
    session_date: dt.datetime | None = None,
) -> tuple[CalibrationRound, list[Path]]:
    """Start a round: draw the sample, write one sheet per coder, record the round.

    Parameters
    ----------
    project, codebook
        The project and its current codebook.
    coders
        Two to four (or more) coders; each gets a sheet with the same segments, without
        anyone else's codes.
    n, seed, stratify
        Sample size, seed and strata (see :func:`verhalen.coding.sampling.draw_sample`).
    suggest_fn
        Show suggestions on the sheets (off by default in calibration).
    exclude_previous
        Do not draw segments that were in the sample of an earlier round.
    shown
        Show the text of this corpus on the sheets (e.g. pseudonymised; same segment ids).
    now
        Creation time (default: now, UTC).
    session_date
        When the coders meet to compare. Codings taken from the coded store (coders who
        do not import a sheet) count as they stood at that moment; it also dates the report.
    """
    coders = list(coders)
    if len(coders) < 2:
        raise VerhalenError(
            f"--coders: a calibration round needs at least two coders, got {coders}"
        )
    if len(set(coders)) != len(coders):
        raise VerhalenError(f"--coders: {coders} contains a coder twice")
    path = rounds_path(project)
    rounds = load_rounds(path)
    corpus = project.corpus()
    exclude = {s for r in rounds for s in r.sample} if exclude_previous else set()
    sample = draw_sample(corpus.segments_df(), n, seed, list(stratify), exclude)
    round_id = next_round_id(rounds)
    folder = calibration_dir(project.root) / round_id
    sheets = export_sheets(
        corpus,
        sample,
        codebook,
        coders,
        folder,
        suggest_fn=suggest_fn,
        role_label=project.config.report_role,
        practice_label=lambda p: project.config.practices.get(p, p),
        seed=seed,
        stratify=stratify,
        round_id=round_id,
        file_name=lambda c: f"{round_id}_{c}.xlsx",
        shown=shown,
    )
    round_ = CalibrationRound(
        id=round_id,
        coders=coders,
        sample=sample,
        seed=seed,
        stratify=list(stratify),
        n_requested=n,
        codebook_id=codebook.id,
        codebook_version=codebook.version,
        created=now or _now(),
        session_date=session_date,
        suggestions=suggest_fn is not None,
        sheets={c: str(p.relative_to(project.root)) for c, p in zip(coders, sheets, strict=True)},
    )
    save_rounds(path, [*rounds, round_])
    return round_, sheets


@dataclass
class RoundImportReport:
    """What ``import_round`` did: per sheet, its content and store changes; failures."""

    round: CalibrationRound
    imported: list[tuple[SheetContent, StoreResult]] = field(default_factory=list)
    failed: dict[str, ValidationError] = field(default_factory=dict)
    proposals_added: int = 0


def import_round(
    project: Project,
    codebook: Codebook,
    round_id: str,
    files: Sequence[str | Path],
    *,
    map_codes: bool = False,
    now: dt.datetime | None = None,
) -> RoundImportReport:
    """Import filled-in sheets of a round: each sheet all or nothing.

    Each valid sheet is stored in ``data/coded/<coder>.jsonl`` (events noted
    ``calibratie <round>``) and its content is snapshotted in the round. Sheets with
    problems are not imported; their problems are in :attr:`RoundImportReport.failed`.
    """
    path = rounds_path(project)
    rounds = load_rounds(path)
    round_ = get_round(rounds, round_id)
    segments = project.corpus().segment_index()
    stamp = now or round_.session_date or _now()
    store = CodedStore(project.coded_dir)
    report = RoundImportReport(round=round_)
    contents: list[SheetContent] = []
    for file in files:
        try:
            content = read_sheet(
                file,
                segments=segments,
                codebook=codebook,
                map_codes=map_codes,
                round_id=round_id,
                when=stamp,
            )
        except ValidationError as exc:
            report.failed[str(file)] = exc
            continue
        if content.meta.coder in {c.meta.coder for c in contents}:
            report.failed[str(file)] = ValidationError(
                [
                    Problem(
                        Path(file).name,
                        f"a second sheet of coder {content.meta.coder!r} in one import",
                        "import one sheet per coder",
                    )
                ]
            )
            continue
        if content.meta.coder not in round_.coders:
            report.failed[str(file)] = ValidationError(
                [
                    Problem(
                        Path(file).name,
                        f"coder {content.meta.coder!r} is not a coder of round "
                        f"{round_id} ({', '.join(round_.coders)})",
                        "import the sheets of this round",
                    )
                ]
            )
            continue
        contents.append(content)
    for content in contents:
        result = store_sheet(store, content, note=f"calibratie {round_id}")
        round_ = record_import(
            round_,
            content.meta.coder,
            files=[content.path.name],
            segments=content.segments,
            codings=content.codings,
            memos=content.memos,
            when=stamp,
        )
        report.imported.append((content, result))
    report.proposals_added = save_proposals(
        proposals_path(project), [p for c in contents for p in c.proposals]
    )
    report.round = round_
    if contents:
        save_rounds(path, replace_round(rounds, round_))
    return report


def report_round(
    project: Project,
    codebook: Codebook,
    round_id: str,
    *,
    codings: Sequence[Coding] | None = None,
    n_boot: int = 1000,
    n_boot_cohen: int = 200,
    seed: int | None = None,
    min_units: int = 10,
    shown: Corpus | None = None,
    now: dt.datetime | None = None,
) -> tuple[AgreementResult, list[CodeDisagreements], tuple[Path, Path]]:
    """Compute a round's agreement, write its report, and store the results summary.

    ``codings`` are used for coders who did not import a sheet for the round (default:
    the coded store's current codings). The bootstrap seed defaults to the round's seed.
    ``shown`` is the corpus whose text the disagreements quote (e.g. pseudonymised).
    """
    path = rounds_path(project)
    rounds = load_rounds(path)
    round_ = get_round(rounds, round_id)
    corpus = project.corpus()
    segments = corpus.segment_index()
    transcript_of = {s.id: s.transcript_id for s in segments.values()}
    if codings is None:
        # Only the codings in the sample's transcripts matter (round_codings: the sample
        # segments, and whether a coder worked in a sample transcript): read just those.
        in_sample = {transcript_of[s] for s in round_.sample if s in transcript_of}
        store = CodedStore(project.coded_dir)
        codings = [
            c
            for coder in round_.coders
            if coder not in round_.imports
            for c in store.codings(
                coder,
                as_of=round_.session_date,
                segments={s for s, t in transcript_of.items() if t in in_sample},
                transcripts=in_sample,
            )
        ]
    missing = sorted(set(round_.sample) - set(segments))
    if missing:
        raise VerhalenError(
            f"round {round_id}: {len(missing)} sample segment(s) are no longer in the corpus "
            f"({', '.join(missing[:5])}) — the corpus was re-ingested with other segmentation"
        )
    chosen, units, memos = round_codings(round_, codings, transcript_of)
    result = compute_agreement(
        chosen,
        units,
        codebook=codebook,
        segments=segments,
        n_boot=n_boot,
        n_boot_cohen=n_boot_cohen,
        seed=round_.seed if seed is None else seed,
        min_units=min_units,
    )
    participants = {p.id: (p.role, p.practice) for p in corpus.participants.values()}
    disagreements = find_disagreements(
        result.assignments,
        result.coders,
        segments=shown.segment_index() if shown is not None else segments,
        memos=memos,
        codebook=codebook,
        role_of=_role_of(project, participants),  # type: ignore[arg-type]
    )
    stamp = now or round_.session_date or _now()
    paths = write_report(
        reports_folder(project), round_, result, disagreements, generated=stamp.strftime("%d-%m-%Y")
    )
    summary = {
        **result.summary(),
        "computed": stamp.isoformat(),
        "codebook_version": codebook.version,
    }
    round_ = round_.model_copy(update={"results": summary, "status": RoundStatus.reported})
    save_rounds(path, replace_round(rounds, round_))
    return result, disagreements, paths


def decide(
    project: Project,
    codebook: Codebook,
    round_id: str,
    text: str,
    *,
    codebook_version: str | None = None,
    codes: Sequence[str] = (),
    who: str = "",
    now: dt.datetime | None = None,
) -> CalibrationRound:
    """Record a decision against a round (codes must exist in the codebook, any status)."""
    path = rounds_path(project)
    rounds = load_rounds(path)
    round_ = get_round(rounds, round_id)
    unknown = [c for c in codes if codebook.code(c) is None]
    if unknown:
        raise ValidationError(
            [
                Problem("--codes", f"unknown code id {c!r}", "use ids from the codebook")
                for c in unknown
            ]
        )
    updated = add_decision(
        round_, text, when=now or _now(), codebook_version=codebook_version, codes=codes, who=who
    )
    save_rounds(path, replace_round(rounds, updated))
    return updated


def trend(project: Project, measure: str = "krippendorff_alpha") -> tuple[pd.DataFrame, Path, Path]:
    """Agreement across rounds: table plus ``reports/calibratie/trend.md`` and ``trend.png``."""
    return write_trend(reports_folder(project), load_rounds(rounds_path(project)), measure)
