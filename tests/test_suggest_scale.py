"""CodeSuggester at scale: what the fit depends on, the stored model, streaming, the cap."""

from __future__ import annotations

import pickle
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

import verhalen.suggest.suggester as suggester_module
from tests.test_nlp_shared import blank, codebook, coding, segment, synthetic_corpus
from verhalen.coding.store import CodedStore
from verhalen.errors import VerhalenError
from verhalen.project import Project
from verhalen.records import Code, Segment
from verhalen.suggest import (
    CodeSuggester,
    learning_segments,
    model_folder,
    project_suggester,
    select_training,
)
from verhalen.suggest.features import FeatureSpace
from verhalen.suggest.knowledge import CodebookKnowledge
from verhalen.suggest.rules import RuleSet

NEW = [
    segment("x-1", "We gaan nu vaak naar de bieb voor een prentenboek.", "x"),
    segment("x-2", "Zij gaf me een tip: eerst een verhaaltje, dan slapen.", "x"),
    segment("x-3", "Gewoon een kopje thee, heel gezellig. (lacht)", "x"),
    segment("x-4", "Ja.", "x"),
]

UNCODED = [
    segment(f"u{i:02d}-t001", text, f"u{i:02d}")
    for i, text in enumerate(
        [
            "Mijn schoonmoeder past op als ik werk, dat scheelt.",
            "We fietsen elke dinsdag samen naar het buurthuis.",
            "Soms is het druk, dan ga ik eerder naar huis.",
        ]
    )
]


def _suggester(**options: object) -> CodeSuggester:
    return CodeSuggester(blank()[0], **options)  # type: ignore[arg-type]


def _corpus() -> tuple[list[Segment], list]:  # type: ignore[type-arg]
    segments, codings = synthetic_corpus()
    return [*segments, *UNCODED], codings


def _same(a: CodeSuggester, b: CodeSuggester, segments: list[Segment]) -> bool:
    ta, tb = a.score(segments), b.score(segments)
    return bool(np.array_equal(ta.score, tb.score) and np.array_equal(ta.model, tb.model))


# ---------------------------------------------------------------- what the fit depends on


def test_an_uncoded_segment_does_not_change_the_model() -> None:
    segments, codings = _corpus()
    base = _suggester(background=0).fit(segments, codings, codebook())
    changed = [
        s.model_copy(update={"text": "Iets heel anders over de bieb en een prentenboek."})
        if s.id == UNCODED[0].id
        else s
        for s in segments
    ]
    again = _suggester(background=0)
    assert again.fingerprint(changed, codings, codebook()) == base.fingerprint_
    again.fit(changed, codings, codebook())
    assert again.fingerprint_ == base.fingerprint_
    assert _same(base, again, NEW + segments[:10])
    only_coded = _suggester(background=0).fit(segments[:48], codings, codebook())
    assert only_coded.fingerprint_ == base.fingerprint_  # uncoded segments are not needed
    assert _same(base, only_coded, NEW)


def test_a_coded_text_or_a_label_changes_the_model() -> None:
    segments, codings = _corpus()
    base = _suggester(background=0).fit(segments, codings, codebook())
    target = codings[0].segment_id
    edited = [
        s.model_copy(update={"text": s.text + " Heel gezellig met koffie."})
        if s.id == target
        else s
        for s in segments
    ]
    by_text = _suggester(background=0).fit(edited, codings, codebook())
    assert by_text.fingerprint_ != base.fingerprint_
    assert not _same(base, by_text, NEW)
    assert codings[0].code_id != "voorlezen"
    relabelled = [
        c.model_copy(update={"code_id": "voorlezen"}) if c.segment_id == target else c
        for c in codings
    ]
    by_label = _suggester(background=0).fit(segments, relabelled, codebook())
    assert by_label.fingerprint_ != base.fingerprint_
    assert not _same(base, by_label, NEW)
    assert _suggester(background=0, C=2.0).fingerprint(segments, codings, codebook()) != (
        base.fingerprint_
    )


def test_the_background_draw_is_part_of_the_model_until_enough_is_coded() -> None:
    segments, codings = _corpus()
    fitted = _suggester(background=50).fit(segments, codings, codebook())
    assert fitted.n_coded_ == 48 and fitted.n_background_ == 2  # 50 - 48 uncoded drawn
    # fitting on learning_segments() is fitting on everything, with less in memory
    reduced = learning_segments(segments, codings, background=50)
    assert len(reduced) == 48 + 3
    same = _suggester(background=50).fit(reduced, codings, codebook())
    assert same.fingerprint_ == fitted.fingerprint_ and _same(fitted, same, NEW)
    enough = _suggester(background=48)
    changed = [s.model_copy(update={"text": "Anders."}) if s in UNCODED else s for s in segments]
    assert enough.fingerprint(changed, codings, codebook()) == enough.fingerprint(
        segments, codings, codebook()
    )


# ---------------------------------------------------------------- stored model


def test_save_and_load_give_identical_scores(tmp_path: Path) -> None:
    segments, codings = _corpus()
    fitted = _suggester().fit(segments, codings, codebook())
    assert not fitted.from_cache and fitted.fit_seconds > 0
    path = fitted.save(tmp_path / "model.pkl")
    loaded = CodeSuggester.load(path, blank()[0])
    assert loaded.from_cache and loaded.fit_seconds == 0.0
    assert loaded.fingerprint_ == fitted.fingerprint_
    a, b = fitted.score(NEW, neighbours=True), loaded.score(NEW, neighbours=True)
    for name in ("score", "model", "weight", "neighbour", "neighbour_sim"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert loaded.suggest(NEW + segments[:5]) == fitted.suggest(NEW + segments[:5])


def test_load_refuses_other_versions_and_other_files(tmp_path: Path) -> None:
    segments, codings = _corpus()
    path = _suggester().fit(segments, codings, codebook()).save(tmp_path / "model.pkl")
    with path.open("rb") as fh:
        header = pickle.load(fh)
        rest = fh.read()
    old = tmp_path / "old.pkl"
    old.write_bytes(pickle.dumps({**header, "scikit-learn": "0.1"}) + rest)
    with pytest.raises(VerhalenError, match=r"scikit-learn 0\.1"):
        CodeSuggester.load(old)
    garbage = tmp_path / "garbage.pkl"
    garbage.write_bytes(b"not a pickle")
    with pytest.raises(VerhalenError, match="cannot read"):
        CodeSuggester.load(garbage)
    with pytest.raises(VerhalenError, match="not fitted"):
        _suggester().save(tmp_path / "unfitted.pkl")


@pytest.fixture
def project_with_corpus(example_project: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    if (repo_root / "data" / "corpus.jsonl").is_file():
        shutil.copy(repo_root / "data" / "corpus.jsonl", example_project / "data")
    else:  # pragma: no cover - a fresh checkout
        Project.open(example_project).ingest()

    def load(name: str = "auto"):  # type: ignore[no-untyped-def]
        return blank()

    monkeypatch.setattr("verhalen.suggest.suggester.load_pipeline", load)
    return Project.open(example_project)


def test_project_suggester_reuses_the_stored_model_until_the_coding_changes(
    project_with_corpus: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with_corpus
    first = project_suggester(project)
    assert not first.from_cache
    stored = sorted(model_folder(project).glob("model-*.pkl"))
    assert [p.name for p in stored] == [f"model-{first.fingerprint_}.pkl"]
    segments = project.corpus().segments[:40]

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitted again")

    with monkeypatch.context() as patch:
        patch.setattr(CodeSuggester, "fit", no_fit)
        second = project_suggester(project)
    assert second.from_cache and second.fingerprint_ == first.fingerprint_
    assert second.suggest(segments) == first.suggest(segments)

    store = CodedStore(project.coded_dir)
    coded = {c.segment_id for c in store.codings()}
    uncoded = next(s for s in project.corpus().segments if s.id not in coded)
    store.add([coding(uncoded.id, "gezelligheid", coder="nieuw")])
    third = project_suggester(project)
    assert not third.from_cache and third.fingerprint_ != first.fingerprint_
    assert len(list(model_folder(project).glob("model-*.pkl"))) == 2
    fourth = project_suggester(project, keep=1)
    assert fourth.from_cache and fourth.fingerprint_ == third.fingerprint_
    assert [p.name for p in model_folder(project).glob("model-*.pkl")] == [
        f"model-{third.fingerprint_}.pkl"
    ]
    assert not project_suggester(project, use_cache=False).from_cache
    assert len(list(model_folder(project).glob("model-*.pkl"))) == 1


def test_only_coded_transcripts_are_read_when_enough_is_coded(
    project_with_corpus: Project,
) -> None:
    from verhalen.suggest.project import _fit_segments, project_codebook, project_codings

    project = project_with_corpus
    book = project_codebook(project)
    codings = project_codings(project, book)
    everything = project.corpus().segments
    for background in (0, 10_000):  # the shortcut, and the draw from the whole corpus
        suggester = _suggester(background=background)
        chosen = _fit_segments(project, codings, suggester)
        n_coded = len({c.segment_id for c in codings} & {s.id for s in everything})
        assert len(chosen) == (n_coded if background == 0 else len(everything))
        assert suggester.fingerprint(chosen, codings, book) == suggester.fingerprint(
            everything, codings, book
        )


def test_a_damaged_stored_model_is_fitted_again(project_with_corpus: Project) -> None:
    project = project_with_corpus
    first = project_suggester(project)
    path = model_folder(project) / f"model-{first.fingerprint_}.pkl"
    path.write_bytes(b"damaged")
    again = project_suggester(project)
    assert not again.from_cache
    assert CodeSuggester.load(path).fingerprint_ == first.fingerprint_  # written anew


# ---------------------------------------------------------------- streaming


def test_iter_suggest_equals_suggest_and_keeps_no_cache() -> None:
    segments, codings = _corpus()
    fitted = _suggester(chunk_size=3).fit(segments, codings, codebook())
    everything = NEW + segments
    expected = fitted.suggest(everything, top_k=2)
    streamed = list(fitted.iter_suggest(iter(everything), top_k=2, batch_size=5))
    assert streamed == expected
    assert [r.factors for r in streamed] == [r.factors for r in expected]

    def sizes() -> int:  # everything the suggester holds, except the pipeline
        return len(pickle.dumps({k: v for k, v in vars(fitted).items() if k != "nlp"}))

    before = sizes()
    more = [
        segment(f"m{i:03d}", f"Tekst nummer {i} over de bieb en koffie.", "m") for i in range(60)
    ]
    assert sum(1 for _ in fitted.iter_suggest(more, batch_size=7)) == 60
    assert sizes() == before
    with pytest.raises(VerhalenError, match="top_k"):
        fitted.iter_suggest(NEW, top_k=0)  # raised at the call, not at the first item
    with pytest.raises(VerhalenError, match="batch_size"):
        fitted.iter_suggest(NEW, batch_size=0)


def test_neighbours_are_exact_among_the_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    segments, codings = _corpus()
    fitted = _suggester().fit(segments, codings, codebook())
    probe = NEW + segments[:8]
    monkeypatch.setattr(suggester_module, "NEIGHBOUR_CANDIDATES", 12)
    table = fitted.score(probe, neighbours=True)
    x = fitted.space_.transform(fitted.views([s.text for s in probe]))
    sims = (x @ fitted.train_x_.T).toarray()
    for i, s in enumerate(probe):
        if s.id in fitted.train_ids_:
            sims[i, fitted.train_ids_.index(s.id)] = -1.0
    for j in range(len(fitted.codes_)):
        members = np.flatnonzero(fitted.train_y_[:, j])
        best = members[np.argmax(sims[:, members], axis=1)]
        assert np.array_equal(table.neighbour[:, j], best)  # 12 members, 12 candidates: exact
        assert np.allclose(table.neighbour_sim[:, j], sims[np.arange(len(probe)), best], atol=1e-6)
    monkeypatch.setattr(suggester_module, "NEIGHBOUR_CANDIDATES", 3)
    narrow = fitted.score(probe, neighbours=True)
    rows = np.arange(len(probe))
    for j in range(len(fitted.codes_)):
        chosen = narrow.neighbour[:, j]
        assert fitted.train_y_[chosen, j].all()
        assert np.allclose(narrow.neighbour_sim[:, j], sims[rows, chosen], atol=1e-6)
        assert (narrow.neighbour_sim[:, j] <= table.neighbour_sim[:, j] + 1e-6).all()


# ---------------------------------------------------------------- training cap


def _labelled(n: int, seed: int = 0) -> tuple[list[str], list[frozenset[int]]]:
    rng = random.Random(seed)
    ids = [f"s{i:05d}" for i in range(n)]
    labels = []
    for i in range(n):
        codes = {rng.choice([0, 0, 0, 1, 1, 2])}
        if i % 111 == 0:
            codes.add(3)  # rare: 10 positives (the quota: 100 // 2 // 5 codes)
        if i in (5, 600):
            codes.add(4)  # very rare: 2 positives
        labels.append(frozenset(codes))
    return ids, labels


def test_training_cap_keeps_rare_codes_and_is_deterministic() -> None:
    ids, labels = _labelled(1000)
    keep = select_training(ids, labels, 100, min_examples=2, seed=0)
    assert len(keep) == 100 and keep == sorted(keep)
    kept = [labels[i] for i in keep]
    for code, total in ((3, 10), (4, 2)):
        assert sum(code in lab for lab in kept) == total  # rare codes keep every example
    assert all(sum(c in lab for lab in kept) >= 2 for c in range(5))
    assert select_training(ids, labels, 100, min_examples=2, seed=0) == keep
    assert select_training(ids, labels, 100, min_examples=2, seed=1) != keep
    order = list(range(1000))
    random.Random(3).shuffle(order)
    shuffled = select_training([ids[i] for i in order], [labels[i] for i in order], 100, seed=0)
    assert sorted(ids[order[i]] for i in shuffled) == [ids[i] for i in keep]
    assert select_training(ids[:50], labels[:50], 100) == list(range(50))


def test_the_cap_applies_to_the_fit() -> None:
    segments, codings = synthetic_corpus(n_transcripts=10)
    book = codebook()
    book.codes.append(Code(id="zeldzaam", label="Zeldzaam", parent="ontmoeten"))
    rare = [coding(segments[3].id, "zeldzaam"), coding(segments[41].id, "zeldzaam")]
    fitted = _suggester(max_train=20).fit(segments, [*codings, *rare], book)
    assert len(fitted.train_ids_) == 20 and fitted.n_coded_ == 80
    assert fitted.n_examples_["zeldzaam"] == 2
    assert {fitted.codes_[j] for j in fitted.model_codes_} == set(fitted.codes_)
    again = _suggester(max_train=20).fit(segments, [*codings, *rare], book)
    assert again.train_ids_ == fitted.train_ids_ and _same(fitted, again, NEW)


# ---------------------------------------------------------------- parts


def test_feature_space_equals_scikit_learn_tfidf() -> None:
    segments, _ = _corpus()
    views = blank_views([s.text for s in segments])
    space = FeatureSpace().fit(views[:30])
    word = TfidfVectorizer(
        token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True
    ).fit([v.content_text for v in views[:30]])
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit(
        [v.flat_text for v in views[:30]]
    )
    assert space.word.vocabulary == word.vocabulary_
    assert space.char.vocabulary == char.vocabulary_
    rows = space.transform(views[30:])
    expected = np.hstack(
        [
            word.transform([v.content_text for v in views[30:]]).toarray() * np.sqrt(0.6),
            char.transform([v.flat_text for v in views[30:]]).toarray() * np.sqrt(0.4),
        ]
    )
    assert rows.dtype == np.float32
    assert np.allclose(rows.toarray(), expected, atol=1e-6)
    assert space.transform([]).shape == (0, space.n_features_)


def test_indexed_cue_matching_equals_the_rule_set() -> None:
    book = codebook()
    book.codes.append(
        Code(id="alles", label="Alles", parent="ontmoeten", lemma_patterns=["* *"], keywords=["ja"])
    )
    knowledge = CodebookKnowledge(book)
    texts = [s.text for s in NEW + synthetic_corpus()[0][:12]] + ["", "Ja."]
    for view in blank_views(texts):
        assert knowledge.match(view) == RuleSet(book).match(view)


def blank_views(texts: list[str]):  # type: ignore[no-untyped-def]
    from verhalen.nlp import process, views_of

    return views_of(process(texts, blank()[0]))
