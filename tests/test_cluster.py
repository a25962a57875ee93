"""Cluster stage: matrices on hand-computed cases, deterministic clustering, comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from verhalen.cluster import (
    ClusterSettings,
    SimilarityWeights,
    analyse,
    analyse_cross_case,
    cluster_codes,
    cooccurrence,
    presence,
)
from verhalen.cluster.plots import classical_mds
from verhalen.errors import VerhalenError
from verhalen.records import Code, Codebook, Factor

# Two transcripts, two participants. Turn indices 1, 3, 5 (respondent turns).
SEGMENTS = pd.DataFrame(
    {
        "segment_id": ["t1-1", "t1-3", "t1-5", "t2-1", "t2-3"],
        "transcript_id": ["t1", "t1", "t1", "t2", "t2"],
        "participant_id": ["p1", "p1", "p1", "p2", "p2"],
        "practice": ["x", "x", "x", "y", "y"],
        "role": ["moeder", "moeder", "moeder", "vrijwilliger", "vrijwilliger"],
        "turn_index": [1, 3, 5, 1, 3],
        "text": [
            "tips over slapen en eten",
            "gezellig koffie drinken samen",
            "tips over slapen, echt fijn",
            "koffie en gezellig kletsen",
            "ik kreeg een tip over eten",
        ],
    }
)
CODINGS = pd.DataFrame(
    {
        "segment_id": ["t1-1", "t1-1", "t1-3", "t1-5", "t2-1", "t2-3", "t2-3"],
        "code_id": ["a", "b", "c", "a", "c", "a", "b"],
    }
)


def test_segment_cooccurrence_counts_by_hand() -> None:
    counts = cooccurrence(CODINGS, SEGMENTS, level="segment")
    # a in t1-1, t1-5, t2-3 (3); b in t1-1, t2-3 (2); c in t1-3, t2-1 (2)
    assert counts.loc["a", "a"] == 3 and counts.loc["b", "b"] == 2 and counts.loc["c", "c"] == 2
    assert counts.loc["a", "b"] == 2 and counts.loc["a", "c"] == 0 and counts.loc["b", "c"] == 0
    jac = cooccurrence(CODINGS, SEGMENTS, normalise="jaccard")
    assert jac.loc["a", "b"] == pytest.approx(2 / (3 + 2 - 2))
    cos = cooccurrence(CODINGS, SEGMENTS, normalise="cosine")
    assert cos.loc["a", "b"] == pytest.approx(2 / np.sqrt(3 * 2))
    assert np.allclose(cos.to_numpy(), cos.to_numpy().T)


def test_window_and_participant_levels_by_hand() -> None:
    # window 2: around t1-1 (turn 1): turns 1..3 → {a, b, c}; around t1-3: turns 1..5 → {a,b,c};
    # around t1-5: turns 3..5 → {c, a}; t2-1 (turn 1): turns 1..3 → {c, a, b}; t2-3 → {c, a, b}
    win = cooccurrence(CODINGS, SEGMENTS, level="window", window=2)
    assert win.loc["a", "c"] == 5 and win.loc["b", "c"] == 4 and win.loc["a", "a"] == 5
    narrow = cooccurrence(CODINGS, SEGMENTS, level="window", window=0)
    assert narrow.equals(cooccurrence(CODINGS, SEGMENTS, level="segment").rename_axis(None))
    part = cooccurrence(CODINGS, SEGMENTS, level="participant")
    assert part.loc["a", "c"] == 2 and part.loc["a", "a"] == 2


def test_presence_tables() -> None:
    per_participant = presence(CODINGS, SEGMENTS, by="participant_id")
    assert per_participant.loc["b"].to_dict() == {"p1": 1, "p2": 1}
    share = presence(CODINGS, SEGMENTS, by="practice", share=True)
    assert share.loc["c", "x"] == 1.0 and share.loc["b", "y"] == 1.0


def test_unknown_segment_is_a_clear_error() -> None:
    bad = pd.concat([CODINGS, pd.DataFrame({"segment_id": ["nope"], "code_id": ["a"]})])
    with pytest.raises(VerhalenError, match="not in the corpus"):
        cooccurrence(bad, SEGMENTS)


def _blocks(n_per: int = 4, k: int = 3, noise: float = 0.05, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_per * k
    sim = rng.uniform(0, noise, (n, n))
    for b in range(k):
        sl = slice(b * n_per, (b + 1) * n_per)
        sim[sl, sl] += 0.8
    sim = (sim + sim.T) / 2
    np.fill_diagonal(sim, 1)
    names = [f"c{i:02d}" for i in range(n)]
    return pd.DataFrame(np.clip(sim, 0, 1), index=names, columns=names)


@pytest.mark.parametrize("method", ["average", "ward"])
def test_clustering_recovers_blocks_and_is_deterministic(method: str) -> None:
    sim = _blocks()
    first = cluster_codes(sim, k=3, method=method)  # type: ignore[arg-type]
    again = cluster_codes(sim, k=3, method=method)  # type: ignore[arg-type]
    assert np.array_equal(first.labels, again.labels)
    assert sorted(map(sorted, first.members().values())) == [
        [f"c{i:02d}" for i in range(b * 4, b * 4 + 4)] for b in range(3)
    ]
    chosen = cluster_codes(sim, k=None, method=method)  # type: ignore[arg-type]
    assert chosen.k == 3 and max(chosen.silhouettes, key=chosen.silhouettes.__getitem__) == 3


def _book() -> Codebook:
    return Codebook(
        id="mini",
        name="mini",
        factors=[Factor(id="leren", label="Leren"), Factor(id="samen", label="Samen")],
        codes=[
            Code(id="a", label="Tips", parent="leren", definition="tips en advies over slapen"),
            Code(id="b", label="Advies", parent="leren", definition="advies over eten"),
            Code(id="c", label="Gezelligheid", parent="samen", definition="gezellig samen koffie"),
        ],
    )


def test_analyse_compares_with_factors_and_is_seeded() -> None:
    settings = ClusterSettings(
        k=2, min_codings=1, n_boot=20, seed=3, weights=SimilarityWeights(0.6, 0.2, 0.2)
    )
    result = analyse(CODINGS, SEGMENTS, _book(), settings)
    assert result.clustering.members() == {1: ["a", "b"], 2: ["c"]}
    assert result.comparison.ari == pytest.approx(1.0)
    assert result.comparison.disagreements == []
    again = analyse(CODINGS, SEGMENTS, _book(), settings)
    assert result.clustering.stability is not None and again.clustering.stability is not None
    assert result.clustering.stability.equals(again.clustering.stability)
    # a code placed with the "wrong" factor is listed with evidence
    book = _book()
    book.codes[1] = book.codes[1].model_copy(update={"parent": "samen"})
    moved = analyse(CODINGS, SEGMENTS, book, settings)
    (dis,) = moved.comparison.disagreements
    assert dis.code == "b" and dis.factor == "samen" and dis.cluster_factor == "leren"
    assert dis.cooccurring[0][0] == "a" and dis.examples == ["t1-1", "t2-3"]


def test_cross_case_presence() -> None:
    cc = analyse_cross_case(
        CODINGS, SEGMENTS, _book(), ClusterSettings(k=2, min_codings=1, n_boot=0)
    )
    assert cc.presence_by_practice.loc["leren"].to_dict() == {"x": 1.0, "y": 1.0}
    assert cc.summary.loc["leren", "status"] == "gemeenschappelijk"


def test_classical_mds_preserves_euclidean_distances() -> None:
    pts = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [3.0, 4.0]])
    dist = np.linalg.norm(pts[:, None] - pts[None, :], axis=-1)
    xy = classical_mds(dist)
    again = np.linalg.norm(xy[:, None] - xy[None, :], axis=-1)
    assert np.allclose(dist, again)


def test_cli_propose_then_apply_writes_a_new_codebook_version(example_project: Path) -> None:
    from typer.testing import CliRunner

    from verhalen.cli import app
    from verhalen.cluster.proposal import read_proposal, write_proposal
    from verhalen.codebook import list_versions, load_project_codebook
    from verhalen.project import Project

    runner = CliRunner()
    project = Project.open(example_project)
    project.ingest()
    result = runner.invoke(
        app, ["cluster", "propose", "--bootstrap", "3", "--project", str(example_project)]
    )
    assert result.exit_code == 0, result.output
    proposal_path = example_project / "cluster" / "voorstel.yaml"
    proposal = read_proposal(proposal_path)
    assert proposal.k == 6 and len(proposal.categories) == 6
    assert sum(len(c.codes) for c in proposal.categories) >= 40
    for name in ("dendrogram", "heatmap", "codekaart", "factoren_per_praktijk"):
        assert (example_project / "reports" / "clusters" / f"{name}.png").stat().st_size > 1000
    # The researcher accepts the grouping but keeps one code where it was.
    before = load_project_codebook(project)
    first = proposal.categories[0]
    keep = first.codes[0].code
    first.codes = first.codes[1:]
    write_proposal(proposal, proposal_path)
    result = runner.invoke(
        app,
        [
            "cluster",
            "apply",
            "--who",
            "team",
            "--why",
            "klankbord",
            "--project",
            str(example_project),
        ],
    )
    assert result.exit_code == 0, result.output
    after = load_project_codebook(project)
    assert after.version != before.version and after.changelog[-1].action == "apply"
    assert after.factor_of(keep) == before.factor_of(keep)
    moved = {c.code: cat.factor for cat in proposal.categories for c in cat.codes}
    assert all(after.factor_of(code) == factor for code, factor in moved.items())
    assert after.version in list_versions(example_project / "codebook" / "zes_factoren.yaml")
    # applying the same proposal again changes nothing and says so
    again = runner.invoke(
        app, ["cluster", "apply", "--who", "team", "--project", str(example_project)]
    )
    assert again.exit_code == 1 and "nothing to change" in again.output


def test_cli_propose_errors_clearly_without_codings(example_project: Path) -> None:
    from typer.testing import CliRunner

    from verhalen.cli import app
    from verhalen.project import Project

    for f in (example_project / "data" / "coded").glob("*.jsonl"):
        f.unlink()
    Project.open(example_project).ingest()
    result = CliRunner().invoke(app, ["cluster", "propose", "--project", str(example_project)])
    assert result.exit_code == 1 and "no codings yet" in result.output


def test_retired_codes_are_left_out_of_the_clustering() -> None:
    from verhalen.records import CodeStatus

    book = _book()
    book.codes.append(
        Code(id="d", label="Oud", parent="samen", definition="niet meer", status=CodeStatus.retired)
    )
    codings = pd.concat(
        [CODINGS, pd.DataFrame({"segment_id": ["t1-1", "t2-1"], "code_id": ["d", "d"]})]
    )
    result = analyse(codings, SEGMENTS, book, ClusterSettings(k=2, min_codings=1, n_boot=0))
    assert "d" not in result.clustering.codes and set(result.codes) == {"a", "b", "c"}
