"""Suggestions for coding sheets: an adapter from the suggest stage to a ``SuggestFn``.

Sheets accept any ``suggest_fn(segments) -> {segment_id: [(code_id, score, reason)]}``;
this builds one from :func:`verhalen.suggest.project_suggester`, a
:class:`~verhalen.suggest.CodeSuggester` fitted on the project's corpus, the human coding done
so far and the codebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from verhalen.coding.sheets import SuggestFn, Suggestion
from verhalen.project import Project
from verhalen.records import Codebook, Segment


def project_suggest_fn(project: Project, codebook: Codebook, *, top_k: int = 3) -> SuggestFn:
    """A ``SuggestFn`` backed by the project's fitted suggester (top ``top_k`` per segment).

    Raises
    ------
    VerhalenError
        If the corpus is missing or the suggester cannot be fitted.
    ModuleNotFoundError
        If the suggest stage is not installed in this build.
    """
    from verhalen.suggest import project_suggester

    suggester = project_suggester(project, codebook)

    def suggest(segments: Sequence[Segment]) -> Mapping[str, Sequence[Suggestion]]:
        return {
            item.segment_id: [(s.code, s.score, "; ".join(s.reasons)) for s in item.suggestions]
            for item in suggester.suggest(list(segments), top_k=top_k)
        }

    return suggest
