"""Discord's global limit shared through PostgreSQL (stores stand for processes)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.delivery.pacing import SharedBudget
from bot.store import Store
from tests.fixtures.pgcluster import PrivateCluster

RATE = 40.0
CAPACITY = 4.0
SECONDS = 3.0


async def test_three_processes_together_stay_within_the_rate_and_use_most_of_it(
    pg_url: str,
) -> None:
    stores = [await Store.open(pg_url) for _ in range(3)]
    stamps: list[float] = []
    budgets = []
    try:
        for store in stores:

            async def reserve(want: int, store: Store = store) -> float:
                return await store.reserve_tokens("t", want, rate=RATE, capacity=CAPACITY)

            budgets.append(SharedBudget(reserve, rate=RATE))

        async def lane(budget: SharedBudget, deadline: float) -> None:
            while time.monotonic() < deadline:
                await budget.acquire()
                stamps.append(time.monotonic())

        deadline = time.monotonic() + SECONDS
        await asyncio.gather(*(lane(b, deadline) for b in budgets for _ in range(4)))
    finally:
        for store in stores:
            await store.close()
    start = min(stamps)
    worst = max(sum(s <= t < s + 1.0 for t in stamps) for s in stamps)
    print(f"{len(stamps)} grants in {SECONDS} s; busiest second {worst}")
    assert worst <= RATE * 1.1 + CAPACITY  # the bucket's rate, its burst and the hold
    assert len([t for t in stamps if t >= start + 1.0]) >= 0.8 * RATE * (SECONDS - 1.0)
    assert sum(b.reservations for b in budgets) < len(
        stamps
    )  # batches, not one statement a request


async def test_a_budget_whose_database_is_away_waits_for_it_then_grants(
    pg_cluster: PrivateCluster, caplog: pytest.LogCaptureFixture
) -> None:
    """Requests wait (one warning, no failure) while PostgreSQL is stopped, and go on after."""
    store = await Store.open(pg_cluster.url)

    async def reserve(want: int) -> float:
        return await store.reserve_tokens("away", want, rate=RATE, capacity=CAPACITY)

    budget = SharedBudget(reserve, rate=RATE)
    try:
        await budget.acquire()
        await pg_cluster.stop()
        caplog.set_level(logging.INFO, logger="bot.delivery.pacing")
        waiting = asyncio.gather(*(budget.acquire() for _ in range(10)))
        await asyncio.sleep(3.0)
        assert not waiting.done()
        await pg_cluster.start()
        await asyncio.wait_for(waiting, timeout=20)
    finally:
        await store.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "reachable again" in caplog.text
