"""Recall and precision of the pseudonymisation per kind of identifier.

Runs verhalen's privacy engine (deduce + patterns + lists + heuristics, configured like
the example project: its local names file ``codebook/lokale_namen.txt``) over two Dutch
test sets and prints a table per kind for each:

* ``tests/fixtures/privacy/testset.yaml`` — the development set (239 identifiers), used
  while tuning the engine, so its figures are optimistic;
* ``tests/fixtures/privacy/testset_heldout.yaml`` — the held-out set (124 identifiers),
  written afterwards and never tuned on: the honest estimate for new interviews.

Usage::

    .venv/bin/python benchmarks/privacy_eval.py [--misses] [--no-deduce]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from verhalen.privacy.evaluate import LabelledSet, engine_for_testset, evaluate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "privacy"
SETS = {
    "ontwikkelset (testset.yaml)": FIXTURES / "testset.yaml",
    "controleset (testset_heldout.yaml)": FIXTURES / "testset_heldout.yaml",
}
LOCAL_NAMES = ROOT / "codebook" / "lokale_namen.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Privacy recall/precision per kind.")
    parser.add_argument("--misses", action="store_true", help="list misses and false alarms")
    parser.add_argument("--no-deduce", action="store_true", help="leave deduce out")
    args = parser.parse_args(argv)
    for title, path in SETS.items():
        testset = LabelledSet.load(path)
        started = time.perf_counter()
        engine = engine_for_testset(testset, LOCAL_NAMES, use_deduce=not args.no_deduce)
        result = evaluate(engine, testset)
        elapsed = time.perf_counter() - started
        print(
            f"\n{title}: {len(testset.sentences)} sentences, {len(testset.gold())} "
            f"identifiers ({elapsed:.1f} s)"
        )
        print(result.table())
        if args.misses:
            for gold in result.missed:
                print(f"  missed       {gold.sentence} {gold.kind:10} {gold.text!r}")
            for sentence, text, kind in result.false_alarms:
                print(f"  false alarm  {sentence} {kind:10} {text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
