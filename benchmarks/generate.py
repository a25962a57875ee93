"""Deterministic benchmark corpora: the example corpus scaled by recombining its turns.

Each generated interview keeps the distribution of roles and practices of the example
corpus (a participant of the example corpus is drawn as the template) and is built from
turns of participants with the same role and practice (an interviewer question, then a
respondent answer, …) until it reaches about ``words`` words. Interviewer questions are
real turns. A respondent answer takes the shape of a real answer (its lines and
paragraphs, and the number of words of each line) and is filled with real sentences drawn
from all answers of that role and practice, so turn lengths follow the example corpus while
nearly every answer is a new text: re-using whole answers would make almost every segment
a duplicate, and every stage that caches or de-duplicates by text (the NLP stage does)
would measure a few hundred texts instead of the corpus. Ids are new (transcript
``b00001``, participant ``q00001``), so nothing collides with the example corpus; names
inside the recombined sentences are those of the fictional example corpus.

The same ``(n_interviews, words, seed)``, generator version and example corpus give
byte-identical files; :func:`ensure_corpus` reuses a generated folder when its stamp
(``bench-corpus.json``) matches and regenerates it otherwise.

Usage::

    python benchmarks/generate.py --interviews 500 --out benchmarks/out/c500
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from verhalen.project import Project

REPO = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 3
STAMP = "bench-corpus.json"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _sentences(answers: list[str]) -> list[str]:
    """Every sentence of the answers, in order (a sentence ends at . ! ? or …)."""
    return [
        sentence
        for answer in answers
        for line in answer.split("\n")
        for sentence in _SENTENCE_END.split(line.strip())
        if sentence
    ]


def _compose(template: str, pool: list[str], rng: random.Random) -> str:
    """A new answer shaped like ``template``: each line refilled with random sentences."""
    lines = []
    for line in template.split("\n"):
        target = len(line.split())
        picked: list[str] = []
        count = 0
        while count < target:
            sentence = pool[rng.randrange(len(pool))]
            picked.append(sentence)
            count += len(sentence.split())
        lines.append(" ".join(picked))
    return "\n".join(lines)


def _source_turns(
    example: Path,
) -> tuple[list[Any], dict[tuple[str, str], list[str]], dict[tuple[str, str], list[str]], str]:
    """Participants and the question/answer turns per (role, practice) of a project.

    The example corpus is read from ``data/raw`` without writing anything (so the example
    project's ``data/corpus.jsonl`` is never touched); returns also a hash of the material.
    """
    corpus, _ = Project.open(example).ingest(write=False)
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
    people = [p for p in people if questions[p.role, p.practice] and answers[p.role, p.practice]]
    digest = hashlib.sha256()
    for key in sorted(answers):
        for text in (*questions[key], "\x1e", *answers[key]):
            digest.update(text.encode("utf-8") + b"\x1f")
    for p in people:
        digest.update(json.dumps(p.model_dump(mode="json"), sort_keys=True).encode("utf-8"))
    return people, questions, answers, digest.hexdigest()[:16]


def _stamp(n_interviews: int, words: int, seed: int, source: str) -> dict[str, Any]:
    return {
        "generator_version": GENERATOR_VERSION,
        "interviews": n_interviews,
        "words": words,
        "seed": seed,
        "source": source,
    }


def generate(
    n_interviews: int,
    out: Path,
    words: int = 6000,
    seed: int = 13,
    example: Path = REPO,
) -> Path:
    """Write ``n_interviews`` transcripts and a manifest into ``out/data/raw``.

    Returns the project folder (``out``), which gets a copy of the example configuration
    and codebook so every stage can run on it. Anything generated there before (raw files,
    corpus, codings, caches, reports) is removed first.
    """
    people, questions, answers, source = _source_turns(example)
    rng = random.Random(seed)
    out = Path(out)
    for stale in ("data", "reports", "codebook"):
        if (out / stale).exists():
            shutil.rmtree(out / stale)
    (out / STAMP).unlink(missing_ok=True)
    raw = out / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (out / "data" / "coded").mkdir(parents=True, exist_ok=True)
    (out / "verhalen.toml").write_text(
        (example / "verhalen.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    cb = out / "codebook"
    cb.mkdir(exist_ok=True)
    for f in sorted((example / "codebook").iterdir()):
        if f.is_file() and not f.name.startswith("."):
            shutil.copyfile(f, cb / f.name)
    pools = {key: _sentences(texts) for key, texts in answers.items()}
    rows = []
    total = 0
    for i in range(1, n_interviews + 1):
        template = people[rng.randrange(len(people))]
        key = (template.role, template.practice)
        tid, pid = f"b{i:05d}", f"q{i:05d}"
        lines, count = [], 0
        while count < words:
            q = rng.choice(questions[key])
            a = _compose(rng.choice(answers[key]), pools[key], rng)
            lines.append(f"I: {q}\nR: {a}\n")
            count += len(q.split()) + len(a.split())
        total += count
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
                **dict(template.attributes),
            }
        )
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with (raw / "participants.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    stamp = _stamp(n_interviews, words, seed, source) | {"total_words": total}
    # written last: a folder without a stamp is an interrupted generation
    (out / STAMP).write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def read_stamp(out: Path) -> dict[str, Any] | None:
    """The stamp of a generated folder, or ``None`` (not generated or interrupted)."""
    try:
        data: dict[str, Any] = json.loads((Path(out) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def ensure_corpus(
    n_interviews: int, out: Path, words: int = 6000, seed: int = 13, example: Path = REPO
) -> tuple[Path, bool]:
    """Generate the corpus unless ``out`` already holds the same one.

    Returns ``(out, reused)``. Reuse needs the same generator version, size, words, seed
    and example material (its hash), so a stale folder is never benchmarked by mistake.
    """
    stamp = read_stamp(out)
    if stamp is not None:
        _, _, _, source = _source_turns(example)
        wanted = _stamp(n_interviews, words, seed, source)
        if all(stamp.get(k) == v for k, v in wanted.items()):
            return Path(out), True
    return generate(n_interviews, out, words, seed, example), False


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--interviews", type=int, default=50)
    parser.add_argument("--words", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.interviews, args.out, args.words, args.seed)
    print(f"wrote {args.interviews} interviews to {args.out}")


if __name__ == "__main__":
    main()
