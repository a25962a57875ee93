"""Shared pieces of the codebook operations: versions, ids and finishing a change."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from pydantic import ValidationError as PydanticValidationError

from verhalen.codebook.validate import check_codebook
from verhalen.errors import NotFoundError, VerhalenError
from verhalen.records import ChangeEntry, Code, Codebook, CodeStatus, Factor

Action = Literal["add", "edit", "merge", "split", "rename", "retire", "factor", "apply"]


class Change(NamedTuple):
    """The result of an operation: the new codebook and the changelog entry it appended."""

    codebook: Codebook
    entry: ChangeEntry


def next_version(version: str) -> str:
    """The next minor version: ``"1.9"`` → ``"1.10"``."""
    major, minor = version.split(".")
    return f"{major}.{int(minor) + 1}"


def version_key(version: str) -> tuple[int, int]:
    """Sort key for versions (``"1.10"`` after ``"1.9"``)."""
    major, minor = version.split(".")
    return int(major), int(minor)


def slugify(text: str) -> str:
    """A code id from a label: ``"Mijn ei kwijt!"`` → ``"mijn_ei_kwijt"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return slug[:80].rstrip("_") or "code"


def now() -> dt.datetime:
    """The current local time to the second (changelog timestamps)."""
    return dt.datetime.now().replace(microsecond=0)


def new_code(**fields: Any) -> Code:
    """A :class:`Code` from user input; invalid fields become one readable error."""
    try:
        return Code.model_validate(fields)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']} (got {e.get('input')!r})"
            for e in exc.errors()
        )
        raise VerhalenError(f"invalid code: {problems} — ids use a-z, 0-9 and _") from None


def active_code(codebook: Codebook, code_id: str, role: str = "code") -> Code:
    code = codebook.code(code_id)
    if code is None:
        raise NotFoundError(_unknown(codebook, code_id, role))
    if code.status != CodeStatus.active:
        extra = f" into {code.merged_into!r}" if code.merged_into else ""
        raise VerhalenError(
            f"{role} {code_id!r} is {code.status.value}{extra}, not active — "
            "only active codes can be changed this way"
        )
    return code


def _unknown(codebook: Codebook, code_id: str, role: str = "code") -> str:
    close = difflib.get_close_matches(code_id, [c.id for c in codebook.codes], n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "see `verhalen codebook show`"
    return f"{role} {code_id!r} is not in codebook {codebook.id!r} — {hint}"


def finish(
    old: Codebook,
    codes: list[Code],
    action: Action,
    touched: Sequence[str],
    what: str,
    who: str,
    why: str,
    when: dt.datetime | None,
    details: dict[str, Any] | None = None,
    factors: list[Factor] | None = None,
) -> Change:
    when = when or now()
    version = next_version(old.version)
    entry = ChangeEntry(
        version=version,
        when=when,
        who=who,
        action=action,
        codes=list(touched),
        what=what,
        why=why,
        details=details or {},
    )
    new = old.model_copy(
        update={
            "version": version,
            "codes": codes,
            "factors": factors if factors is not None else list(old.factors),
            "changelog": [*old.changelog, entry],
        }
    )
    new = Codebook.model_validate(new.model_dump())
    check_codebook(new, f"codebook {old.id!r} after {action}")
    return Change(new, entry)


def touch(code: Code, when: dt.datetime | None, **update: Any) -> Code:
    day = (when or now()).date()
    return code.model_copy(update={**update, "modified": day})
