"""The running bot serves /healthz and /metrics when health_port is set; its leader prunes."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import aiohttp

from bot.answer import AnswerEngine
from cogs.operations import NOTICES_JOB, RETENTION_JOB, Operations
from tests.answer.conftest import counts_match_postings, followed_feed, seed_article
from tests.fixtures.bot import StartBot
from tests.store.conftest import Clock

EXTENSIONS = ("cogs.operations",)


async def test_health_server_reports_the_running_bot(start_bot: StartBot) -> None:
    running = await start_bot(extensions=EXTENSIONS, health_port=0)
    cog = cast(Operations, running.bot.get_cog("Operations"))  # loaded as a fresh module
    assert cog is not None
    assert cog.server is not None
    base = f"http://127.0.0.1:{cog.server.port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as response:
            body = await response.json()
            assert response.status == 200, body
        async with session.get(f"{base}/metrics") as response:
            metrics = await response.text()
            assert response.status == 200
    assert body["gateway_connected"] is True
    assert body["database_reachable"] is True
    assert body["scheduler_running"] is True
    assert "briefing_deliveries_pending 0.0" in metrics
    assert running.runtime.leadership.is_leader  # one process: always the leader
    assert {RETENTION_JOB, NOTICES_JOB} <= set(running.runtime.leadership.job_names())

    await running.stop()
    assert cog.server is None  # unloading the cog stopped it


async def test_no_server_without_a_port(start_bot: StartBot) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    cog = cast(Operations, running.bot.get_cog("Operations"))  # loaded as a fresh module
    assert cog is not None
    assert cog.server is None
    assert await cog.prune() == 0  # the job's work: nothing old yet


async def test_the_daily_retention_forgets_postings_past_their_horizon(start_bot: StartBot) -> None:
    clock = Clock()
    running = await start_bot(extensions=EXTENSIONS, clock=clock)
    store = running.runtime.store
    feed = await followed_feed(store, "https://a.example/feed", 1)
    await store.store_articles(feed, [seed_article()], deliver=False)
    assert await AnswerEngine().catch_up(store) == 1
    assert (await counts_match_postings(store))[0] == 1
    clock.now += timedelta(days=9)  # past the horizon, and no article arrives to prune them
    cog = cast(Operations, running.bot.get_cog("Operations"))
    assert await cog.prune() == 0  # the article itself is kept for retention_days
    assert await counts_match_postings(store) == (0, 0)
