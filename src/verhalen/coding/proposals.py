"""New codes proposed by coders on their sheets, collected for the codebook owner.

Proposals are kept in a JSON-lines file (``data/codevoorstellen.jsonl`` in a project), one
per line, so the codebook owner can review them and add codes through the codebook stage.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from verhalen.io import atomic_write_text


@dataclass(frozen=True)
class CodeProposal:
    """A new code proposed on a sheet, for the codebook owner."""

    coder: str
    segment_id: str
    proposal: str
    memo: str
    sheet: str
    row: int
    codebook_version: str
    round_id: str | None = None


def save_proposals(path: str | Path, proposals: Sequence[CodeProposal]) -> int:
    """Add proposals to a JSON-lines list (skipping ones already listed); returns how many."""
    path = Path(path)
    old = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    seen = set()
    for line in old:
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        seen.add((item.get("coder"), item.get("segment_id"), item.get("proposal")))
    fresh = [p for p in proposals if (p.coder, p.segment_id, p.proposal) not in seen]
    if fresh:
        lines = [*old, *(json.dumps(asdict(p), ensure_ascii=False, sort_keys=True) for p in fresh)]
        atomic_write_text(path, "\n".join(lines) + "\n")
    return len(fresh)


def load_proposals(path: str | Path) -> list[CodeProposal]:
    """The proposals saved by :func:`save_proposals`."""
    path = Path(path)
    if not path.is_file():
        return []
    return [
        CodeProposal(**json.loads(line))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
