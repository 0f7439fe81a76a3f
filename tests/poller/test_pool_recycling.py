"""One poll cycle runs many times more jobs than a worker's recycle limit, and loses no feed."""

from __future__ import annotations

import pytest

from bot.feeds.fetch import Fetcher
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.store import Store
from bot.workers import Workers
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, rss, story
from tests.poller.conftest import POLICY

FEEDS = 40
# Jobs per worker process: the cycle runs up to 120 jobs (a parse per feed, a digest per item),
# six times the limit; gh-115634 would have stalled the executor after 40.
RECYCLE_AFTER = 20


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the pool is the subject
async def test_a_cycle_longer_than_the_recycle_limit_records_every_feed(
    http_server: HttpServer, clocked_store: Store, fetcher: Fetcher, clock: Clock
) -> None:
    for n in range(FEEDS):
        items = [story(2 * n, words=60), story(2 * n + 1, words=60)]
        url = http_server.static(f"/feed-{n}.xml", rss(items, title=f"Feed {n}"))
        feed = await clocked_store.add_feed(url)
        await clocked_store.subscribe(feed.id, 1000, 2000 + n, mode="instant", added_by=1)

    with Workers(processes=2, max_jobs=RECYCLE_AFTER, timeout=60) as workers:
        poller = Poller(clocked_store, Pipeline(fetcher, workers), POLICY, clock=clock)
        report = await poller.run_cycle()
        assert workers.workers_started >= FEEDS // RECYCLE_AFTER  # the parsing alone recycles

    assert report.errors == {}
    assert (report.feeds, report.changed, report.failed) == (FEEDS, FEEDS, 0)
    assert report.new_articles == 2 * FEEDS
