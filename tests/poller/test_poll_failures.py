"""How the poller treats failing, moving and slow-to-change feeds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from aiohttp import web

from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.store import Store
from bot.workers import Workers
from tests.fixtures.http import HttpServer, MakeFetcher
from tests.poller.builders import Clock, rss, story
from tests.poller.conftest import POLICY


def close_to(actual: datetime, expected: datetime, slack: float = 2.0) -> bool:
    return abs((actual - expected).total_seconds()) <= slack


async def polled_feed(store: Store, url: str) -> int:
    return (await store.add_feed(url)).id


async def test_server_errors_back_off_and_never_break_the_feed(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    url = http_server.static("/feed.xml", "oops", status=503)
    feed_id = await polled_feed(clocked_store, url)
    delays = []
    for _ in range(4):
        await poller.run_cycle()
        feed = await clocked_store.get_feed(feed_id)
        assert feed is not None
        delays.append((feed.next_poll_at - clock.now).total_seconds())
        clock.now = feed.next_poll_at
    assert delays == [600, 1200, 2400, 4800]
    assert feed is not None
    assert feed.consecutive_failures == 4
    assert feed.broken_reason is None
    assert "503" in (feed.last_error or "")

    clock.advance(days=3)  # transient errors never break a feed, however long they last
    await poller.run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.broken_reason is None

    http_server.static("/feed.xml", rss([story(1)]))
    clock.advance(hours=7)
    await poller.run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.consecutive_failures == 0
    assert feed.last_success_at == clock.now


async def test_retry_after_is_honoured(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    url = http_server.static("/feed.xml", "slow down", status=429, headers={"Retry-After": "5400"})
    feed_id = await polled_feed(clocked_store, url)
    await poller.run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert close_to(feed.next_poll_at, clock.now + timedelta(seconds=5400))


async def test_ttl_and_max_age_slow_polling_down(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    ttl_url = http_server.static("/ttl.xml", rss([story(1)], ttl=60))  # minutes
    cache_url = http_server.static(
        "/cached.xml", rss([story(2)]), headers={"Cache-Control": "max-age=1800"}
    )
    ttl_id = await polled_feed(clocked_store, ttl_url)
    cache_id = await polled_feed(clocked_store, cache_url)
    await poller.run_cycle()
    ttl_feed = await clocked_store.get_feed(ttl_id)
    cache_feed = await clocked_store.get_feed(cache_id)
    assert ttl_feed is not None
    assert cache_feed is not None
    assert close_to(ttl_feed.next_poll_at, clock.now + timedelta(hours=1))
    assert close_to(cache_feed.next_poll_at, clock.now + timedelta(minutes=30))


async def test_gone_feed_is_broken_only_after_a_day(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    url = http_server.static("/feed.xml", rss([story(1)]))
    feed_id = await polled_feed(clocked_store, url)
    await poller.run_cycle()
    http_server.static("/feed.xml", "gone", status=410)
    clock.advance(hours=2)
    await poller.run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.broken_reason is None

    clock.advance(days=1)
    await poller.run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.broken_reason is not None
    assert "410" in feed.broken_reason
    # Still checked now and then: when the site comes back, the feed heals by itself.
    assert feed.next_poll_at == clock.now + timedelta(hours=6)
    http_server.static("/feed.xml", rss([story(1)]))
    clock.advance(hours=6)
    await poller.run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.broken_reason is None


async def test_a_page_that_is_not_a_feed_breaks_it_with_the_reason(
    http_server: HttpServer, clocked_store: Store, poller: Poller
) -> None:
    url = http_server.static(
        "/page", "<html><body><p>No feed here.</p></body></html>", content_type="text/html"
    )
    feed_id = await polled_feed(clocked_store, url)
    report = await poller.run_cycle()
    assert report.failed == 1
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.broken_reason is not None
    assert "no feed" in feed.broken_reason.lower()


@pytest.mark.parametrize("status", [301, 308])
async def test_permanent_redirect_updates_the_stored_url(
    http_server: HttpServer, clocked_store: Store, poller: Poller, status: int
) -> None:
    new_url = http_server.static("/new.xml", rss([story(1)]))
    old_url = http_server.redirect("/old.xml", "/new.xml", status=status)
    feed_id = await polled_feed(clocked_store, old_url)
    await poller.run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.url == new_url


async def test_temporary_redirect_keeps_the_stored_url(
    http_server: HttpServer, clocked_store: Store, poller: Poller
) -> None:
    http_server.static("/new.xml", rss([story(1)]))
    old_url = http_server.redirect("/old.xml", "/new.xml", status=302)
    feed_id = await polled_feed(clocked_store, old_url)
    await poller.run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.url == old_url
    assert feed.last_success_at is not None


async def test_a_web_page_is_followed_to_the_feed_it_advertises(
    http_server: HttpServer, clocked_store: Store, poller: Poller
) -> None:
    feed_url = http_server.static("/feeds/all.atom.xml", rss([story(1), story(2)]))
    page = http_server.static(
        "/blog/",
        "<html><head><link rel='alternate' type='application/rss+xml' "
        "href='/feeds/all.atom.xml'></head><body>Blog</body></html>",
        content_type="text/html",
    )
    feed_id = await polled_feed(clocked_store, page)
    report = await poller.run_cycle()
    assert report.new_articles == 2
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.url == feed_url


async def test_endless_feed_body_is_a_recorded_error_not_a_crash(
    http_server: HttpServer,
    clocked_store: Store,
    make_fetcher: MakeFetcher,
    workers: Workers,
    clock: Clock,
) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        await response.write(b"<rss><channel>")
        while True:
            await response.write(b"<item><title>x</title></item>" * 1000)

    url = http_server.route("/endless.xml", endless)
    feed_id = await polled_feed(clocked_store, url)
    capped = Pipeline(make_fetcher(max_body_bytes=256 * 1024), workers)
    await Poller(clocked_store, capped, POLICY, clock=clock).run_cycle()
    feed = await clocked_store.get_feed(feed_id)
    assert feed is not None
    assert feed.consecutive_failures == 1
    assert feed.broken_reason is None
    assert "256" in (feed.last_error or "") or "KiB" in (feed.last_error or "")
