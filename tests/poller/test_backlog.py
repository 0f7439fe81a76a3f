"""A first poll digests only its newest items; the rest get theirs when first asked for."""

from __future__ import annotations

from datetime import timedelta

from bot.backlog import Backlog
from bot.digest import summarize
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.store import ArticleRow, Store
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, rss, story

GUILD, CHANNEL = 1000, 2000


def _made(row: ArticleRow) -> bool:
    """The row carries the digest of its text (keywords that tie may come in any order)."""
    made = summarize(row.text, title=row.title, max_points=3)
    digest = row.digest
    return digest is not None and (digest.key_points, digest.tldr) == (made.key_points, made.tldr)


async def _first_poll(http_server: HttpServer, store: Store, poller: Poller) -> int:
    url = http_server.static("/feed.xml", rss([story(n) for n in range(1, 7)]))
    feed = await store.add_feed(url)
    await store.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=1)
    await poller.run_cycle()
    return feed.id


async def test_only_the_newest_items_of_a_first_poll_are_digested_at_once(
    http_server: HttpServer, clocked_store: Store, poller: Poller, pipeline: Pipeline
) -> None:
    feed = await _first_poll(http_server, clocked_store, poller)
    rows = await clocked_store.recent_articles(None, feed_id=feed)  # newest first
    assert [r.title for r in rows] == [f"Story number {n}" for n in range(1, 7)]
    assert [r.digest is not None for r in rows] == [True] * 3 + [False] * 3
    assert all(_made(r) for r in rows[:3])
    assert [r.language for r in rows] == ["en"] * 3 + ["und"] * 3

    backlog = Backlog(clocked_store, pipeline)
    shown = await backlog.complete(rows)
    assert all(_made(r) for r in shown)
    assert {r.language for r in shown} == {"en"}
    stored = await clocked_store.recent_articles(None, feed_id=feed)
    assert stored == shown  # made once: stored for whoever asks next


async def test_a_later_delivery_and_the_background_pass_make_the_missing_digests(
    http_server: HttpServer,
    clocked_store: Store,
    poller: Poller,
    pipeline: Pipeline,
    clock: Clock,
) -> None:
    feed = await _first_poll(http_server, clocked_store, poller)
    older = [r for r in await clocked_store.recent_articles(None, feed_id=feed) if not r.digest]
    # A backfill queues the feed's items: their posts carry the key points.
    sub = (await clocked_store.list_subscriptions(guild_id=GUILD))[0]
    assert await clocked_store.backfill(sub.id, 4) == 4
    claimed = await clocked_store.claim_pending_deliveries(
        clock() + timedelta(minutes=1), limit=10, lease_seconds=60
    )
    backlog = Backlog(clocked_store, pipeline)
    posted = await backlog.complete_deliveries(claimed)
    assert len(posted) == 4
    assert all(r.article is not None and _made(r.article) for r in posted)

    made = 0
    for _ in range(5):  # a bounded batch per pass
        made += await backlog.drain(limit=1)
    assert made == len(older) - 1  # the one posted already had its digest made
    assert all(_made(r) for r in await clocked_store.recent_articles(None, feed_id=feed))
    assert await backlog.drain() == 0
