"""Read filled-in feedback forms back, all or nothing per file.

:func:`read_form` checks a whole workbook and raises one
:class:`~verhalen.errors.ValidationError` listing *every* problem with its sheet, row and
column (``form.xlsx, sheet '2 Ontmoeten en steunen', cell D7 (row 7, column D: Erbij
horen)``), so a facilitator can fix a file in one go. Nothing is stored unless the whole
file is valid. It refuses

* a file that is not a verhalen form (no hidden ``_meta`` sheet) or was made for another
  template version (:attr:`~verhalen.klankbord.feedback_form.FormSpec.version`: other
  posters, or another form layout);
* an unknown factor (not in the codebook) or group;
* a column that was moved or renamed (each header is checked against the metadata);
* a recognition other than ``ja``, ``deels`` or ``nee`` (case and spaces are forgiven);
* answers without a respondent number, or the same respondent twice on a sheet;
* a priority row that is not a ranking 1..n with each rank once (a rank used twice, a rank
  missing, or not a whole number in range);
* a form without any answers.

:func:`import_form` stores a valid session with
:func:`~verhalen.klankbord.session.save_session`; importing the same file again (same
SHA-256) is recognised and stores nothing.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from verhalen.errors import Problem, ValidationError, VerhalenError
from verhalen.klankbord.form_reader import (
    MetaItem,
    SheetReader,
    check_meta,
    read_meta,
)
from verhalen.klankbord.session import (
    FeedbackSession,
    RespondentFeedback,
    SessionElement,
    SessionFactor,
    load_sessions,
    save_session,
    session_files,
)
from verhalen.records import Codebook


@dataclass(frozen=True)
class ImportResult:
    """What happened to one file: stored as ``stored`` (``new`` is False for a re-import)."""

    source: Path
    stored: Path
    session: FeedbackSession
    new: bool


def read_form(
    path: str | Path,
    codebook: Codebook | None = None,
    expected: Mapping[str, str] | None = None,
) -> FeedbackSession:
    """Read and check one filled-in form; every problem is raised at once.

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    codebook
        The project's codebook: every factor of the form must be in it.
    expected
        Current template versions by ``<practice>_<group>``
        (:attr:`FormSpec.version <verhalen.klankbord.feedback_form.FormSpec.version>`); a
        form of another version is refused. Without it the version is not compared.

    Raises
    ------
    ValidationError
        Listing every problem with its sheet, row and column.
    """
    path = Path(path)
    try:
        wb = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise VerhalenError(
            f"{path}: cannot be read as an Excel workbook ({exc}) — save it as .xlsx"
        ) from exc
    problems: list[Problem] = []
    meta = read_meta(path, wb, problems)
    if meta is None:
        raise ValidationError(problems, summary=f"{path}: not imported")
    check_meta(path, meta, codebook, expected, problems)
    reader = SheetReader(path, wb, meta)
    factors: list[SessionFactor] = []
    by_factor: dict[str, list[MetaItem]] = {}
    for item in meta.items:
        if item.kind in ("factor", "element", "addition"):
            by_factor.setdefault(item.factor_id, []).append(item)
    for sheet_no, (factor_id, items) in enumerate(by_factor.items()):
        head = next((i for i in items if i.kind == "factor"), items[0])
        factors.append(
            SessionFactor(
                id=factor_id,
                label=head.label,
                elements=[
                    SessionElement(id=i.element_id, label=i.label)
                    for i in items
                    if i.kind == "element"
                ],
            )
        )
        reader.factor_sheet(factor_id, items, sheet_no)
    rank_items = [i for i in meta.items if i.kind == "rank"]
    if rank_items:
        reader.priority_sheet(rank_items, len(by_factor))
    problems += reader.problems
    names = sorted(set(reader.answers) | set(reader.ranks), key=lambda n: reader.order[n])
    if not problems and not names:
        problems.append(
            Problem(
                path.name, "the form has no answers", "fill in at least one row before importing"
            )
        )
    if problems:
        raise ValidationError(problems, summary=f"{path}: not imported (nothing was stored)")
    respondents = [
        RespondentFeedback(
            respondent=name,
            factors=[
                reader.answers.get(name, {})[f.id]
                for f in factors
                if f.id in reader.answers.get(name, {})
            ],
            ranks=reader.ranks.get(name, {}),
        )
        for name in names
    ]
    return FeedbackSession(
        template_version=meta.values.get("template_version", ""),
        practice=meta.values.get("practice", ""),
        practice_label=meta.values.get("practice_label", ""),
        group=meta.values["group"],
        source=path.name,
        source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        fictional=meta.values.get("fictional") == "ja",
        factors=factors,
        respondents=respondents,
    )


def import_form(
    path: str | Path,
    folder: str | Path,
    codebook: Codebook | None = None,
    expected: Mapping[str, str] | None = None,
) -> ImportResult:
    """Check one form (:func:`read_form`) and store it in ``folder`` (``data/feedback``).

    A file imported before (same SHA-256) is not stored again: the result points at the
    earlier session with ``new=False``.
    """
    session = read_form(path, codebook, expected)
    for existing_path, existing in zip(session_files(folder), load_sessions(folder), strict=True):
        if existing.source_sha256 == session.source_sha256:
            return ImportResult(Path(path), existing_path, existing, new=False)
    return ImportResult(Path(path), save_session(folder, session), session, new=True)
