"""The answer index's catch-up under faults: a kill -9 at every one of its database steps, and
the database gone mid-catch-up, across the job's next runs. After each fault the
analyses and postings agree (an article has both or neither, every count is exact); once the
catch-up completes, the index is the one an undisturbed catch-up writes."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.answer import AnswerEngine
from bot.store import Store
from tests.answer import catch_up_child
from tests.answer.conftest import (
    counts_match_postings,
    filler_articles,
    followed_feed,
    seed_article,
)
from tests.fixtures.pgcluster import PrivateCluster
from tests.render.builders import eventually

QUESTION = "What will Russia keep in Syria?"
# The acceptance run asks for minutes (BRIEFING_TEST_OUTAGE_SECONDS=180): the job runs every 30 s.
OUTAGE = float(os.environ.get("BRIEFING_TEST_OUTAGE_SECONDS", "5"))


@pytest.fixture(scope="module")
def forkserver() -> Any:
    """Child processes forked from one that has imported Briefing already (a fresh interpreter
    per kill would cost a second each)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.answer.catch_up_child"])
    return context


async def _index(store: Store) -> tuple[list[Any], ...]:
    """Every row of the answer index, in a fixed order."""
    queries = (
        "SELECT article_id, text_hash, data FROM answer_docs ORDER BY article_id",
        "SELECT term, weight, article_id FROM answer_postings ORDER BY term, weight, article_id",
        "SELECT term, articles, length FROM answer_terms ORDER BY term",
    )
    async with store._db.read() as conn:
        tables = [(await conn.execute(text(query))).all() for query in queries]
    return tuple([tuple(row) for row in rows] for rows in tables)


async def _agree(store: Store) -> int:
    """Asserts analyses and postings name the same articles and every count is exact; returns
    how many articles are analysed."""
    async with store._db.read() as conn:
        analysed = set((await conn.scalars(text("SELECT article_id FROM answer_docs"))).all())
        posted = set(
            await conn.scalars(text("SELECT article_id FROM answer_postings WHERE term = ''"))
        )
    assert analysed == posted
    await counts_match_postings(store)
    return len(analysed)


async def _clear(store: Store) -> None:
    async with store._db.write() as conn:
        for table in ("answer_postings", "answer_terms", "answer_docs"):
            await conn.execute(text(f"DELETE FROM {table}"))


async def _undisturbed(store: Store) -> tuple[list[Any], ...]:
    """The index an undisturbed catch-up writes over the same articles."""
    await _clear(store)
    await AnswerEngine().catch_up(store)
    return await _index(store)


def _analysed_one_batch(store: Store, running: asyncio.Task[int]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return running.done() or await store.answer_doc_count() >= 200

    return check


async def _stock(store: Store) -> int:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    stored = await store.store_articles(
        feed, [*filler_articles(60, "k"), seed_article()], deliver=False
    )
    return len(stored.new_articles)


async def test_a_kill_at_every_step_of_a_catch_up_loses_and_doubles_nothing(
    database_url: str, forkserver: Any
) -> None:
    store = await Store.open(database_url)
    try:
        total = await _stock(store)
        reference = await _undisturbed(store)
        kill_at, left = 0, set()
        while True:  # from the same start each time, killed one step later
            kill_at += 1
            await _clear(store)
            child = forkserver.Process(target=catch_up_child.run, args=(database_url, kill_at))
            child.start()
            await asyncio.to_thread(child.join, 60)
            assert child.exitcode is not None, "the catch-up hangs"
            if child.exitcode == 0:  # it ended before step kill_at: every step was hit
                break
            assert child.exitcode == -signal.SIGKILL
            left.add(await _agree(store))  # the kill left both or neither
            await AnswerEngine().catch_up(store)  # the restart finishes the work
            assert await _index(store) == reference
        assert await _index(store) == reference
        assert left == {0, total}  # kills before and after the transaction's commit
        assert kill_at > 12, kill_at  # reads, analyses, postings, counts, commit, prune
        (first, *_) = await AnswerEngine().ask(store, QUESTION, guild_id=1, now=datetime.now(UTC))
        assert "naval facility and airbase" in first.text
    finally:
        await store.close()
    print(f"{kill_at - 1} steps, a kill before each")


@pytest.mark.timeout(OUTAGE + 120)
async def test_the_database_gone_mid_catch_up_loses_nothing(pg_cluster: PrivateCluster) -> None:
    store = await Store.open(pg_cluster.url)
    try:
        feed = await followed_feed(store, "https://a.example/feed", 1)
        await store.store_articles(feed, filler_articles(1200, "o"), deliver=False)
        engine = AnswerEngine()
        running = asyncio.create_task(engine.catch_up(store))
        await eventually(_analysed_one_batch(store, running), timeout=60, what="a batch")
        await pg_cluster.stop()  # a batch is written, the next ones are not
        with pytest.raises((SQLAlchemyError, OSError)) as failed:
            await running
        print(f"mid-catch-up: {failed.type.__name__}")
        tries = max(3, int(OUTAGE // 30))
        for _ in range(tries):  # the job's next runs meet the outage too, and fail as quickly
            with pytest.raises((SQLAlchemyError, OSError)) as failed:
                await asyncio.wait_for(engine.catch_up(store), 30)
            await asyncio.sleep(OUTAGE / tries)
        print(f"during the outage: {failed.type.__name__}")
        await pg_cluster.start()
        partial = await _agree(store)
        assert 200 <= partial < 1200
        await engine.catch_up(store)
        assert await _agree(store) == 1200
        assert await _index(store) == await _undisturbed(store)
    finally:
        await store.close()
