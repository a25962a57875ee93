"""Calibration rounds as records: ``calibration/rounds.json`` (written atomically).

A round is one calibration session: two to four coders code the same sample of segments
independently, their agreement is computed, the team discusses the disagreements and
records decisions that change the codebook. The record keeps everything needed to redo and
audit the round: coders, sample, seed and strata, codebook id and version, the sheets, a
snapshot of each coder's imported codings (so later coding work never changes a round's
figures), the results summary (for the trend across rounds) and the decisions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from verhalen.errors import NotFoundError, VerhalenError
from verhalen.io import atomic_write_json
from verhalen.records import VERSION_RE, Coding, Record

ROUND_ID_RE = re.compile(r"^r(\d+)$")
ROUNDS_FILE = "rounds.json"


class RoundStatus(StrEnum):
    """Where a round is: sheets handed out, all coders imported, report written."""

    open = "open"
    coded = "coded"
    reported = "reported"


class RoundImport(Record):
    """One coder's imported work for a round (a snapshot of the sheet's content)."""

    coder: str
    files: list[str] = Field(default_factory=list)
    imported: dt.datetime
    segments: list[str] = Field(default_factory=list)
    codings: list[Coding] = Field(default_factory=list)
    memos: dict[str, str] = Field(default_factory=dict)


class Decision(Record):
    """A decision the team took after discussing a round, linked to a codebook version."""

    number: int = Field(ge=1)
    when: dt.datetime
    text: str = Field(min_length=1)
    codebook_version: str | None = None
    codes: list[str] = Field(default_factory=list)
    who: str = ""


class CalibrationRound(Record):
    """One calibration round (see the module docstring)."""

    id: str = Field(pattern=ROUND_ID_RE.pattern)
    coders: list[str] = Field(min_length=2)
    sample: list[str] = Field(min_length=1)
    seed: int
    stratify: list[str] = Field(default_factory=list)
    n_requested: int = Field(ge=1)
    codebook_id: str
    codebook_version: str
    created: dt.datetime
    session_date: dt.datetime | None = Field(
        default=None,
        description="When the coders met to compare: codings from the store count as they "
        "stood at that moment (later corrections do not change the round's figures).",
    )
    status: RoundStatus = RoundStatus.open
    suggestions: bool = False
    sheets: dict[str, str] = Field(default_factory=dict)
    imports: dict[str, RoundImport] = Field(default_factory=dict)
    results: dict[str, Any] | None = None
    decisions: list[Decision] = Field(default_factory=list)

    @property
    def number(self) -> int:
        """The round number (``r3`` → 3)."""
        match = ROUND_ID_RE.match(self.id)
        return int(match.group(1)) if match else 0


class RoundsFile(Record):
    """The contents of ``calibration/rounds.json``."""

    format: Literal["verhalen-calibration"] = "verhalen-calibration"
    version: int = 1
    rounds: list[CalibrationRound] = Field(default_factory=list)


def calibration_dir(project_root: str | Path) -> Path:
    """``<project>/calibration``: rounds.json and one folder of sheets per round."""
    return Path(project_root) / "calibration"


def load_rounds(path: str | Path) -> list[CalibrationRound]:
    """Rounds in ``path`` (an empty list if the file does not exist yet), oldest first."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        data = RoundsFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, PydanticValidationError) as exc:
        raise VerhalenError(
            f"{path}: not a valid calibration file ({str(exc).splitlines()[0]}) — restore it "
            "from git"
        ) from exc
    return sorted(data.rounds, key=lambda r: r.number)


def save_rounds(path: str | Path, rounds: Sequence[CalibrationRound]) -> None:
    """Write all rounds atomically (stable, key-sorted JSON)."""
    ids = [r.id for r in rounds]
    if len(set(ids)) != len(ids):
        raise VerhalenError(f"duplicate round ids in {ids}")
    data = RoundsFile(rounds=sorted(rounds, key=lambda r: r.number))
    atomic_write_json(path, data.model_dump(mode="json"))


def next_round_id(rounds: Sequence[CalibrationRound]) -> str:
    """``r1`` for the first round, then one more than the highest number so far."""
    return f"r{max((r.number for r in rounds), default=0) + 1}"


def get_round(rounds: Sequence[CalibrationRound], round_id: str) -> CalibrationRound:
    """The round with this id, or :class:`NotFoundError` listing the rounds that exist."""
    for r in rounds:
        if r.id == round_id:
            return r
    known = ", ".join(r.id for r in rounds) or "none yet"
    raise NotFoundError(
        f"no calibration round {round_id!r} (rounds: {known}) — start one with "
        "`verhalen calibrate new`"
    )


def replace_round(
    rounds: Sequence[CalibrationRound], updated: CalibrationRound
) -> list[CalibrationRound]:
    """The rounds with ``updated`` in place of the round with the same id."""
    return [updated if r.id == updated.id else r for r in rounds]


def record_import(
    round_: CalibrationRound,
    coder: str,
    *,
    files: Sequence[str],
    segments: Sequence[str],
    codings: Sequence[Coding],
    memos: dict[str, str],
    when: dt.datetime,
) -> CalibrationRound:
    """The round with a coder's imported work recorded (replacing an earlier import).

    Raises
    ------
    VerhalenError
        If the coder is not in the round or a segment is not in the round's sample.
    """
    if coder not in round_.coders:
        raise VerhalenError(
            f"round {round_.id}: {coder!r} is not one of its coders ({', '.join(round_.coders)})"
            " — import the sheet that was made for this round's coder"
        )
    outside = sorted(set(segments) - set(round_.sample))
    if outside:
        raise VerhalenError(
            f"round {round_.id}: segment(s) {', '.join(outside[:10])} are not in the round's "
            "sample — import the sheet written for this round"
        )
    imports = dict(round_.imports)
    imports[coder] = RoundImport(
        coder=coder,
        files=list(files),
        imported=when,
        segments=list(segments),
        codings=list(codings),
        memos=dict(memos),
    )
    # A (re-)import makes an earlier report out of date: back to coded (or open).
    status = RoundStatus.coded if set(imports) >= set(round_.coders) else RoundStatus.open
    return round_.model_copy(update={"imports": imports, "status": status})


def add_decision(
    round_: CalibrationRound,
    text: str,
    *,
    when: dt.datetime,
    codebook_version: str | None = None,
    codes: Sequence[str] = (),
    who: str = "",
) -> CalibrationRound:
    """The round with one more decision (numbered from 1)."""
    if not text.strip():
        raise VerhalenError("--text: a decision needs a text — say what was decided and why")
    if codebook_version is not None and not VERSION_RE.match(codebook_version):
        raise VerhalenError(f"--codebook-version: {codebook_version!r} is not a version like '1.3'")
    decision = Decision(
        number=len(round_.decisions) + 1,
        when=when,
        text=text.strip(),
        codebook_version=codebook_version,
        codes=list(codes),
        who=who,
    )
    return round_.model_copy(update={"decisions": [*round_.decisions, decision]})


def round_codings(
    round_: CalibrationRound,
    codings: Sequence[Coding] = (),
    transcript_of: Mapping[str, str] | None = None,
) -> tuple[list[Coding], dict[str, list[str]], dict[tuple[str, str], str]]:
    """The codings, coded units and memos that the round's figures are computed from.

    For a coder who imported a sheet for this round, the snapshot of that import is used.
    For other coders (e.g. codings produced elsewhere and already in ``data/coded``), their
    codings in ``codings`` on the round's sample are used. A sample segment counts as coded
    by such a coder (no code = "none applies") when the coder coded anything in its
    transcript, since coders work through whole interviews; without ``transcript_of``
    (segment id → transcript id) every sample segment counts as coded.

    Returns
    -------
    tuple
        ``(codings, units per coder, memos per (segment, coder))``.
    """
    sample = set(round_.sample)
    out: list[Coding] = []
    units: dict[str, list[str]] = {}
    memos: dict[tuple[str, str], str] = {}
    for coder in round_.coders:
        imported = round_.imports.get(coder)
        if imported is not None:
            out.extend(imported.codings)
            units[coder] = [s for s in round_.sample if s in set(imported.segments)]
            memos.update({(seg, coder): memo for seg, memo in imported.memos.items()})
            continue
        mine = [c for c in codings if c.coder == coder and c.segment_id in sample]
        out.extend(mine)
        if transcript_of is None:
            units[coder] = list(round_.sample)
        else:
            worked = {
                c.transcript_id or transcript_of.get(c.segment_id)
                for c in codings
                if c.coder == coder
            }
            units[coder] = [s for s in round_.sample if transcript_of.get(s) in worked]
        for c in mine:
            if c.memo and (c.segment_id, coder) not in memos:
                memos[(c.segment_id, coder)] = c.memo
    return out, units, memos
