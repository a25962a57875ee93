"""Deterministic benchmark corpora: the example corpus scaled by recombining its turns.

Each generated interview keeps the distribution of roles and practices of the example
corpus and is built from real turns of participants with the same role and practice
(interviewer question, respondent answer, …) until it reaches about ``words`` words.
Ids are new (``b00001``), so nothing collides with the example corpus; real names in the
recombined turns are those of the fictional example corpus.

Usage::

    python benchmarks/generate.py --interviews 500 --out benchmarks/out/c500
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from pathlib import Path

from verhalen.project import Project

REPO = Path(__file__).resolve().parents[1]


def generate(n_interviews: int, out: Path, words: int = 6000, seed: int = 13) -> Path:
    """Write ``n_interviews`` transcripts and a manifest into ``out/data/raw``.

    Returns the project folder (``out``), which gets a copy of the example configuration
    and codebook so every stage can run on it.
    """
    example = Project.open(REPO)
    corpus = example.corpus() if example.corpus_path.exists() else example.ingest()[0]
    rng = random.Random(seed)
    people = sorted(corpus.participants.values(), key=lambda p: p.id)
    questions: dict[tuple[str, str], list[str]] = defaultdict(list)
    answers: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t in corpus.transcripts:
        p = corpus.participant_of(t)
        if p is None:
            continue
        key = (p.role, p.practice)
        for turn in t.turns:
            (questions if turn.is_interviewer else answers)[key].append(turn.text)
    raw = out / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (out / "data" / "coded").mkdir(parents=True, exist_ok=True)
    (out / "verhalen.toml").write_text(
        (REPO / "verhalen.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    cb = out / "codebook"
    cb.mkdir(exist_ok=True)
    for f in (REPO / "codebook").glob("*.*"):
        (cb / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    rows = []
    for i in range(1, n_interviews + 1):
        template = people[rng.randrange(len(people))]
        key = (template.role, template.practice)
        tid, pid = f"b{i:05d}", f"q{i:05d}"
        lines, count = [], 0
        while count < words:
            q = rng.choice(questions[key])
            a = rng.choice(answers[key])
            lines.append(f"I: {q}\nR: {a}\n")
            count += len(q.split()) + len(a.split())
        front = (
            f"---\nid: {tid}\nparticipant: {pid}\nrole: {template.role}\n"
            f"practice: {template.practice}\nlanguage: nl\nfictief: true\n---\n"
        )
        (raw / f"{tid}.txt").write_text(front + "\n".join(lines), encoding="utf-8")
        rows.append(
            {
                "id": pid,
                "role": template.role,
                "practice": template.practice,
                "transcript": tid,
                **{k: v for k, v in template.attributes.items()},
            }
        )
    with (raw / "participants.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=50)
    parser.add_argument("--words", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.interviews, args.out, args.words, args.seed)
    print(f"wrote {args.interviews} interviews to {args.out}")


if __name__ == "__main__":
    main()
