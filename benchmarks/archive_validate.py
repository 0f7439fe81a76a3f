"""The first stage's settings, validated: k-fold figures of /ask on a loaded archive.

    .venv/bin/python benchmarks/archive_validate.py --database-url URL [--folds 5] \
        [--tops 200 400 800] [--candidates 8 12 16 24] [--budgets 5000 10000 20000] \
        [--caps 250 500 1000] [--questions 300]

On an archive loaded by archive.py (SQLite or PostgreSQL), every QA question is asked once per
setting of the grid: ``top`` (postings read per stem, bot.store.postings), ``candidates``
(articles whose sentences are ranked, bot.answer.engine.CANDIDATES), ``budget`` (expected
matching articles of the words the full-text index is asked when the postings cannot answer,
bot.store.budget) and, on PostgreSQL, ``cap`` (each word's newest matches found). The questions
are split into k folds by Wikipedia article (as ask_validate.py does); for each fold the setting
with the best hit@3 on the other folds (then hit@1, then the cheaper setting) is scored on the
held-out fold. Prints each setting's dev hit@1 / hit@3 and /ask median ms, the validated figures
(every question scored by a setting chosen without it) and the settings the folds chose.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from archive import EVAL, GUILD

import bot.store.budget as budgets
from bot.answer import AnswerEngine
from bot.store import Store, postings

Setting = tuple[int, int, int, int]  # top, candidates, budget, cap


async def ranks(
    store: Store, rows: list[dict[str, Any]], setting: Setting
) -> tuple[list[int | None], float]:
    """Per question, the 1-based rank of the first quote holding an answer (None: none of the
    three), and the median ms per question."""
    top, candidates, budget, cap = setting
    budgets.PG_CAP = cap  # the plan reads it per question
    postings.TOP = top  # and the postings' read
    engine = AnswerEngine(candidates=candidates, budget=budget)
    now = datetime.now(UTC)
    out: list[int | None] = []
    ms = []
    for row in rows:
        started = time.perf_counter()
        answers = await engine.ask(store, row["question"], guild_id=GUILD, now=now)
        ms.append((time.perf_counter() - started) * 1000)
        hit = [any(g in a.text for g in row["answers"]) for a in answers]
        out.append(hit.index(True) + 1 if True in hit else None)
    return out, statistics.median(ms)


def figures(found: list[int | None]) -> tuple[float, float]:
    """hit@1 and hit@3, in percent."""
    n = len(found) or 1
    return (
        100 * sum(r == 1 for r in found) / n,
        100 * sum(r is not None and r <= 3 for r in found) / n,
    )


def validate(
    rows: list[dict[str, Any]], by_setting: dict[Setting, list[int | None]], folds: int
) -> tuple[list[int | None], Counter[Setting]]:
    """Every question's rank under the setting chosen on the other folds, and the choices."""
    docs = sorted({r["doc_id"] for r in rows})
    random.Random(0).shuffle(docs)
    fold_of = {d: i % folds for i, d in enumerate(docs)}
    held: list[int | None] = [None] * len(rows)
    chosen: Counter[Setting] = Counter()
    for fold in range(folds):
        train = [i for i, r in enumerate(rows) if fold_of[r["doc_id"]] != fold]

        def merit(s: Setting, train: list[int] = train) -> tuple[float, ...]:
            h1, h3 = figures([by_setting[s][i] for i in train])
            return (h3, h1, *(-v for v in s))

        best = max(by_setting, key=merit)
        chosen[best] += 1
        for i, r in enumerate(rows):
            if fold_of[r["doc_id"]] == fold:
                held[i] = by_setting[best][i]
    return held, chosen


async def main(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for line in (EVAL / "qa-dev.jsonl").open(encoding="utf-8")]
    rows = random.Random(1).sample(rows, min(args.questions, len(rows)))
    store = await Store.open(args.database_url)
    caps = args.caps if store._db.is_postgres else [0]
    grid = [
        (t, n, b, c) for t in args.tops for n in args.candidates for b in args.budgets for c in caps
    ]
    by_setting: dict[Setting, list[int | None]] = {}
    try:
        await AnswerEngine().ask(store, rows[0]["question"], guild_id=GUILD, now=datetime.now(UTC))
        for setting in grid:
            by_setting[setting], ms = await ranks(store, rows, setting)
            h1, h3 = figures(by_setting[setting])
            print(
                f"top {setting[0]:>4} candidates {setting[1]:>3} budget {setting[2]:>6} cap "
                f"{setting[3]:>5}: dev hit@1 {h1:5.1f} hit@3 "
                f"{h3:5.1f}, /ask median {ms:6.2f} ms",
                flush=True,
            )
    finally:
        await store.close()
    held, chosen = validate(rows, by_setting, args.folds)
    h1, h3 = figures(held)
    picks = ", ".join(
        f"top {t} candidates {k} budget {b} cap {c} x{n}"
        for (t, k, b, c), n in chosen.most_common()
    )
    print(f"{args.folds}-fold validated: hit@1 {h1:.1f}, hit@3 {h3:.1f}; chosen: {picks}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="an archive loaded by archive.py")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--tops", type=int, nargs="+", default=[200, 400, 800])
    parser.add_argument("--candidates", type=int, nargs="+", default=[8, 12, 16, 24])
    parser.add_argument("--budgets", type=int, nargs="+", default=[5_000, 10_000, 20_000])
    parser.add_argument("--caps", type=int, nargs="+", default=[250, 500, 1_000])
    asyncio.run(main(parser.parse_args()))
