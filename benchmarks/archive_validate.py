"""The first stage's budgets, validated: k-fold figures of /ask on a loaded archive.

    .venv/bin/python benchmarks/archive_validate.py --database-url URL [--folds 5] \
        [--budgets 5000 10000 20000] [--caps 250 500 1000] [--questions 300]

On an archive loaded by archive.py (SQLite or PostgreSQL), every QA question is asked once per
setting of the grid: ``budget`` (expected matching articles of the words the index is asked,
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
from bot.store import Store

Setting = tuple[int, int]


async def ranks(
    store: Store, rows: list[dict[str, Any]], setting: Setting
) -> tuple[list[int | None], float]:
    """Per question, the 1-based rank of the first quote holding an answer (None: none of the
    three), and the median ms per question."""
    budget, cap = setting
    budgets.PG_CAP = cap  # the plan reads it per question
    engine = AnswerEngine(budget=budget)
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

        def merit(s: Setting, train: list[int] = train) -> tuple[float, float, int, int]:
            h1, h3 = figures([by_setting[s][i] for i in train])
            return (h3, h1, -s[0], -s[1])

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
    grid = [(b, c) for b in args.budgets for c in (args.caps if store._db.is_postgres else [0])]
    by_setting: dict[Setting, list[int | None]] = {}
    try:
        await AnswerEngine().ask(store, rows[0]["question"], guild_id=GUILD, now=datetime.now(UTC))
        for setting in grid:
            by_setting[setting], ms = await ranks(store, rows, setting)
            h1, h3 = figures(by_setting[setting])
            print(
                f"budget {setting[0]:>6} cap {setting[1]:>5}: dev hit@1 {h1:5.1f} hit@3 "
                f"{h3:5.1f}, /ask median {ms:6.2f} ms",
                flush=True,
            )
    finally:
        await store.close()
    held, chosen = validate(rows, by_setting, args.folds)
    h1, h3 = figures(held)
    picks = ", ".join(f"budget {b} cap {c} x{n}" for (b, c), n in chosen.most_common())
    print(f"{args.folds}-fold validated: hit@1 {h1:.1f}, hit@3 {h3:.1f}; chosen: {picks}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="an archive loaded by archive.py")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--budgets", type=int, nargs="+", default=[5_000, 10_000, 20_000])
    parser.add_argument("--caps", type=int, nargs="+", default=[250, 500, 1_000])
    asyncio.run(main(parser.parse_args()))
