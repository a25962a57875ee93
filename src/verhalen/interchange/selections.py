"""Imported text selections → verified, per-coder :class:`~verhalen.records.Coding`\\ s.

For each source the position scheme is chosen (the program's own, unless another scheme
verifies more selections, see :mod:`.offsets`), every selection is verified and drift
reported, and each ``Coding`` becomes one ``verhalen`` coding with coder, transcript,
span, timestamp and memo. Vendor variants:

* memos: ``Note``\\ s referenced from the ``Coding``; else the selection's
  ``Description`` (ATLAS.ti), notes referenced from it or linked to it (NVivo); a
  selection without codings but with a memo (MAXQDA) gives its memo to the codings of
  the same span, or is reported as lost;
* NVivo writes one selection per coding (the same range repeated): codings are
  de-duplicated per coder, span and code;
* codings on a factor (a non-codable folder) or on a missing code are reported as lost.
"""

from __future__ import annotations

import datetime as dt

from verhalen.interchange.offsets import SCHEMES, Check, PositionMap, Scheme, verify
from verhalen.interchange.qdpx_read import RCoding, RProject, RSelection, RSource, parse_datetime
from verhalen.interchange.report import DriftItem, DriftReport, LossReport, excerpt
from verhalen.interchange.safe import Container
from verhalen.interchange.sources import decode_bytes
from verhalen.records import Coding, CodingSource

Result = list[tuple[RSelection, int, int, Check]]


class SelectionReader:
    """Turns the selections of each source into codings; collects drift and losses."""

    def __init__(
        self,
        project: RProject,
        code_ids: dict[str, str],
        factor_guids: set[str],
        coders: dict[str, str],
        codebook_version: str,
        fallback_stamp: dt.datetime,
        container: Container,
        drift: DriftReport,
        loss: LossReport,
    ) -> None:
        self.project = project
        self.code_ids = code_ids
        self.factor_guids = factor_guids
        self.coders = coders
        self.version = codebook_version
        self.fallback_stamp = fallback_stamp
        self.container = container
        self.drift = drift
        self.loss = loss
        self.used_notes: set[str] = set()
        self.notes: list[str] = []
        self._fallback_coder: str | None = None

    # ------------------------------------------------------------------ helpers

    def _coder(self, *users: str | None) -> str:
        for user in users:
            if user and user in self.coders:
                return self.coders[user]
        if self.project.creating_user in self.coders:
            return self.coders[self.project.creating_user or ""]
        if self._fallback_coder is None:
            taken = set(self.coders.values())
            name, n = "imported", 2
            while name in taken:
                name, n = f"imported_{n}", n + 1
            self._fallback_coder = name
            self.notes.append(f"codings without a known user were assigned to coder {name!r}")
        return self._fallback_coder

    def _stamp(self, *values: str | None) -> dt.datetime:
        for value in values:
            stamp = parse_datetime(value)
            if stamp is not None:
                return stamp
        return self.fallback_stamp

    def _note_text(self, guids: list[str]) -> str:
        texts = []
        for guid in guids:
            note = self.project.notes.get(guid)
            if note is None:
                continue
            self.used_notes.add(guid)
            text = note.content
            if text is None and note.path and note.path.startswith("internal://"):
                entry = self.container.find(f"sources/{note.path[len('internal://') :]}")
                text = decode_bytes(self.container.read(entry))[0] if entry else None
            if text:
                texts.append(text)
        return "\n\n".join(texts)

    def _selection_memo(self, sel: RSelection) -> str:
        parts = [sel.description] if sel.description else []
        linked = self._note_text([*sel.notes, *self.project.links.get(sel.guid, [])])
        if linked:
            parts.append(linked)
        return "\n\n".join(parts)

    def _code(self, coding: RCoding, where: str) -> str | None:
        if coding.code is None or coding.code not in self.code_ids:
            self.loss.add(
                "coding",
                where,
                f"coding {coding.guid} refers to a code that is not in the code book",
            )
            return None
        if coding.code in self.factor_guids:
            self.loss.add(
                "coding",
                where,
                f"coding on {self.code_ids[coding.code]!r}, a "
                "category that cannot be coded in verhalen (a factor)",
            )
            return None
        return self.code_ids[coding.code]

    # ------------------------------------------------------------------ positions

    def _evaluate(self, sels: list[RSelection], pmap: PositionMap, scheme: Scheme) -> Result:
        out = []
        for sel in sels:
            a, b, exact = pmap.span(sel.start, sel.end, scheme)
            out.append((sel, a, b, verify(pmap.text, a, b, sel.name, exact)))
        return out

    @staticmethod
    def _score(result: Result) -> tuple[int, int]:
        return (
            sum(c.status != "drift" for *_, c in result),
            sum(c.status == "verified" for *_, c in result),
        )

    def _positions(
        self, sels: list[RSelection], pmap: PositionMap, default: Scheme, tid: str
    ) -> Result:
        best_scheme, best = default, self._evaluate(sels, pmap, default)
        if any(c.status == "drift" for *_, c in best):
            for scheme in SCHEMES:
                if scheme != default:
                    result = self._evaluate(sels, pmap, scheme)
                    if self._score(result) > self._score(best):
                        best_scheme, best = scheme, result
        self.drift.schemes[tid] = best_scheme
        for sel, a, b, check in best:
            self.drift.checked += 1
            if check.status == "verified":
                self.drift.verified += 1
            elif check.status == "boundaries":
                self.drift.by_boundaries += 1
            else:
                self.drift.items.append(
                    DriftItem(
                        tid,
                        sel.guid,
                        a,
                        b,
                        check.reason,
                        sel.name,
                        excerpt(pmap.text[a:b]),
                        check.found_at,
                    )
                )
        return best

    # ------------------------------------------------------------------ codings

    def read(self, source: RSource, tid: str, pmap: PositionMap, default: Scheme) -> list[Coding]:
        """The codings of one source (already converted to text indices)."""
        codings: list[Coding] = []
        seen: set[tuple[str, int, int, str]] = set()

        def add(
            rc: RCoding,
            a: int,
            b: int,
            memo: str,
            users: tuple[str | None, ...],
            stamps: tuple[str | None, ...],
            where: str,
        ) -> None:
            code_id = self._code(rc, where)
            if code_id is None:
                return
            coder = self._coder(rc.user, *users)
            key = (coder, a, b, code_id)
            if key in seen:  # NVivo: one selection per coding, same range repeated
                return
            seen.add(key)
            codings.append(
                Coding(
                    segment_id=tid,
                    code_id=code_id,
                    coder=coder,
                    timestamp=self._stamp(rc.created, *stamps),
                    source=CodingSource.imported,
                    codebook_version=self.version,
                    memo=self._note_text(rc.notes) or memo,
                    transcript_id=tid,
                    start=a,
                    end=b,
                )
            )

        memo_only: list[tuple[int, int, str]] = []
        for sel, a, b, _ in self._positions(source.selections, pmap, default, tid):
            memo = self._selection_memo(sel)
            if not sel.codings:
                if memo:
                    memo_only.append((a, b, memo))
                continue
            for rc in sel.codings:
                add(rc, a, b, memo, (sel.user,), (sel.created, source.created), f"{tid} [{a}:{b}]")
        for rc in source.codings:  # a code applied to the whole document
            add(rc, 0, len(pmap.text), "", (), (source.created,), f"{tid} (whole document)")
        for a, b, memo in memo_only:
            targets = [i for i, c in enumerate(codings) if (c.start, c.end) == (a, b)]
            for i in targets:
                old = codings[i].memo
                codings[i] = codings[i].model_copy(
                    update={"memo": f"{old}\n\n{memo}" if old and memo not in old else memo}
                )
            if not targets:
                self.loss.add(
                    "memo",
                    f"{tid} [{a}:{b}]",
                    f"memo on a selection without a code: {excerpt(memo)!r}",
                )
        return codings

    def report_unused_notes(self) -> None:
        """Record every note not carried over as a coding memo."""
        for guid, note in self.project.notes.items():
            if guid not in self.used_notes:
                text = note.content or note.path or ""
                self.loss.add(
                    "memo", note.name or guid, f"memo not attached to a coding: {excerpt(text)!r}"
                )
