"""Where /ask's time and misses go, stage by stage, on an archive loaded by archive.py.

    .venv/bin/python benchmarks/archive.py --articles 100000 --questions 10 \
        --database-url sqlite+aiosqlite:////tmp/archive-100k.db      # load once
    .venv/bin/python benchmarks/ask_stages.py \
        --database-url sqlite+aiosqlite:////tmp/archive-100k.db [--budget N] [--dump out.json]

For each QA question: the first stage alone (``answer_candidates``: the postings, or the full-text
index's plan and candidate query),
then the whole /ask. Prints the median and p90 of both, the share of questions with an answer
in some candidate's text ("recall"), hit@3, and how the misses split: no candidate holds an
answer (the first stage lost it) or one does but it is not quoted (the sentence ranking).
``--dump`` writes each question's outcome, to compare engines question by question.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive import EVAL, GUILD, percentile

from bot.answer import AnswerEngine
from bot.answer.engine import CANDIDATES, DEFAULT_DAYS
from bot.answer.tokenize import question_terms, search_words
from bot.store import Store


async def main(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for line in (EVAL / "qa-dev.jsonl").open(encoding="utf-8")]
    rows = random.Random(1).sample(rows, min(args.questions, len(rows)))
    store = await Store.open(args.database_url)
    now = datetime.now(UTC)
    engine = AnswerEngine(budget=args.budget)
    first_ms, ask_ms, outcome = [], [], {}
    try:
        await engine.ask(store, rows[0]["question"], guild_id=GUILD, now=now)  # warm caches
        for row in rows:
            started = time.perf_counter()
            found = await store.answer_candidates(
                search_words(row["question"]),
                stems=question_terms(row["question"]),
                guild_id=GUILD,
                since=now - timedelta(days=DEFAULT_DAYS),
                limit=CANDIDATES,
                budget=args.budget,
            )
            first_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            answers = await engine.ask(store, row["question"], guild_id=GUILD, now=now)
            ask_ms.append((time.perf_counter() - started) * 1000)
            # A synthetic article may quote the QA passage: any candidate holding an answer.
            recalled = any(gold in c.text for c in found for gold in row["answers"])
            hit = any(gold in a.text for a in answers for gold in row["answers"])
            outcome[row["id"]] = {"q": row["question"], "recalled": recalled, "hit": hit}
    finally:
        await store.close()
    n = len(rows)
    found_it = sum(o["recalled"] for o in outcome.values())
    hits = sum(o["hit"] for o in outcome.values())
    lost = sum(not o["hit"] and not o["recalled"] for o in outcome.values())
    print(
        f"{n} questions: first stage median {statistics.median(first_ms):.2f} ms, p90 "
        f"{percentile(first_ms, 0.9):.2f} ms; /ask median {statistics.median(ask_ms):.2f} ms, "
        f"p90 {percentile(ask_ms, 0.9):.2f} ms; recall {100 * found_it / n:.1f}, hit@3 "
        f"{100 * hits / n:.1f}; misses: {lost} no candidate holds an answer, "
        f"{n - hits - lost} one does but it is not quoted"
    )
    if args.dump:
        with Path(args.dump).open("w", encoding="utf-8") as out:  # noqa: ASYNC230
            json.dump(outcome, out, indent=1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="an archive loaded by archive.py")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--budget", type=int, help="matching articles ranked (default: engine's)")
    parser.add_argument("--dump", help="write each question's outcome to this JSON file")
    asyncio.run(main(parser.parse_args()))
