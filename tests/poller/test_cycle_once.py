"""A cycle polls each due feed once, however long it runs; and reads a huge feed's newest only."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from aiohttp import web
from sqlalchemy import text

from bot.feeds.fetch import Fetcher
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.schedule import PollPolicy
from bot.store import Store
from bot.store.engine import create_engine
from bot.workers import Workers
from tests.fixtures.http import HttpServer
from tests.poller.builders import rss, story

# Polls far slower than the interval and the lease: every feed is due again mid-cycle.
TINY = PollPolicy(interval=1, minimum=1, maximum=5, jitter=0.0)
FEEDS = 24
SLOW_ANSWER = 0.4
SHARED_FEEDS = 60


async def test_a_cycle_longer_than_the_interval_polls_each_feed_once(
    http_server: HttpServer, store: Store, fetcher: Fetcher, workers: Workers
) -> None:
    document = rss([story(1, words=20)]).encode()

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(SLOW_ANSWER)
        return web.Response(body=document, content_type="application/rss+xml")

    for n in range(FEEDS):
        await store.add_feed(http_server.route(f"/slow/{n}.xml", slow))
    pipeline = Pipeline(fetcher, workers, max_entries=50)
    # Batches of 4 feeds, two at a time, a one-second lease: the cycle lasts ~5 s.
    poller = Poller(store, pipeline, TINY, concurrency=2, batch=4, lease_seconds=1)

    report = await poller.run_cycle()

    polls = Counter(r.path for r in http_server.requests if r.path.startswith("/slow/"))
    assert report.feeds == FEEDS
    assert len(polls) == FEEDS
    assert set(polls.values()) == {1}, polls.most_common(3)
    # Once the interval has passed, the next cycle takes them all again.
    await asyncio.sleep(TINY.interval + 0.5)
    again = await poller.run_cycle()
    assert again.feeds == FEEDS


async def test_a_claim_cut_short_by_another_poller_does_not_end_the_cycle(
    http_server: HttpServer, database_url: str, fetcher: Fetcher, workers: Workers
) -> None:
    """Another poller's claim locks the first due feeds at that moment: this one's claim skips
    them (SKIP LOCKED) and comes back short, yet the cycle goes on to every other due feed."""
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
    document = rss([story(1, words=20)]).encode()
    store = await Store.open(database_url)
    try:
        for n in range(SHARED_FEEDS):
            await store.add_feed(http_server.static(f"/shared/{n}.xml", document))
        poller = Poller(store, Pipeline(fetcher, workers, max_entries=50), TINY, batch=10)
        engine = create_engine(database_url)
        async with engine.connect() as other, other.begin():
            first = text("SELECT id FROM feeds ORDER BY next_poll_at, id LIMIT 5 FOR UPDATE")
            await other.execute(first)  # the other poller's claim, under way
            report = await poller.run_cycle()
        await engine.dispose()
    finally:
        await store.close()
    polls = Counter(r.path for r in http_server.requests if r.path.startswith("/shared/"))
    assert report.feeds == SHARED_FEEDS - 5
    assert len(polls) == SHARED_FEEDS - 5
    assert set(polls.values()) == {1}


async def test_a_huge_feed_is_stored_as_its_newest_entries(
    http_server: HttpServer, store: Store, fetcher: Fetcher, workers: Workers
) -> None:
    items = [story(n, words=30) for n in range(3_000)]  # story n is n hours old
    url = http_server.static("/big.xml", rss(items))
    await store.add_feed(url)
    poller = Poller(store, Pipeline(fetcher, workers, max_entries=120), TINY)

    report = await poller.run_cycle()

    assert (report.changed, report.new_articles) == (1, 120)
    [feed] = await store.list_feeds()
    stored = await store.recent_articles(None, feed_id=feed.id, limit=500)
    assert {a.title for a in stored} == {f"Story number {n}" for n in range(120)}
