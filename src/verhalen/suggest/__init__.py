"""Suggest stage: ranked code suggestions with reasons, rule-based auto-coding, evaluation.

Usage::

    from verhalen.suggest import CodeSuggester, autocode, evaluate
    suggester = CodeSuggester(cache=project.cache_dir / "nlp")
    suggester.fit(corpus.segments, codings, codebook)
    for item in suggester.suggest(corpus.segments, top_k=3):
        print(item.segment_id, [(s.code, s.score, s.reasons) for s in item.suggestions])

Suggestions never change a person's coding: :func:`autocode` returns codings with
``source=suggested`` by coder ``auto``, which a person accepts by recording their own coding.
"""

from verhalen.suggest.evaluate import EvaluationResult, evaluate
from verhalen.suggest.project import (
    model_folder,
    project_codebook,
    project_codings,
    project_suggester,
    read_outside,
    suggest_for_project,
)
from verhalen.suggest.rules import AUTO_CODER, RuleHits, RuleSet, autocode
from verhalen.suggest.suggester import (
    CodeSuggester,
    FactorSuggestion,
    ScoreTable,
    SegmentSuggestions,
    Suggestion,
    human_codings,
    learning_segments,
    select_training,
)

__all__ = [
    "AUTO_CODER",
    "CodeSuggester",
    "EvaluationResult",
    "FactorSuggestion",
    "RuleHits",
    "RuleSet",
    "ScoreTable",
    "SegmentSuggestions",
    "Suggestion",
    "autocode",
    "evaluate",
    "human_codings",
    "learning_segments",
    "model_folder",
    "project_codebook",
    "project_codings",
    "project_suggester",
    "read_outside",
    "select_training",
    "suggest_for_project",
]
