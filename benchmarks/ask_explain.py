"""The statements of /ask's first stage and their plans, for one question on a loaded archive.

    .venv/bin/python benchmarks/ask_explain.py --database-url URL "Who did Tesla work for?"

Runs ``answer_candidates`` (the answer index's path; ``--full-text``: the full-text index's) once
to record its statements (with their parameters), then runs
each again under ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL (``EXPLAIN QUERY PLAN`` on SQLite)
and prints the plan after the statement's wall time. The archive comes from archive.py.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from archive import GUILD
from sqlalchemy import event

from bot.answer.engine import CANDIDATES, DEFAULT_DAYS
from bot.answer.tokenize import question_terms, search_words
from bot.store import Store


async def main(args: argparse.Namespace) -> None:
    store = await Store.open(args.database_url)
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    async def first_stage() -> None:
        await store.answer_candidates(
            search_words(args.question),
            # The answer index's statements; with --full-text, those a window past its horizon
            # (or a fallback) runs.
            stems=None if args.full_text else question_terms(args.question),
            guild_id=GUILD,
            since=datetime.now(UTC) - timedelta(days=DEFAULT_DAYS),
            limit=CANDIDATES,
            budget=args.budget,
        )

    try:
        await first_stage()  # warm
        event.listen(store._db.engine.sync_engine, "before_cursor_execute", record)
        started = time.perf_counter()
        await first_stage()
        print(f"first stage: {(time.perf_counter() - started) * 1000:.2f} ms, {len(seen)} stmts")
        event.remove(store._db.engine.sync_engine, "before_cursor_execute", record)
        postgres = store._db.is_postgres
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        for statement, params in seen:
            print("\n---", " ".join(statement.split())[:600], params)
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            async with store._db.read() as conn:
                if postgres:
                    await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                plan = await conn.exec_driver_sql(prefix + statement, params)
                for line in plan:
                    print("   ", " | ".join(str(x) for x in line))
    finally:
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--budget", type=int)
    parser.add_argument("--full-text", action="store_true", help="the full-text first stage")
    parser.add_argument("question")
    asyncio.run(main(parser.parse_args()))
