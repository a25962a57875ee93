"""Throughput and scaling benchmark of every stage (``make bench``): a benchmark, not a test.

For each size (default 50 and 500 interviews of about 6,000 words; ``--sizes 50,500,5000``
or ``BENCH_SIZES``) the corpus is generated once into ``benchmarks/out/c<N>``
(:mod:`generate`; reused while its stamp matches) and every stage runs in a fresh
subprocess, so the peak memory (``ru_maxrss``) is that stage's own. A child prints one JSON
object on stdout (its stage seconds, CPU seconds, peak RSS, counts); progress goes to stderr.

Stages, in pipeline order (each reads what the one before wrote in the bench project):

``ingest``
    ``Project.ingest(stream=True)`` with a cold ingest cache (``ingest-mem``: the in-memory
    ``Project.ingest()`` for comparison).
``nlp``
    :func:`verhalen.nlp.process` over every segment text with a cold DocBin cache, and in
    the same child bare ``nlp.pipe`` of the same pipeline over the same texts, alternating
    which goes first; the ratio ours / bare is the median of the pairs.
``codings``
    set-up, not a pipeline stage: two simulated coders (the corpora have no human codings):
    ``codeur_a`` = :func:`verhalen.suggest.autocode`, at most 3 codes per segment drawn
    with a fixed seed; ``codeur_b`` = ``codeur_a`` with 15 % of the codes dropped, 10 %
    swapped for another code of the same factor and 5 % of segments given an extra code.
    Written with :class:`~verhalen.coding.store.CodedStore`.
``suggest``
    :class:`~verhalen.suggest.CodeSuggester` fitted on every segment and the codings of a
    coded subset (the first 10 % of the transcripts, at most 50: what two people code by
    hand, which does not grow with the corpus), then ``suggest`` for every segment in
    batches of 2,000. ``--suggest-sample N`` suggests for the first N segments only and
    extrapolates (linear: each segment is scored on its own once the model is fitted).
``agreement``
    per-code binary reliability of the two coders with 1,000 bootstrap replicates
    (:func:`verhalen.agreement.bootstrap_binary`, all five fast statistics).
``cluster``
    pooled codings (rule ``any``) → :func:`verhalen.cluster.analyse_cross_case` and
    :func:`verhalen.cluster.analyse` with ``n_boot`` = 3 bootstrap replicates, and the
    time of one replicate of the overall analysis; ``cluster-noboot`` the same without
    replicates (``verhalen report``'s default).
``report``
    :func:`verhalen.report.build_report` on the corpus as it is (file-backed, not
    pseudonymised) and the coded store, into ``c<N>/reports``.
``privacy`` (only with ``--privacy``)
    pseudonymisation of a sample of transcripts (deduce per transcript), extrapolated to
    the corpus: the engine's set-up once plus the measured seconds per word.

Extra measurements: ``agreement-synthetic`` (100,000 units × 4 coders × 50 codes, 1,000
replicates, default BLAS threads and one thread), ``nlp-parallel`` (``n_process`` 1 vs 2),
``ingest-parallel`` (parsing with a pool of 1 vs 2 processes) and ``incremental`` (change
one transcript of a copy of the corpus, re-run ingest + NLP + suggest for it, compare with
the full run), measured on the largest size up to 500. Results: a table on stdout and
``benchmarks/out/results.json``, merged with the figures of earlier runs on the same machine
(``--sizes 5000`` adds to a ``make bench``; ``--fresh`` starts over). A child may use at most
85 % of the memory (``BENCH_MEMORY_LIMIT_GB``): a stage that runs out fails with a
``MemoryError`` instead of waking the OOM killer.

Above 1,000 interviews each stage runs once and the cluster analysis runs only without
bootstrap replicates unless ``--cluster-boot`` asks for them (``cluster-noboot``); every
stage runs on the whole corpus (``--suggest-sample N`` suggests for N segments and
extrapolates; the table marks extrapolated figures).

Usage::

    .venv/bin/python benchmarks/run.py                      # 50 and 500
    .venv/bin/python benchmarks/run.py --sizes 5000 --repeats 1
    .venv/bin/python benchmarks/run.py --sizes 50 --stages ingest,nlp --no-extras
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

_STARTED = time.perf_counter()
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generate import ensure_corpus, read_stamp  # noqa: E402

DEFAULT_SIZES = (50, 500)
STAGES = (
    "ingest",
    "ingest-mem",
    "nlp",
    "codings",
    "suggest",
    "agreement",
    "cluster",
    "cluster-noboot",
    "report",
)
OPTIONAL_STAGES = ("privacy",)
SEED = 13
FIXED_TIME = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)
CODER_A, CODER_B = "codeur_a", "codeur_b"
TRAIN_SHARE = 0.10
TRAIN_MAX = 50
SUGGEST_BATCH = 2000
CLUSTER_BOOT = 3
AGREEMENT_BOOT = 1000
PRIVACY_SAMPLE = 21  # one to load deduce, 20 measured
LARGE = 1000  # above this many interviews: 1 repeat
Opts = dict[str, Any]


# --------------------------------------------------------------------------- measuring


def rss_mb() -> float:
    """Current resident memory of this process in MB (Linux; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (``ru_maxrss``, KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakRSS:
    """Peak resident memory (MB) while a block runs, sampled every 20 ms from /proc.

    ``ru_maxrss`` only grows, so it cannot tell apart two phases of one process (bare
    ``nlp.pipe`` and ours); this samples the current RSS in a thread instead.
    """

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self.peak = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


class Clock:
    """Times the work of a stage: ``start()`` after its imports, read when it ends."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.base_rss = 0.0
        self.started = False

    def start(self) -> None:
        self.base_rss = rss_mb()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.started = True

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def say(message: str) -> None:
    """Progress on stderr (stdout carries the results)."""
    print(message, file=sys.stderr, flush=True)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def corpus_words(root: Path) -> int:
    """Words in the generated corpus (interviewer and respondent), from its stamp."""
    stamp = read_stamp(root) or {}
    return int(stamp.get("total_words", 0))


# --------------------------------------------------------------------------- stages


def stage_ingest(root: Path, opts: Opts, clock: Clock) -> Opts:
    """``Project.ingest`` with a cold ingest cache: streaming (default) or in memory."""
    from verhalen.project import Project

    project = Project.open(root)
    shutil.rmtree(project.cache_dir / "ingest", ignore_errors=True)
    stream = opts.get("mode", "stream") == "stream"
    clock.start()
    _, report = project.ingest(stream=stream, cache=opts.get("cache", True))
    return {"transcripts": report.transcripts, "segments": report.segments, "stream": stream}


def segment_texts(root: Path) -> list[str]:
    """Every segment text of the ingested corpus, streamed from ``corpus.jsonl``."""
    from verhalen.corpus import Corpus
    from verhalen.project import Project

    return [s.text for s in Corpus.open(Project.open(root).corpus_path).iter_segments()]


def stage_nlp(root: Path, opts: Opts, clock: Clock) -> Opts:
    """Our NLP stage (cold cache) against bare ``nlp.pipe`` on the same texts.

    Both consume the docs as a stream and keep none (``nlp.pipe`` into a zero-length deque;
    ours: :func:`verhalen.nlp.ensure`, which processes what the sharded DocBin cache lacks
    and writes it chunk by chunk), so the peak memory of each phase (sampled, see
    :class:`PeakRSS`) is the stage's own. Then, on the warm cache: ``ensure`` again (nothing
    to do) and streaming every doc back with :func:`verhalen.nlp.iter_views`.
    """
    import collections
    import gc

    from verhalen.nlp import DocCache, ensure, iter_views, load_pipeline
    from verhalen.project import Project

    project = Project.open(root)
    texts = segment_texts(root)
    nlp, info = load_pipeline(project.config.nlp.spacy_model)
    batch_size = project.config.nlp.batch_size
    nlp("Een zin om de pijplijn op te warmen.")
    cache_dir = project.cache_dir / "nlp"
    repeats = max(1, int(opts.get("repeats", 3)))
    clock.start()
    bare: list[tuple[float, float]] = []
    ours: list[tuple[float, float]] = []
    peaks: dict[str, float] = {"bare": 0.0, "ours": 0.0}
    processed = 0

    def run_bare() -> None:
        with PeakRSS() as peak:
            _, wall, cpu = _timed(
                lambda: collections.deque(nlp.pipe(texts, batch_size=batch_size), maxlen=0)
            )
        bare.append((wall, cpu))
        peaks["bare"] = max(peaks["bare"], peak.peak)
        say(f"    bare nlp.pipe   {wall:7.2f} s, peak {peak.peak:,.0f} MB")

    def run_ours() -> None:
        nonlocal processed
        shutil.rmtree(cache_dir, ignore_errors=True)
        cache = DocCache(cache_dir)
        with PeakRSS() as peak:
            stats, wall, cpu = _timed(lambda: ensure(texts, nlp, cache, batch_size=batch_size))
        ours.append((wall, cpu))
        peaks["ours"] = max(peaks["ours"], peak.peak)
        processed = stats.processed
        say(f"    verhalen ensure {wall:7.2f} s (cold cache), peak {peak.peak:,.0f} MB")

    for r in range(repeats):  # alternate which goes first
        for run in (run_bare, run_ours) if r % 2 == 0 else (run_ours, run_bare):
            run()
            gc.collect()
    warm, warm_s, _ = _timed(lambda: ensure(texts, nlp, DocCache(cache_dir)))
    with PeakRSS() as views_peak:
        n_views, views_s, _ = _timed(
            lambda: sum(1 for _ in iter_views(texts, nlp, DocCache(cache_dir)))
        )
    ratios = [o[0] / b[0] for o, b in zip(ours, bare, strict=True)]
    cpu_ratios = [o[1] / b[1] for o, b in zip(ours, bare, strict=True)]
    return {
        "seconds": statistics.median(w for w, _ in ours),
        "cpu_seconds": statistics.median(c for _, c in ours),
        "bare_seconds": statistics.median(w for w, _ in bare),
        "bare_cpu_seconds": statistics.median(c for _, c in bare),
        "ratio": statistics.median(ratios),
        "cpu_ratio": statistics.median(cpu_ratios),
        "ratios": ratios,
        "repeats": repeats,
        "texts": len(texts),
        "unique_texts": processed,
        "pipeline": info.describe(),
        "cache_mb": sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file()) / 2**20,
        "bare_peak_mb": peaks["bare"],
        "ours_peak_mb": peaks["ours"],
        "warm_ensure_seconds": warm_s,
        "warm_ensure_processed": warm.processed,
        "warm_views_seconds": views_s,
        "warm_views_peak_mb": views_peak.peak,
        "views": n_views,
    }


def simulate_coders(
    segments: Sequence[Any], auto: Sequence[Any], codebook: Any, seed: int = SEED
) -> tuple[list[Any], list[Any]]:
    """Two deterministic simulated coders from rule-based suggestions (see module doc)."""
    from verhalen.records import Coding, CodingSource

    order = {c.id: i for i, c in enumerate(codebook.active_codes)}
    by_factor: dict[str | None, list[str]] = {}
    for code in codebook.active_codes:
        by_factor.setdefault(codebook.factor_of(code.id), []).append(code.id)
    all_codes = list(order)
    suggested: dict[str, list[str]] = {}
    for c in auto:
        suggested.setdefault(c.segment_id, []).append(c.code_id)
    rng = random.Random(seed)

    def coding(segment: Any, code: str, coder: str) -> Coding:
        return Coding(
            segment_id=segment.id,
            code_id=code,
            coder=coder,
            timestamp=FIXED_TIME,
            source=CodingSource.manual,
            codebook_version=codebook.version,
            transcript_id=segment.transcript_id,
        )

    a_out: list[Coding] = []
    b_out: list[Coding] = []
    for segment in segments:
        codes = suggested.get(segment.id)
        if not codes:
            continue
        picked = sorted(rng.sample(codes, min(3, len(codes))), key=order.__getitem__)
        b_codes: list[str] = []
        for code in picked:
            r = rng.random()
            if r < 0.15:
                continue
            if r < 0.25:
                mates = [c for c in by_factor[codebook.factor_of(code)] if c != code]
                code = rng.choice(mates) if mates else code
            b_codes.append(code)
        if rng.random() < 0.05:
            b_codes.append(rng.choice(all_codes))
        a_out += [coding(segment, code, CODER_A) for code in picked]
        b_out += [coding(segment, code, CODER_B) for code in dict.fromkeys(b_codes)]
    return a_out, b_out


def stage_codings(root: Path, opts: Opts, clock: Clock) -> Opts:
    """Set-up: write the two simulated coders into the bench project's coded store."""
    from verhalen.coding.store import CodedStore
    from verhalen.nlp import load_pipeline, process, views_of
    from verhalen.project import Project
    from verhalen.suggest import autocode, project_codebook

    project = Project.open(root)
    codebook = project_codebook(project)
    nlp, _ = load_pipeline(project.config.nlp.spacy_model)
    clock.start()
    segments = project.corpus(stream=True).segments
    auto = []
    for batch in _batches(segments, 5000):  # no doc cache: memory stays bounded by a batch
        views = views_of(process([s.text for s in batch], nlp))
        auto += autocode(batch, codebook, views=views, timestamp=FIXED_TIME)
        say(f"    auto-coded {len(auto):,} codings so far")
    a, b = simulate_coders(segments, auto, codebook)
    shutil.rmtree(project.coded_dir, ignore_errors=True)
    project.coded_dir.mkdir(parents=True)
    CodedStore(project.coded_dir).add([*a, *b], who="benchmark", when=FIXED_TIME)
    return {
        "segments": len(segments),
        "auto_codings": len(auto),
        "codings_a": len(a),
        "codings_b": len(b),
        "coded_segments": len({c.segment_id for c in a}),
    }


def stage_suggest(root: Path, opts: Opts, clock: Clock) -> Opts:
    """Fit on a coded subset (first 10 % of transcripts, at most 50), suggest for every segment.

    The fitted model is stored in ``data/cache/suggest/`` under the fingerprint of what it
    learnt from (as :func:`verhalen.suggest.project_suggester` does): a run whose training
    inputs did not change loads it instead of fitting. ``fresh`` deletes stored models
    first. Suggestions are streamed (:meth:`CodeSuggester.iter_suggest`).
    """
    from verhalen.coding.store import CodedStore
    from verhalen.project import Project
    from verhalen.suggest import CodeSuggester, human_codings, project_codebook

    project = Project.open(root)
    codebook = project_codebook(project)
    folder = project.cache_dir / "suggest"
    if opts.get("fresh"):
        shutil.rmtree(folder, ignore_errors=True)
    clock.start()
    segments = project.corpus(stream=True).segments
    transcripts = list(dict.fromkeys(s.transcript_id for s in segments))
    n_train = max(1, math.ceil(len(transcripts) * opts.get("train_share", TRAIN_SHARE)))
    n_train = min(n_train, int(opts.get("train_max", TRAIN_MAX)))
    train = set(transcripts[:n_train])
    codings = [
        c
        for c in human_codings(CodedStore(project.coded_dir).codings(codebook=codebook))
        if c.transcript_id in train
    ]
    only = opts.get("transcript")
    targets = [s for s in segments if s.transcript_id == only] if only else segments
    sample = int(opts.get("sample") or 0)
    if sample and sample < len(targets):
        targets = targets[:sample]
    suggester = CodeSuggester(
        spacy_model=project.config.nlp.spacy_model,
        cache=project.cache_dir / "nlp",
        batch_size=project.config.nlp.batch_size,
        n_process=project.config.nlp.n_process,
    )

    def fit_or_load() -> Any:
        path = folder / f"model-{suggester.fingerprint(segments, codings, codebook)}.pkl"
        if path.is_file():
            return CodeSuggester.load(path, suggester.nlp, cache=suggester.cache)
        suggester.fit(segments, codings, codebook)
        suggester.save(path)
        return suggester

    model, fit_s, _ = _timed(fit_or_load)
    verb = "loaded the stored model" if model.from_cache else "fit"
    say(f"    {verb} {fit_s:.1f} s ({len(codings)} codings of {n_train} transcripts)")
    n = 0
    wall = time.perf_counter()
    for _ in model.iter_suggest(targets, top_k=3, batch_size=SUGGEST_BATCH):
        n += 1
        if len(targets) > 5 * SUGGEST_BATCH and n % (5 * SUGGEST_BATCH) == 0:
            say(f"    suggested {n:,} of {len(targets):,} segments")
    suggest_s = time.perf_counter() - wall
    wanted = len([s for s in segments if s.transcript_id == only]) if only else len(segments)
    out: Opts = {
        "fit_seconds": fit_s,
        "model_cached": bool(model.from_cache),
        "suggest_seconds": suggest_s,
        "ms_per_segment": 1000 * suggest_s / max(n, 1),
        "train_transcripts": n_train,
        "train_codings": len(codings),
        "suggested_segments": n,
    }
    if n < wanted:  # a sample: extrapolate the suggest part linearly
        wall, _ = clock.read()
        out |= {
            "extrapolated": True,
            "measured_seconds": wall,
            "suggest_seconds": suggest_s * wanted / max(n, 1),
            "seconds": wall + suggest_s * (wanted / max(n, 1) - 1),
        }
    return out


def stage_agreement(root: Path, opts: Opts, clock: Clock) -> Opts:
    """Per-code binary reliability of the two coders, with bootstrap intervals."""
    import numpy as np

    from verhalen.agreement import bootstrap_binary, presence_from_frame
    from verhalen.coding.store import CodedStore
    from verhalen.project import Project
    from verhalen.suggest import project_codebook

    project = Project.open(root)
    codebook = project_codebook(project)
    clock.start()
    codings, load_s, _ = _timed(lambda: CodedStore(project.coded_dir).dataframe(codebook))
    codes = [c.id for c in codebook.active_codes]
    presence, units, coders, _ = presence_from_frame(codings, codes)
    wall = time.perf_counter()
    n_boot = int(opts.get("n_boot", AGREEMENT_BOOT))
    with warnings.catch_warnings():  # codes without variation are nan: counted below
        warnings.simplefilter("ignore")
        result = bootstrap_binary(presence, codes=codes, n_boot=n_boot, seed=0)
    boot_s = time.perf_counter() - wall
    alphas = [r["krippendorff_alpha"].estimate for r in result.values()]
    return {
        "load_seconds": load_s,
        "bootstrap_seconds": boot_s,
        "units": len(units),
        "coders": len(coders),
        "codes": len(codes),
        "n_boot": n_boot,
        "median_alpha": float(np.nanmedian(alphas)) if not np.isnan(alphas).all() else None,
        "undefined_alpha": int(np.isnan(alphas).sum()),
    }


def synthetic_presence(
    n_units: int = 100_000, n_coders: int = 4, n_codes: int = 50, seed: int = 0
) -> Any:
    """A (units × coders × codes) 0/1 array: codes with 2-30 % prevalence, coders who agree
    with a unit's true codes 90 % of the time."""
    import numpy as np

    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.02, 0.3, n_codes)
    truth = rng.random((n_units, 1, n_codes)) < prevalence
    flip = rng.random((n_units, n_coders, n_codes)) < 0.1
    return (truth ^ flip).astype(np.float64)


def stage_agreement_synthetic(root: Path, opts: Opts, clock: Clock) -> Opts:
    """100,000 units × 4 coders × 50 codes, 1,000 replicates, all five fast statistics."""
    from threadpoolctl import threadpool_info

    from verhalen.agreement import bootstrap_binary

    n_units = int(opts.get("units", 100_000))
    presence = synthetic_presence(n_units, int(opts.get("coders", 4)), int(opts.get("codes", 50)))
    n_boot = int(opts.get("n_boot", AGREEMENT_BOOT))
    clock.start()
    bootstrap_binary(presence, n_boot=n_boot, seed=0)
    blas = [f"{i.get('internal_api')} {i.get('num_threads')} threads" for i in threadpool_info()]
    return {"units": n_units, "n_boot": n_boot, "blas": blas}


def stage_cluster(root: Path, opts: Opts, clock: Clock) -> Opts:
    """Pooled codings → per-practice and overall cluster analysis (as ``verhalen report``)."""
    import numpy as np

    from verhalen.cluster import ClusterSettings, analyse, analyse_cross_case, unit_code_matrix
    from verhalen.cluster.analysis import _bootstrap_sampler
    from verhalen.coding.store import CodedStore
    from verhalen.project import Project
    from verhalen.report.pooling import pool_codings
    from verhalen.suggest import project_codebook

    project = Project.open(root)
    codebook = project_codebook(project)
    clock.start()
    segments, seg_s, _ = _timed(lambda: project.corpus(stream=True).segments_df())
    segments["role"] = [project.config.report_role(r) for r in segments["role"]]
    codings, load_s, _ = _timed(lambda: CodedStore(project.coded_dir).dataframe(codebook))
    pooled = pool_codings(codings, codebook, "any")
    pooled = pooled[pooled["segment_id"].isin(segments["segment_id"])]
    settings = ClusterSettings(n_boot=int(opts.get("n_boot", CLUSTER_BOOT)), seed=0)
    wall = time.perf_counter()
    cross = analyse_cross_case(pooled, segments, codebook, settings)
    cross_s = time.perf_counter() - wall
    result, overall_s, _ = _timed(lambda: analyse(pooled, segments, codebook, settings))
    _, window_s, _ = _timed(lambda: unit_code_matrix(pooled, segments, "window", 1))
    # one bootstrap replicate of the overall analysis (resample participants, similarity)
    replicate_s = None
    if opts.get("replicate", True):
        draw = _bootstrap_sampler(result.codings, segments, codebook, settings)
        _, replicate_s, _ = _timed(lambda: draw(np.random.default_rng(0)))
    return {
        "segments_df_seconds": seg_s,
        "load_seconds": load_s,
        "cross_case_seconds": cross_s,
        "overall_seconds": overall_s,
        "window_matrix_seconds": window_s,
        "replicate_seconds": replicate_s,
        "pooled_codings": len(pooled),
        "codes": len(result.codes),
        "practices": len(cross.per_practice),
        "n_boot": settings.n_boot,
    }


def stage_report(root: Path, opts: Opts, clock: Clock) -> Opts:
    """The research report from the corpus file and the coded store."""
    from verhalen.coding.store import CodedStore
    from verhalen.project import Project
    from verhalen.report import build_report
    from verhalen.suggest import project_codebook

    project = Project.open(root)
    codebook = project_codebook(project)
    out = project.reports_dir / "bench"
    shutil.rmtree(out, ignore_errors=True)
    clock.start()
    corpus = project.corpus(stream=True)
    codings, load_s, _ = _timed(lambda: CodedStore(project.coded_dir).dataframe(codebook))
    manifest = build_report(corpus, codings, codebook, project.config, out)
    return {"load_seconds": load_s, "files": len(manifest.files), "quotes": len(manifest.quotes)}


def stage_privacy(root: Path, opts: Opts, clock: Clock) -> Opts:
    """Pseudonymise a sample of transcripts; extrapolate set-up + seconds per word."""
    from verhalen.corpus import Corpus
    from verhalen.privacy import PrivacyEngine, load_key, pseudonymise_corpus
    from verhalen.project import Project

    project = Project.open(root)
    corpus = project.corpus(stream=True)
    k = int(opts.get("sample", PRIVACY_SAMPLE))
    sample = []
    for t in corpus.iter_transcripts():
        sample.append(t)
        if len(sample) == k:
            break
    # set-up: the engine, and deduce loaded by a first transcript (one-off costs); the
    # measured part is the rest of the sample with a fresh key
    warm = Corpus(corpus.participants, sample[:1], corpus.unit, corpus.respondent_only)
    subset = Corpus(corpus.participants, sample[1:], corpus.unit, corpus.respondent_only)
    shutil.rmtree(root / "private", ignore_errors=True)
    clock.start()

    def set_up() -> Any:
        engine = PrivacyEngine.from_project(project, corpus.participants)
        pseudonymise_corpus(warm, engine, load_key(project))
        return engine

    engine, setup_s, _ = _timed(set_up)
    key = load_key(project)
    _, run_s, run_cpu = _timed(lambda: pseudonymise_corpus(subset, engine, key))
    words = sum(len(t.text.split()) for t in sample[1:])
    total = corpus_words(root) or words
    return {
        "sample_transcripts": len(sample) - 1,
        "sample_words": words,
        "setup_seconds": setup_s,
        "sample_seconds": run_s,
        "sample_cpu_seconds": run_cpu,
        "seconds": setup_s + run_s * total / max(words, 1),
        "extrapolated": True,
    }


def stage_nlp_parallel(root: Path, opts: Opts, clock: Clock) -> Opts:
    """``process`` (no cache) with ``n_process`` 1 and 2, alternating."""
    from verhalen.nlp import load_pipeline, process
    from verhalen.project import Project

    project = Project.open(root)
    texts = segment_texts(root)
    nlp, _ = load_pipeline(project.config.nlp.spacy_model)
    nlp("Een zin om de pijplijn op te warmen.")
    repeats = max(1, int(opts.get("repeats", 2)))
    clock.start()
    times: dict[int, list[float]] = {1: [], 2: []}
    for r in range(repeats):
        for n in (1, 2) if r % 2 == 0 else (2, 1):
            _, wall, _ = _timed(lambda n=n: process(texts, nlp, None, n_process=n))
            times[n].append(wall)
            say(f"    n_process={n} {wall:7.2f} s")
    one, two = statistics.median(times[1]), statistics.median(times[2])
    return {"n_process_1": one, "n_process_2": two, "speedup": one / two, "texts": len(texts)}


_WORKER: dict[str, Any] = {}


def _parse_init(root: str) -> None:
    from verhalen.config import load_config
    from verhalen.ingest.folder import _labels_for

    _WORKER["labels_for"] = _labels_for(load_config(Path(root) / "verhalen.toml"))


def _parse_one(path: str) -> Any:
    from verhalen.ingest.formats import READERS

    p = Path(path)
    return READERS[p.suffix.lower()](p, _WORKER["labels_for"])


def stage_ingest_parallel(root: Path, opts: Opts, clock: Clock) -> Opts:
    """Reading and parsing the files (the part a pool could share) with 1 and 2 processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from verhalen.ingest.folder import transcript_files

    files = [str(p) for p in transcript_files(root / "data" / "raw")]
    _parse_init(str(root))
    clock.start()
    times: dict[int, list[float]] = {1: [], 2: []}
    context = multiprocessing.get_context("spawn")  # fork after imports is unsafe with threads
    for r in range(max(1, int(opts.get("repeats", 2)))):
        for n in (1, 2) if r % 2 == 0 else (2, 1):
            wall = time.perf_counter()
            if n == 1:
                docs = [_parse_one(f) for f in files]
            else:
                with ProcessPoolExecutor(n, context, _parse_init, (str(root),)) as pool:
                    docs = list(pool.map(_parse_one, files, chunksize=8))
            times[n].append(time.perf_counter() - wall)
            assert len(docs) == len(files)
            say(f"    parse with {n} process(es) {times[n][-1]:7.2f} s")
    one, two = statistics.median(times[1]), statistics.median(times[2])
    return {"workers_1": one, "workers_2": two, "speedup": one / two, "files": len(files)}


def stage_incremental_step(root: Path, opts: Opts, clock: Clock) -> Opts:
    """One step of the incremental measurement (fresh process each): ingest, nlp or suggest.

    ``ingest``: ``Project.ingest(stream=True)`` (the ingest cache decides what is parsed);
    ``nlp``: ``process`` over every segment text with the project's DocBin cache;
    ``suggest``: as the ``suggest`` stage, for every segment or only ``transcript``'s.
    """
    from verhalen.nlp import DocCache, ensure, load_pipeline
    from verhalen.project import Project

    project = Project.open(root)
    step = opts["step"]
    if step == "ingest":
        clock.start()
        _, report = project.ingest(stream=True)
        return {"segments": report.segments}
    if step == "nlp":
        clock.start()
        texts = segment_texts(root)
        nlp, _ = load_pipeline(project.config.nlp.spacy_model)
        cache = DocCache(project.cache_dir / "nlp")
        stats = ensure(texts, nlp, cache, batch_size=project.config.nlp.batch_size)
        return {"processed": stats.processed, "cached": stats.cached}
    if step == "suggest":
        return stage_suggest(root, opts, clock)
    raise ValueError(f"unknown incremental step {step!r}")


STAGE_FUNCTIONS: dict[str, Callable[[Path, Opts, Clock], Opts]] = {
    "ingest": stage_ingest,
    "ingest-mem": lambda root, opts, clock: stage_ingest(root, {**opts, "mode": "memory"}, clock),
    "nlp": stage_nlp,
    "codings": stage_codings,
    "suggest": stage_suggest,
    "agreement": stage_agreement,
    "cluster": stage_cluster,
    "cluster-noboot": lambda root, opts, clock: stage_cluster(
        root, {**opts, "n_boot": 0, "replicate": False}, clock
    ),
    "report": stage_report,
    "privacy": stage_privacy,
    "agreement-synthetic": stage_agreement_synthetic,
    "nlp-parallel": stage_nlp_parallel,
    "ingest-parallel": stage_ingest_parallel,
    "incremental-step": stage_incremental_step,
}


def run_stage(name: str, root: Path, opts: Opts | None = None) -> Opts:
    """Run one stage in this process and return its measurement (no subprocess)."""
    clock = Clock()
    result = STAGE_FUNCTIONS[name](Path(root), dict(opts or {}), clock)
    wall, cpu = clock.read() if clock.started else (0.0, 0.0)
    result.setdefault("seconds", wall)
    result.setdefault("cpu_seconds", cpu)
    result["base_rss_mb"] = clock.base_rss
    result["peak_rss_mb"] = peak_rss_mb()
    return result


# --------------------------------------------------------------------------- parent


def run_child(
    name: str, root: Path, opts: Opts | None = None, env: dict[str, str] | None = None
) -> Opts:
    """Run a stage in a fresh Python process; its JSON result, or ``{"error": ...}``."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        name,
        "--root",
        str(root),
        "--opts",
        json.dumps(opts or {}),
    ]
    started = time.perf_counter()
    proc = subprocess.run(
        command,
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"exit code {proc.returncode}", "process_seconds": 0.0}
    result: Opts = json.loads(lines[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def median_of(runs: list[Opts]) -> Opts:
    """The run with the median stage seconds, with every run's seconds and peak RSS kept."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[-1]
    ranked = sorted(ok, key=lambda r: r["seconds"])
    best = dict(ranked[(len(ranked) - 1) // 2])
    best["seconds"] = statistics.median(r["seconds"] for r in ok)
    best["runs_seconds"] = [round(r["seconds"], 3) for r in ok]
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in ok)
    return best


def measure(name: str, root: Path, repeats: int, opts: Opts | None = None, label: str = "") -> Opts:
    runs = []
    for r in range(repeats):
        say(f"[{label or root.name}] {name} ({r + 1}/{repeats}) …")
        result = run_child(name, root, opts)
        runs.append(result)
        if "error" in result:
            say(f"[{label or root.name}] {name}: FAILED ({result['error']})")
            break
        say(
            f"[{label or root.name}] {name}: {result['seconds']:.2f} s, "
            f"peak RSS {result['peak_rss_mb']:.0f} MB"
        )
    return median_of(runs)


def _change_one(path: Path) -> None:
    """Edit one respondent answer of a transcript file (deterministically)."""
    text = path.read_text(encoding="utf-8")
    marker = "\nR: "
    at = text.index(marker) + len(marker)
    path.write_text(
        text[:at] + "Dat wil ik er nog even bij zeggen, voor de duidelijkheid. " + text[at:],
        encoding="utf-8",
    )


INCREMENTAL_CASES = {
    # which transcript is edited: one the suggestion model did not learn from (the model
    # trains on the first transcripts, see stage_suggest), and one it did
    "outside-training": lambda files: files[len(files) // 2],
    "in-training": lambda files: files[0],
}


def incremental(source: Path, repeats: int, case: str = "outside-training") -> Opts:
    """Full run vs re-run after changing one transcript, on a copy of ``source``.

    The run is ingest + NLP + suggest (fit, or the stored model when nothing it learnt from
    changed, then suggestions for every segment); the re-run after the edit is ingest +
    NLP (both cached per file / per text) + suggest for the changed transcript's segments.
    """
    work = source.parent / f"{source.name}-inc"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("verhalen.toml", "bench-corpus.json"):
        shutil.copy2(source / name, work / name)
    shutil.copytree(source / "codebook", work / "codebook")
    shutil.copytree(source / "data" / "raw", work / "data" / "raw")
    shutil.copytree(source / "data" / "coded", work / "data" / "coded")
    files = sorted((work / "data" / "raw").glob("*.txt"))
    changed = INCREMENTAL_CASES[case](files)
    original = changed.read_bytes()
    tid = changed.stem
    steps = ("ingest", "nlp", "suggest")
    full: dict[str, list[float]] = {s: [] for s in steps}
    rerun: dict[str, list[float]] = {s: [] for s in steps}
    details: dict[str, Opts] = {}
    for r in range(repeats):
        changed.write_bytes(original)
        for cache in ("ingest", "nlp", "suggest"):
            shutil.rmtree(work / "data" / "cache" / cache, ignore_errors=True)
        (work / "data" / "corpus.jsonl").unlink(missing_ok=True)
        for step in steps:
            say(f"[incremental {case} {r + 1}/{repeats}] full {step} …")
            result = run_child("incremental-step", work, {"step": step})
            full[step].append(result["seconds"])
            details[f"full_{step}"] = result
        _change_one(changed)
        for step in steps:
            say(f"[incremental {case} {r + 1}/{repeats}] re-run {step} …")
            opts: Opts = {"step": step} | ({"transcript": tid} if step == "suggest" else {})
            result = run_child("incremental-step", work, opts)
            rerun[step].append(result["seconds"])
            details[f"rerun_{step}"] = result
    changed.write_bytes(original)
    full_total = statistics.median(sum(full[s][i] for s in steps) for i in range(repeats))
    rerun_total = statistics.median(sum(rerun[s][i] for s in steps) for i in range(repeats))
    keys = ("processed", "cached", "fit_seconds", "suggest_seconds", "segments", "model_cached")
    return {
        "case": case,
        "corpus": source.name,
        "changed": changed.name,
        "repeats": repeats,
        "full": {s: statistics.median(v) for s, v in full.items()},
        "rerun": {s: statistics.median(v) for s, v in rerun.items()},
        "full_seconds": full_total,
        "rerun_seconds": rerun_total,
        "share": rerun_total / full_total,
        "details": {k: {key: v[key] for key in keys if key in v} for k, v in details.items()},
    }


def machine() -> Opts:
    """Where the figures come from: CPU, memory, Python and library versions."""
    import importlib.metadata

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "-"

    cpu = "?"
    meminfo = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        meminfo = Path("/proc/meminfo").read_text().splitlines()[0]
    except (OSError, StopIteration):
        pass
    mem_kb = int(meminfo.split()[1]) if meminfo else 0
    libs = ["verhalen", "spacy", "numpy", "scipy", "pandas", "scikit-learn", "pydantic"]
    libs += ["simplemma", "deduce", "threadpoolctl"]
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(mem_kb / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "libraries": {name: version(name) for name in libs},
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


# --------------------------------------------------------------------------- table

ROW_LABELS = {
    "ingest": "ingest (stream, cold cache)",
    "ingest-mem": "ingest (in memory, cold cache)",
    "nlp": "NLP (process, cold DocBin cache)",
    "codings": "set-up: 2 simulated coders",
    "suggest": "suggest (fit + all segments)",
    "agreement": "agreement (50 codes, 1,000 boots)",
    "cluster": "cluster (cross-case + overall)",
    "cluster-noboot": "cluster, no bootstrap",
    "report": "report (build_report)",
    "privacy": "privacy (sample, extrapolated)",
}


def table(results: Opts) -> str:
    """The results as a Markdown table plus the extra measurements."""
    lines = [
        "| stage | interviews | words | seconds | words/s | peak RSS MB | notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    order = [*STAGES, *OPTIONAL_STAGES]
    for size in sorted(results["sizes"], key=int):
        stages = results["sizes"][size]
        words = stages.get("_words", 0)
        for name in sorted(stages, key=lambda n: order.index(n) if n in order else len(order)):
            r = stages[name]
            if name.startswith("_"):
                continue
            if "error" in r:
                lines.append(f"| {ROW_LABELS.get(name, name)} | {size} | {words:,} | failed |||")
                continue
            notes = ""
            if name == "nlp":
                notes = (
                    f"bare nlp.pipe {r['bare_seconds']:.1f} s; ratio {r['ratio']:.2f}× "
                    f"(CPU {r['cpu_ratio']:.2f}×); {r['unique_texts']:,} of {r['texts']:,} "
                    "texts unique"
                )
                if "ours_peak_mb" in r:
                    notes += (
                        f"; peak {r['ours_peak_mb']:,.0f} MB (bare {r['bare_peak_mb']:,.0f}); "
                        f"warm ensure {r['warm_ensure_seconds']:.1f} s, "
                        f"warm views {r['warm_views_seconds']:.1f} s"
                    )
            elif name == "suggest":
                notes = (
                    f"fit {r['fit_seconds']:.1f} s ({r['train_codings']:,} codings), "
                    f"suggest {r['suggest_seconds']:.1f} s"
                )
                if "ms_per_segment" in r:
                    notes += f" ({r['ms_per_segment']:.2f} ms per segment)"
            elif name == "agreement":
                notes = f"{r['units']:,} units; bootstrap {r['bootstrap_seconds']:.1f} s"
            elif name.startswith("cluster"):
                notes = (
                    f"cross-case {r['cross_case_seconds']:.1f} s, overall "
                    f"{r['overall_seconds']:.1f} s, n_boot {r['n_boot']}"
                )
                if r.get("replicate_seconds") is not None:
                    notes += f" (one overall replicate {r['replicate_seconds']:.1f} s)"
            elif name == "codings":
                notes = f"{r['codings_a']:,} + {r['codings_b']:,} codings"
            elif name == "privacy":
                notes = (
                    f"{r['sample_transcripts']} transcripts in {r['sample_seconds']:.1f} s "
                    f"+ set-up {r['setup_seconds']:.1f} s"
                )
            elif name.startswith("ingest"):
                notes = f"{r['segments']:,} segments"
            rate = words / r["seconds"] if r["seconds"] else float("nan")
            mark = " (extrapolated)" if r.get("extrapolated") else ""
            if name == "suggest" and r.get("extrapolated"):
                notes += f"; suggest measured on {r['suggested_segments']:,} segments"
            lines.append(
                f"| {ROW_LABELS.get(name, name)} | {size} | {words:,} | {r['seconds']:.2f}{mark} | "
                f"{rate:,.0f} | {r['peak_rss_mb']:,.0f} | {notes} |"
            )
    extras = results.get("extras", {})
    if "agreement_synthetic" in extras:
        lines += ["", "Agreement, 100,000 units × 4 coders × 50 codes, 1,000 replicates:"]
        for label, r in extras["agreement_synthetic"].items():
            if isinstance(r, dict) and "error" not in r:
                lines.append(
                    f"- {label}: {r['seconds']:.2f} s (runs {r['runs_seconds']}), "
                    f"peak RSS {r['peak_rss_mb']:,.0f} MB"
                )
    if "nlp_parallel" in extras and "error" not in extras["nlp_parallel"]:
        r = extras["nlp_parallel"]
        lines.append(
            f"- NLP n_process=1: {r['n_process_1']:.2f} s, n_process=2: {r['n_process_2']:.2f} s "
            f"(speed-up {r['speedup']:.2f}×, {r['texts']:,} texts, c{r['size']})"
        )
    if "ingest_parallel" in extras and "error" not in extras["ingest_parallel"]:
        r = extras["ingest_parallel"]
        lines.append(
            f"- ingest parsing, 1 process: {r['workers_1']:.2f} s, 2 processes: "
            f"{r['workers_2']:.2f} s (speed-up {r['speedup']:.2f}×, {r['files']} files)"
        )
    for case, r in extras.get("incremental", {}).items():
        if not isinstance(r, dict) or "error" in r or "rerun" not in r:
            continue
        steps = ", ".join(
            f"{s} {r['rerun'][s]:.2f}/{r['full'][s]:.2f} s" for s in ("ingest", "nlp", "suggest")
        )
        lines.append(
            f"- incremental, {case} ({r['corpus']}, {r['changed']} changed): re-run "
            f"{r['rerun_seconds']:.2f} s vs full {r['full_seconds']:.2f} s = "
            f"{100 * r['share']:.1f} % (re-run/full: {steps})"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.replace(" ", "").split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "50,500"))
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated")
    parser.add_argument("--privacy", action="store_true", help="also measure pseudonymisation")
    parser.add_argument("--repeats", type=int, default=None, help="default 3 (1 above 1,000)")
    parser.add_argument("--no-extras", action="store_true", help="skip the extra measurements")
    parser.add_argument("--extras", default="agreement,parallel,incremental")
    parser.add_argument("--words", type=int, default=6000)
    parser.add_argument(
        "--suggest-sample", type=int, default=None, help="suggest for N segments, extrapolate"
    )
    parser.add_argument("--cluster-boot", type=int, default=None, help="replicates (default 3)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--fresh", action="store_true", help="do not merge into results.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--opts", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        limit = int(float(os.environ.get("BENCH_MEMORY_LIMIT_GB", "0")) * 2**30)
        if limit > 0:  # a MemoryError in this child instead of the OOM killer on the machine
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        result = run_stage(args.child, args.root, json.loads(args.opts))
        result["child_seconds"] = time.perf_counter() - _STARTED
        print(json.dumps(result, default=str))
        return 0

    if "BENCH_MEMORY_LIMIT_GB" not in os.environ:  # children get at most 85 % of the memory
        total = float(machine().get("memory_gb") or 0)
        os.environ["BENCH_MEMORY_LIMIT_GB"] = str(round(0.85 * total, 1)) if total else "0"
    sizes = _sizes(args.sizes)
    stages = [s for s in args.stages.split(",") if s]
    if args.privacy and "privacy" not in stages:
        stages.append("privacy")
    unknown = [s for s in stages if s not in STAGES + OPTIONAL_STAGES]
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; stages: {', '.join(STAGES + OPTIONAL_STAGES)}")
    extras = set() if args.no_extras else set(args.extras.split(","))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "results.json"
    results: Opts = {"date": now, "machine": machine(), "sizes": {}, "extras": {}}
    if target.is_file() and not args.fresh:  # merge: keep what this run does not measure
        try:
            old = json.loads(target.read_text(encoding="utf-8"))
        except ValueError:
            old = {}
        if old.get("machine", {}).get("cpu_model") == results["machine"]["cpu_model"]:
            results["sizes"], results["extras"] = old.get("sizes", {}), old.get("extras", {})

    def save() -> None:
        target.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")

    roots: dict[int, Path] = {}
    for size in sizes:
        root, reused = ensure_corpus(size, args.out / f"c{size}", words=args.words, seed=SEED)
        roots[size] = root
        say(f"[c{size}] corpus {'reused' if reused else 'generated'}: {root}")
        repeats = args.repeats or (3 if size <= LARGE else 1)
        entry: Opts = results["sizes"].setdefault(str(size), {})
        entry["_words"] = corpus_words(root)
        for stage in stages:
            opts: Opts = {"repeats": repeats} if stage == "nlp" else {}
            if stage == "suggest":  # a full run: fit, never a stored model
                opts["fresh"] = True
                if args.suggest_sample:
                    opts["sample"] = args.suggest_sample
            if stage == "cluster":  # a replicate is O(participants × codings): see RESULTS
                if size > LARGE and args.cluster_boot is None:
                    say(f"[c{size}] cluster with bootstrap skipped: see cluster-noboot")
                    continue
                opts["n_boot"] = CLUSTER_BOOT if args.cluster_boot is None else args.cluster_boot
            # the NLP stage repeats inside its child (bare and ours alternate); the coders
            # are set-up, written once
            once = stage in ("nlp", "codings")
            entry[stage] = measure(stage, root, 1 if once else repeats, opts) | {"date": now}
            save()
    small = [s for s in sizes if s <= 500]
    if "agreement" in extras:
        say("[agreement-synthetic] 100,000 × 4 × 50 …")
        results["extras"]["agreement_synthetic"] = {
            "default BLAS threads": measure("agreement-synthetic", REPO, 3, label="synthetic"),
            "date": now,
        }
        save()
        runs = []
        for r in range(3):
            say(f"[synthetic] one BLAS thread ({r + 1}/3) …")
            runs.append(
                run_child(
                    "agreement-synthetic",
                    REPO,
                    env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
                )
            )
        results["extras"]["agreement_synthetic"]["1 BLAS thread"] = median_of(runs)
        save()
    if "parallel" in extras and small:
        root = roots[max(small)]
        results["extras"]["nlp_parallel"] = measure("nlp-parallel", root, 1, {"repeats": 2}) | {
            "size": max(small),
            "date": now,
        }
        results["extras"]["ingest_parallel"] = measure(
            "ingest-parallel", root, 1, {"repeats": 2}
        ) | {"size": max(small), "date": now}
        save()
    if "incremental" in extras and small:
        root = roots[max(small)]
        if (root / "data" / "coded").is_dir() and any((root / "data" / "coded").iterdir()):
            repeats = 2 if max(small) >= 500 else 3
            results["extras"]["incremental"] = {
                case: incremental(root, repeats, case) | {"date": now} for case in INCREMENTAL_CASES
            }
        else:
            say("[incremental] skipped: run the codings stage first")
        save()
    print(table(results))
    say(f"results written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
