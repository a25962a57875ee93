"""How good are the suggestions? Grouped cross-validation against human codes.

Segments with at least one human code (of an active code; coders other than ``auto``; the
union over coders) are split into folds by transcript or participant (scikit-learn
:class:`~sklearn.model_selection.GroupKFold`, shuffled with a seed), so no interview is in
training and test at once. For each fold a :class:`~verhalen.suggest.CodeSuggester` is fitted
on the other groups (their segments and codings) and scores the held-out segments. Metrics are
computed on the pooled out-of-fold scores:

* **precision@1**: share of segments whose best suggestion is one of their human codes;
* **recall@3**: mean share of a segment's human codes among its top 3 suggestions;
* **macro-F1**: per-code F1 averaged over the codes that occur, predicting the top code plus
  every code scoring at least ``threshold``;

per code and per factor (a factor scores the best of its codes). Two baselines get the same
treatment: the **most frequent code** of the training folds, and **keyword matching alone**
(the codebook's keywords, lemma patterns and regular expressions). A **learning curve** refits
with growing random shares of the training folds' coded segments (0 = codebook knowledge only).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from verhalen.errors import VerhalenError, VerhalenWarning
from verhalen.records import Codebook, Coding, Segment
from verhalen.suggest.suggester import CodeSuggester, human_codings, unknown_codes_warning

if TYPE_CHECKING:
    import pandas as pd

METHODS = {
    "suggester": "codesuggesties",
    "most_frequent": "meest voorkomende code",
    "keywords": "alleen trefwoorden",
}
NO_FACTOR = "(geen factor)"


@dataclass
class EvaluationResult:
    """Figures of :func:`evaluate`.

    Attributes
    ----------
    summary
        One row per method and level (``code``/``factor``): ``precision_at_1``,
        ``recall_at_3``, ``macro_f1``, ``n_segments``.
    per_code, per_factor
        One row per method and code (factor): ``support`` (human-coded segments),
        ``precision``, ``recall``, ``f1``.
    learning_curve
        One row per training share: ``fraction``, ``n_coded`` (mean coded training segments
        per fold) and the three metrics of the suggester.
    settings
        Folds, grouping, seed, threshold and counts, for the audit trail.
    """

    summary: pd.DataFrame
    per_code: pd.DataFrame
    per_factor: pd.DataFrame
    learning_curve: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (records per table) for JSON output."""
        return {
            "summary": self.summary.to_dict(orient="records"),
            "per_code": self.per_code.to_dict(orient="records"),
            "per_factor": self.per_factor.to_dict(orient="records"),
            "learning_curve": self.learning_curve.to_dict(orient="records"),
            "settings": self.settings,
        }

    def plot(self, path: str | Path) -> Path:
        """Draw the learning curve with the baselines (Dutch labels) and save it.

        Uses :class:`matplotlib.figure.Figure` directly (no global pyplot state).
        """
        from matplotlib.figure import Figure

        from verhalen.io import atomic_write_bytes

        path = Path(path)
        fig = Figure(figsize=(11, 3.8), layout="constrained")
        axes = fig.subplots(1, 3, sharey=True)
        curve = self.learning_curve
        base = self.summary[self.summary["level"] == "code"].set_index("method")
        titles = {"precision_at_1": "Precisie@1", "recall_at_3": "Recall@3", "macro_f1": "Macro-F1"}
        for ax, (metric, title) in zip(axes, titles.items(), strict=True):
            ax.plot(
                curve["n_coded"],
                curve[metric],
                marker="o",
                color="#1f6f8b",
                label=METHODS["suggester"],
            )
            for method, style in (("most_frequent", ":"), ("keywords", "--")):
                if method in base.index:
                    ax.axhline(
                        float(base.at[method, metric]),  # type: ignore[arg-type]
                        linestyle=style,
                        color="#7a7a7a",
                        label=METHODS[method],
                    )
            ax.set_title(title)
            ax.set_xlabel("Aantal gecodeerde fragmenten (training)")
            ax.set_ylim(0, 1)
            ax.grid(alpha=0.3)
        axes[0].set_ylabel("Score (kruisvalidatie)")
        axes[0].legend(loc="lower right", fontsize="small")
        fig.suptitle("Leercurve van de codesuggesties")
        import io

        buffer = io.BytesIO()
        fig.savefig(buffer, format=path.suffix.lstrip(".") or "png", dpi=120)
        atomic_write_bytes(path, buffer.getvalue())
        return path


def _ranked_metrics(
    scores: np.ndarray, truth: np.ndarray, threshold: float, k: int = 3
) -> tuple[float, float, np.ndarray]:
    """precision@1, recall@k and the binary predictions (top code + scores ≥ threshold)."""
    n = len(scores)
    order = np.argsort(-scores, axis=1, kind="stable")
    rows = np.arange(n)[:, None]
    top = order[:, :k]
    positive = scores[rows, top] > 0
    hits = truth[rows, top] & positive
    p1 = float(hits[:, 0].mean()) if n else math.nan
    r_k = float((hits.sum(axis=1) / np.maximum(truth.sum(axis=1), 1)).mean()) if n else math.nan
    pred = scores >= threshold
    pred[np.arange(n), order[:, 0]] |= scores[np.arange(n), order[:, 0]] > 0
    return p1, r_k, pred


def _label_table(
    method: str,
    labels: list[str],
    factors: list[str | None] | None,
    truth: np.ndarray,
    pred: np.ndarray,
    key: str,
) -> pd.DataFrame:
    import pandas as pd
    from sklearn.metrics import precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        truth, pred, average=None, zero_division=0.0
    )
    frame = pd.DataFrame(
        {
            "method": method,
            key: labels,
            "support": support.astype(int),
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    )
    if factors is not None:
        frame.insert(2, "factor", [f or NO_FACTOR for f in factors])
    return frame


def _factor_view(
    scores: np.ndarray, truth: np.ndarray, factors: list[str | None]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    names = sorted({f or NO_FACTOR for f in factors})
    cols = {name: [j for j, f in enumerate(factors) if (f or NO_FACTOR) == name] for name in names}
    f_scores = np.stack([scores[:, cols[n]].max(axis=1) for n in names], axis=1)
    f_truth = np.stack([truth[:, cols[n]].any(axis=1) for n in names], axis=1)
    return names, f_scores, f_truth


def _evaluate_scores(
    method: str,
    scores: np.ndarray,
    truth: np.ndarray,
    codes: list[str],
    factors: list[str | None],
    threshold: float,
) -> tuple[list[dict[str, Any]], pd.DataFrame, pd.DataFrame]:
    rows = []
    p1, r3, pred = _ranked_metrics(scores, truth, threshold)
    per_code = _label_table(method, codes, factors, truth, pred, "code")
    present = per_code["support"] > 0
    rows.append(
        {
            "method": method,
            "label": METHODS[method],
            "level": "code",
            "precision_at_1": p1,
            "recall_at_3": r3,
            "macro_f1": float(per_code.loc[present, "f1"].mean()),
            "n_segments": len(truth),
        }
    )
    names, f_scores, f_truth = _factor_view(scores, truth, factors)
    fp1, fr3, fpred = _ranked_metrics(f_scores, f_truth, threshold)
    per_factor = _label_table(method, names, None, f_truth, fpred, "factor")
    present = per_factor["support"] > 0
    rows.append(
        {
            "method": method,
            "label": METHODS[method],
            "level": "factor",
            "precision_at_1": fp1,
            "recall_at_3": fr3,
            "macro_f1": float(per_factor.loc[present, "f1"].mean()),
            "n_segments": len(truth),
        }
    )
    return rows, per_code, per_factor


def evaluate(
    segments: Sequence[Segment],
    codings: Sequence[Coding],
    codebook: Codebook,
    *,
    suggester: CodeSuggester | None = None,
    group_by: Literal["transcript", "participant"] = "transcript",
    n_splits: int = 5,
    seed: int = 0,
    threshold: float = 0.4,
    fractions: Sequence[float] = (0.0, 0.1, 0.25, 0.5, 1.0),
    progress: Callable[[Iterable[Any], str], Iterable[Any]] | None = None,
) -> EvaluationResult:
    """Cross-validate the suggestions and the two baselines against human codes.

    Parameters
    ----------
    segments
        The corpus segments (coded and uncoded).
    codings
        Human codings (``auto`` codings are ignored); merged codes are resolved.
    codebook
        The codebook whose active codes are suggested.
    suggester
        A configured, unfitted :class:`CodeSuggester` to evaluate (its NLP pipeline and cache
        are reused across folds); default ``CodeSuggester(random_state=seed)``.
    group_by
        Keep whole transcripts or whole participants in one fold.
    n_splits
        Folds (at most the number of groups).
    seed
        Seed of the fold shuffling, the learning-curve samples and the classifiers.
    threshold
        Score from which a code counts as predicted, for F1.
    fractions
        Shares of the training folds' coded segments for the learning curve.
    progress
        Optional ``progress(items, description)`` wrapper over the folds (a progress bar).

    Returns
    -------
    EvaluationResult
        Summary, per-code, per-factor and learning-curve tables.

    Raises
    ------
    VerhalenError
        If fewer than two groups have coded segments, or a setting is out of range.
    """
    import pandas as pd
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.model_selection import GroupKFold

    if group_by not in ("transcript", "participant"):
        raise VerhalenError(
            f"evaluate: group_by must be 'transcript' or 'participant', got {group_by!r}"
        )
    if n_splits < 2:
        raise VerhalenError(f"evaluate: n_splits must be at least 2, got {n_splits}")
    if any(not 0.0 <= f <= 1.0 for f in fractions):
        raise VerhalenError(f"evaluate: fractions must lie between 0 and 1, got {list(fractions)}")
    codes = [c.id for c in codebook.active_codes]
    column = {c: j for j, c in enumerate(codes)}
    factors = [codebook.factor_of(c) for c in codes]
    humans = human_codings(codings)
    labels: dict[str, set[int]] = {}
    unknown: set[str] = set()
    for c in humans:
        code = codebook.resolve(c.code_id)
        if code in column:
            labels.setdefault(c.segment_id, set()).add(column[code])
        else:
            unknown.add(c.code_id)
    if unknown:  # once here, not once per fold and learning-curve point
        unknown_codes_warning(codebook.id, unknown)
    segments = list(segments)
    coded = [s for s in segments if s.id in labels]

    def group(s: Segment) -> str:
        return (
            (s.participant_id or s.transcript_id) if group_by == "participant" else s.transcript_id
        )

    groups = np.array([group(s) for s in coded])
    n_groups = len(set(groups.tolist()))
    if n_groups < 2:
        raise VerhalenError(
            f"evaluate: coded segments come from {n_groups} {group_by}(s); cross-validation "
            f"needs coded segments from at least 2 — code segments in more interviews first"
        )
    folds = min(n_splits, n_groups)
    truth = np.zeros((len(coded), len(codes)), dtype=bool)
    for i, s in enumerate(coded):
        truth[i, sorted(labels[s.id])] = True
    fractions = sorted(set(fractions) | {1.0})
    model = suggester or CodeSuggester(random_state=seed)
    out = {m: np.zeros_like(truth, dtype=float) for m in METHODS}
    curve = {f: np.zeros_like(truth, dtype=float) for f in fractions}
    n_coded = {f: [] for f in fractions}  # type: dict[float, list[int]]
    rng = np.random.default_rng(seed)
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits: Iterable[Any] = list(splitter.split(coded, groups=groups))
    if progress is not None:
        splits = progress(splits, "Kruisvalidatie")
    for train_idx, test_idx in splits:
        test_groups = set(groups[test_idx].tolist())
        train_segments = [s for s in segments if group(s) not in test_groups]
        train_coded = [coded[i].id for i in train_idx]
        test = [coded[i] for i in test_idx]
        order = rng.permutation(len(train_coded))
        for f in fractions:
            keep = {train_coded[i] for i in order[: math.ceil(f * len(train_coded))]}
            subset = [c for c in humans if c.segment_id in keep]
            with warnings.catch_warnings():  # already said above
                warnings.filterwarnings("ignore", category=VerhalenWarning)
                table = model.fit(train_segments, subset, codebook).score(test)
            curve[f][test_idx] = table.score
            n_coded[f].append(len(keep))
            if f == 1.0:
                out["suggester"][test_idx] = table.score
                out["keywords"][test_idx] = table.knowledge.rule
                freq = truth[train_idx].mean(axis=0)
                out["most_frequent"][test_idx] = np.broadcast_to(freq, (len(test_idx), len(codes)))
    summary_rows: list[dict[str, Any]] = []
    per_code, per_factor = [], []
    for method, scores in out.items():
        rows, pc, pf = _evaluate_scores(method, scores, truth, codes, factors, threshold)
        summary_rows.extend(rows)
        per_code.append(pc)
        per_factor.append(pf)
    curve_rows = []
    for f in fractions:
        p1, r3, pred = _ranked_metrics(curve[f], truth, threshold)
        _, _, f1, support = precision_recall_fscore_support(
            truth, pred, average=None, zero_division=0.0
        )
        curve_rows.append(
            {
                "fraction": f,
                "n_coded": float(np.mean(n_coded[f])),
                "precision_at_1": p1,
                "recall_at_3": r3,
                "macro_f1": float(f1[support > 0].mean()),
            }
        )
    settings = {
        "group_by": group_by,
        "n_splits": folds,
        "seed": seed,
        "threshold": threshold,
        "n_segments": len(segments),
        "n_coded_segments": len(coded),
        "n_groups": n_groups,
        "n_codes": len(codes),
        "pipeline": model.pipeline_info.describe() if model.pipeline_info else None,
    }
    return EvaluationResult(
        pd.DataFrame(summary_rows),
        pd.concat(per_code, ignore_index=True),
        pd.concat(per_factor, ignore_index=True),
        pd.DataFrame(curve_rows),
        settings,
    )
