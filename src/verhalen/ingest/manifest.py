"""The participants manifest: ``participants.csv`` or ``participants.xlsx``.

Required columns: ``id``, ``role``, ``practice``. Optional: ``transcript`` (links a row to
a transcript id), ``name`` (real name, used only for pseudonymisation). Every other column
becomes a free attribute; numbers are parsed, ``ja``/``nee`` become booleans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from verhalen.errors import Problem
from verhalen.records import AttributeValue, Participant

MANIFEST_NAMES = ("participants.csv", "participants.xlsx")
REQUIRED = ("id", "role", "practice")
YES = {"ja", "yes", "true", "waar"}
NO = {"nee", "no", "false", "onwaar"}


@dataclass
class Manifest:
    path: Path | None = None
    participants: dict[str, Participant] = field(default_factory=dict)
    transcript_of: dict[str, str] = field(default_factory=dict)  # transcript id -> participant
    rows: dict[str, int] = field(default_factory=dict)  # participant id -> file row


def find_manifest(folder: Path) -> Path | None:
    for name in MANIFEST_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def _value(raw: object) -> AttributeValue:
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return None
    if isinstance(raw, bool | int | float):
        return raw
    text = str(raw).strip()
    if text == "":
        return None
    if text.casefold() in YES:
        return True
    if text.casefold() in NO:
        return False
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text and "," not in text else number


def read_manifest(path: Path) -> tuple[Manifest, list[Problem]]:
    """Read a manifest, collecting every problem (missing columns, duplicates, blanks)."""
    where = str(path)
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str)
            first_row = 2
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            first_row = 2
    except Exception as exc:  # pandas raises many types for unreadable files
        return Manifest(path), [
            Problem(
                where,
                f"cannot read the manifest ({exc})",
                "save it as CSV (UTF-8) or XLSX with a header row",
            )
        ]
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        return Manifest(path), [
            Problem(
                where,
                f"missing column(s) {', '.join(missing)}",
                f"the header row must contain {', '.join(REQUIRED)}",
            )
        ]
    manifest = Manifest(path)
    problems: list[Problem] = []
    attribute_columns = [c for c in frame.columns if c not in (*REQUIRED, "name", "transcript")]
    for i, row in enumerate(frame.to_dict("records")):
        line = i + first_row
        pid = str(row.get("id") or "").strip()
        if not pid:
            problems.append(Problem(f"{where}:{line}", "empty participant id", "fill in `id`"))
            continue
        if pid in manifest.participants:
            problems.append(
                Problem(
                    f"{where}:{line}",
                    f"duplicate participant id {pid!r} (also on line {manifest.rows[pid]})",
                    "give every participant one row",
                )
            )
            continue
        role = str(row.get("role") or "").strip()
        practice = str(row.get("practice") or "").strip()
        for column, value in (("role", role), ("practice", practice)):
            if not value:
                problems.append(
                    Problem(
                        f"{where}:{line} ({column})",
                        f"participant {pid!r} has no {column}",
                        f"fill in the `{column}` column",
                    )
                )
        name = str(row.get("name") or "").strip() or None
        attrs = {c: _value(row.get(c)) for c in attribute_columns}
        manifest.participants[pid] = Participant(
            id=pid, role=role or "?", practice=practice or "?", name=name, attributes=attrs
        )
        manifest.rows[pid] = line
        transcript = str(row.get("transcript") or "").strip()
        if transcript:
            manifest.transcript_of[transcript] = pid
    return manifest, problems
