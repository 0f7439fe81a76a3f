"""Answer quality, validated: k-fold figures next to the raw figures, on dev and other sets.

    .venv/bin/python benchmarks/ask_validate.py [--folds 5] [--also DIR]

The dev questions are split into k folds by Wikipedia article (an article's questions stay in
one fold, so no setting is chosen on questions about the article it is scored on). For each
fold, the ranking setting with the best MRR@10 on the other folds is picked from a grid around
the defaults (context, document, answer_type, novelty, coverage; 0 for novelty or coverage lets
a fold leave it out) and scored on the held-out fold. ``min_coverage`` is left out: MRR always
favours answering more, and what it costs (quoting something when nothing is relevant) is what
ask_quality.py's off-topic figure measures. Takes about 2 minutes, 9 with a set folded in.
Prints the raw figures of the defaults, the grid's maximum (optimistic: chosen on what it is
scored on), the validated figures (every question scored by a setting chosen without it), and
the settings the folds chose: a default is fair when the folds agree on it. ``--also DIR``
folds in another set built by qa_pools.py (e.g. from SQuAD's training split): more articles to
choose by.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from ask_quality import EVAL, K, Tally, hit_rank, load

from bot.answer import AnswerEngine, Params

log = logging.getLogger(__name__)

GRID = {
    "context": (0.1, 0.15),
    "document": (0.45, 0.6, 0.8),
    "answer_type": (0.2, 0.3),
    "novelty": (0.0, 0.3, 0.45, 0.6, 0.75, 0.9),
    "coverage": (0.0, 0.4, 0.8, 1.2),
}
Setting = tuple[float, ...]


def settings() -> list[Setting]:
    """Every point of the grid, as values in GRID's order."""
    return list(itertools.product(*GRID.values()))


def params_of(setting: Setting) -> Params:
    """The ranking parameters of one grid point (the rest at their defaults)."""
    return dataclasses.replace(Params(), **dict(zip(GRID, setting, strict=True)))


def ranks(
    questions: list[dict[str, Any]], docs: list[dict[str, Any]], grid: list[Setting]
) -> dict[Setting, list[int | None]]:
    """Per setting, the rank of the first hit of each question (in ``questions``' order), each
    answered from its own pool."""
    by_pool: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        by_pool[str(doc["pool"])].append(doc)
    out: dict[Setting, list[int | None]] = {s: [None] * len(questions) for s in grid}
    for pool, pool_docs in sorted(by_pool.items()):
        engine = AnswerEngine()
        for doc in pool_docs:
            engine.add(str(doc["doc_id"]), str(doc["title"]), str(doc["text"]))
        asked = [(i, q) for i, q in enumerate(questions) if q["pool"] == pool]
        for setting in grid:
            engine.params = params_of(setting)
            for i, q in asked:
                found = [a.text for a in engine.answer(str(q["question"]), top=K)]
                out[setting][i] = hit_rank(found, q["answers"])
    return out


def tally(found: dict[Setting, list[int | None]], which: list[int], s: Setting) -> Tally:
    """hit@1, hit@3 and MRR@10 of setting ``s`` over the questions numbered ``which``."""
    t = Tally()
    for i in which:
        t.add(found[s][i])
    return t


def row(name: str, t: Tally) -> str:
    """One line of figures."""
    h1, h3, mrr = t.figures()
    return f"{name:<34}{h1:7.1f}{h3:7.1f}{mrr:8.1f}"


def main() -> int:
    """Print raw, grid-maximum and k-fold validated figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--also",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="another set's qa.jsonl and qa-docs.jsonl (benchmarks/qa_pools.py) to fold in",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    questions = [{**q, "set": "dev"} for q in load(EVAL / "qa-dev.jsonl")]
    docs = load(EVAL / "qa-dev-docs.jsonl")
    for n, extra in enumerate(args.also, start=1):
        # Pools are asked apart: another set's pool names are made distinct from dev's.
        name = f"also{n}"
        questions += [
            {**q, "pool": f"{name}-{q['pool']}", "set": name} for q in load(extra / "qa.jsonl")
        ]
        docs += [{**d, "pool": f"{name}-{d['pool']}"} for d in load(extra / "qa-docs.jsonl")]
    grid = settings()
    found = ranks(questions, docs, grid)
    # Folds by Wikipedia article: no article's questions both choose a setting and score it.
    articles = sorted({str(q["doc_id"]).split("#")[0] for q in questions})
    fold_of = {a: n % args.folds for n, a in enumerate(articles)}
    folds = [
        [i for i, q in enumerate(questions) if fold_of[str(q["doc_id"]).split("#")[0]] == f]
        for f in range(args.folds)
    ]
    every = list(range(len(questions)))
    default = tuple(getattr(Params(), name) for name in GRID)
    print(
        f"{len(questions)} questions about {len(articles)} articles, {args.folds} folds, "
        f"{len(grid)} settings"
    )
    print(f"{'':<34}{'hit@1':>7}{'hit@3':>7}{'MRR@10':>8}")
    print(row("raw, defaults", tally(found, every, default)))
    best = max(grid, key=lambda s: tally(found, every, s).figures()[2])
    print(
        row("grid maximum (optimistic)", tally(found, every, best)),
        dict(zip(GRID, best, strict=True)),
    )
    validated: dict[str, Tally] = defaultdict(Tally)
    for n, held in enumerate(folds, start=1):
        train = [i for i in every if i not in set(held)]
        pick = max(grid, key=lambda s: (tally(found, train, s).figures()[2], s == default))
        for i in held:
            validated["all"].add(found[pick][i])
            validated[questions[i]["set"]].add(found[pick][i])
        print(f"  fold {n} ({len(held)} questions) chose {dict(zip(GRID, pick, strict=True))}")
    print(row(f"{args.folds}-fold validated", validated.pop("all")))
    if args.also:
        for name, part in sorted(validated.items()):
            which = [i for i in every if questions[i]["set"] == name]
            print(row(f"  {name}: raw defaults", tally(found, which, default)))
            print(row(f"  {name}: validated", part))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
