"""A catch-up of the answer index that SIGKILLs its own process at its N-th database step.

A step is a statement sent or a commit about to be sent, so ``kill_at`` 1, 2, 3... crashes the
catch-up before each of them in turn: between reading and writing, inside the transaction that
writes analyses and postings, right before its commit, and right after it (the next step).
Run in a child process (``multiprocessing``, so the test's own process keeps its database
connections); its exit code is -SIGKILL when the step came, 0 when the catch-up ended first.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

from sqlalchemy import event

from bot.answer import AnswerEngine
from bot.store import Store


def run(database_url: str, kill_at: int) -> None:
    """Catch up on ``database_url``; die by SIGKILL at step ``kill_at`` (1-based)."""
    asyncio.run(_catch_up(database_url, kill_at))


async def _catch_up(database_url: str, kill_at: int) -> None:
    store = await Store.open(database_url)
    steps = 0

    def step(*_: Any) -> None:
        nonlocal steps
        steps += 1
        if steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    engine = store._db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", step)
    event.listen(engine, "commit", step)
    try:
        await AnswerEngine().catch_up(store)
    finally:
        await store.close()
