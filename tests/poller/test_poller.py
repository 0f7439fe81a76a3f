"""The poller end to end: local feeds over real HTTP, a real store, real worker processes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.store import ArticleRow, Store
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, Item, rss, seed_teaser, story

GUILD, CHANNEL, OTHER_CHANNEL = 1000, 2000, 3000


async def add_subscribed(store: Store, url: str, channel: int = CHANNEL) -> int:
    feed = await store.add_feed(url)
    await store.subscribe(feed.id, GUILD, channel, mode="instant", added_by=1)
    return feed.id


async def arrives(
    http_server: HttpServer, store: Store, poller: Poller, clock: Clock, item: Item
) -> ArticleRow:
    """Follow a feed, then let ``item`` appear in it: the one article queued for posting."""
    url = http_server.static("/feed.xml", rss([story(1)]))
    await add_subscribed(store, url)
    await poller.run_cycle()
    http_server.static("/feed.xml", rss([item, story(1)]))
    clock.advance(minutes=11)
    await poller.run_cycle()
    [row] = await store.list_deliveries(status="pending")
    article = await store.get_article(row.article_id)
    assert article is not None
    return article


async def pending(store: Store) -> list[tuple[int, str]]:
    rows = await store.list_deliveries(status="pending")
    articles = [await store.get_article(row.article_id) for row in rows]
    return sorted((row.channel_id, a.title) for row, a in zip(rows, articles, strict=True) if a)


async def test_new_feed_is_recorded_without_flooding_then_new_items_are_delivered(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    items = [story(n) for n in range(1, 6)]
    url = http_server.static("/feed.xml", rss(items), etag='"v1"')
    await add_subscribed(clocked_store, url)

    first = await poller.run_cycle()
    assert (first.changed, first.new_articles, first.deliveries) == (1, 5, 0)
    assert await pending(clocked_store) == []

    clock.advance(minutes=11)
    second = await poller.run_cycle()
    assert second.not_modified == 1  # the validators were sent back
    assert http_server.requests_to("/feed.xml")[-1].headers["If-None-Match"] == '"v1"'

    http_server.static("/feed.xml", rss([story(0), *items]), etag='"v2"')
    clock.advance(minutes=11)
    third = await poller.run_cycle()
    assert (third.new_articles, third.deliveries) == (1, 1)
    assert await pending(clocked_store) == [(CHANNEL, "Story number 0")]


async def test_feed_is_not_polled_before_it_is_due(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    url = http_server.static("/feed.xml", rss([story(1)]))
    await add_subscribed(clocked_store, url)
    await poller.run_cycle()
    clock.advance(minutes=5)
    assert (await poller.run_cycle()).feeds == 0
    clock.advance(minutes=6)
    assert (await poller.run_cycle()).feeds == 1


async def test_pubdate_churn_and_drop_readd_cause_no_repeat(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    items = [story(n) for n in range(1, 4)]
    url = http_server.static("/feed.xml", rss(items))
    await add_subscribed(clocked_store, url)
    await poller.run_cycle()

    churned = [replace(i, published=clock.now + timedelta(minutes=k)) for k, i in enumerate(items)]
    for document in (rss(churned), rss(items[:1]), rss(items)):  # new dates; drop; re-add
        http_server.static("/feed.xml", document)
        clock.advance(minutes=11)
        report = await poller.run_cycle()
        assert report.changed == 1
        assert report.new_articles == 0
    assert await pending(clocked_store) == []


async def test_same_story_from_two_feeds_is_stored_once_and_posted_once_per_channel(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    a = http_server.static("/a.xml", rss([story(1)], title="Feed A"))
    b = http_server.static("/b.xml", rss([story(2)], title="Feed B"))
    await add_subscribed(clocked_store, a)
    await add_subscribed(clocked_store, b)
    await add_subscribed(clocked_store, b, channel=OTHER_CHANNEL)
    await poller.run_cycle()

    shared = story(0)
    # Feed B carries the same story under a tracking-decorated URL and its own guid.
    via_b = replace(shared, guid="b-0", link=shared.link + "?utm_source=rss#top")
    http_server.static("/a.xml", rss([shared, story(1)], title="Feed A"))
    http_server.static("/b.xml", rss([via_b, story(2)], title="Feed B"))
    clock.advance(minutes=11)
    report = await poller.run_cycle()

    assert report.new_articles == 1
    assert await pending(clocked_store) == [
        (CHANNEL, "Story number 0"),
        (OTHER_CHANNEL, "Story number 0"),
    ]


async def test_teaser_gets_the_article_page_and_the_seed_key_points(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    article = await arrives(http_server, clocked_store, poller, clock, seed_teaser(http_server))
    assert article.text_source == "page"
    assert article.digest is not None
    points = " ".join(p.text for p in article.digest.key_points)
    assert "withdraw" in points
    assert "naval facility" in points
    assert "authorities in the EU" in points


async def test_unreachable_teaser_page_falls_back_to_the_feed_text(
    http_server: HttpServer, clocked_store: Store, poller: Poller, clock: Clock
) -> None:
    teaser = Item(
        guid="t",
        title="Short item",
        link=http_server.url("/gone"),
        description="Only a teaser sentence is in the feed.",
    )
    article = await arrives(http_server, clocked_store, poller, clock, teaser)
    assert article.text_source == "feed"
    assert article.text == "Only a teaser sentence is in the feed."
    assert article.extraction_note is not None
    assert "404" in article.extraction_note


async def test_a_first_poll_over_entries_already_recorded_stores_each_once_and_posts_none(
    http_server: HttpServer,
    clocked_store: Store,
    poller: Poller,
    pipeline: Pipeline,
    clock: Clock,
) -> None:
    """A first poll skips the known-entry lookup: the write alone must drop the repeats."""
    url = http_server.static("/feed.xml", rss([story(1), story(2)]))
    feed_id = await add_subscribed(clocked_store, url)
    read = await pipeline.read_feed(url)
    assert read.parsed is not None
    articles = await pipeline.prepare(read.parsed.entries, fetch_pages=False)
    await clocked_store.store_articles(feed_id, articles, deliver=False)  # baseline not marked

    items = [story(n) for n in range(1, 6)]
    http_server.static("/feed.xml", rss(items))
    first = await poller.run_cycle()
    assert (first.changed, first.new_articles, first.deliveries) == (1, 3, 0)
    assert await pending(clocked_store) == []

    http_server.static("/feed.xml", rss([story(0), *items]))
    clock.advance(minutes=11)
    second = await poller.run_cycle()
    assert (second.new_articles, second.deliveries) == (1, 1)
    assert await pending(clocked_store) == [(CHANNEL, "Story number 0")]
