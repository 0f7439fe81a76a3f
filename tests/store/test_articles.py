"""Storing articles: one row per story, no repeats, outbox rows written with the article."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.models import Article
from bot.store import Filters, Store
from tests.store.factory import T0, article, hours

FEED_A = "https://a.example/feed"
FEED_B = "https://b.example/feed"


async def _feed(store: Store, url: str = FEED_A, *, channel: int | None = 10) -> int:
    feed = await store.add_feed(url)
    if channel is not None:
        await store.subscribe(feed.id, 1, channel, mode="instant", added_by=None)
    return feed.id


async def test_new_articles_are_stored_with_digest_and_queued(store: Store) -> None:
    feed = await _feed(store)
    a1 = article("a1")
    result = await store.store_articles(feed, [a1, article("a2")], deliver=True)
    assert len(result.new_articles) == 2
    assert result.linked == result.new_articles
    assert len(result.deliveries) == 2
    assert result.skipped == ()

    row = await store.get_article(result.new_articles[0])
    assert row is not None
    assert (row.url, row.title, row.text, row.published) == (
        a1.entry.link,
        a1.entry.title,
        a1.text,
        a1.entry.published,
    )
    assert row.digest == a1.digest
    assert row.language == "en"
    assert row.text_source == "feed"
    assert await store.known_entry_keys(feed, ["a1", "a2", "zz"]) == {"a1", "a2"}


@pytest.mark.parametrize(
    "second",
    [
        pytest.param(article("x", title="Other title in B"), id="same-url"),
        pytest.param(
            replace(article("a1"), entry=replace(article("a1").entry, id="b-guid", link=None)),
            id="same-fingerprint-no-url",
        ),
        pytest.param(
            replace(
                article("a1"),
                entry=replace(article("a1").entry, id="b-guid", link="https://mirror.example/a1"),
            ),
            id="same-fingerprint-other-url",
        ),
    ],
)
async def test_the_same_story_via_two_feeds_is_stored_once(store: Store, second: Article) -> None:
    a = await _feed(store, FEED_A, channel=10)
    b = await _feed(store, FEED_B, channel=10)  # the same channel follows both feeds
    await store.subscribe(b, 1, 11, mode="digest", added_by=None)  # and another one only B
    first = article("a1") if second.entry.id == "b-guid" else article("x")
    stored = await store.store_articles(a, [first], deliver=True)
    again = await store.store_articles(b, [second], deliver=True)

    assert again.new_articles == ()
    assert again.linked == stored.new_articles
    assert len(again.deliveries) == 1  # channel 11 only: channel 10 already has the story
    (delivery,) = await store.list_deliveries(channel_id=11)
    assert delivery.article_id == stored.new_articles[0]
    assert delivery.kind == "digest"
    assert len(await store.list_deliveries(channel_id=10)) == 1
    assert await store.known_entry_keys(b, [second.entry.id]) == {second.entry.id}
    hits = await store.search_articles("story", feed_id=b)
    assert [h.article_id for h in hits] == list(stored.new_articles)


async def test_different_stories_stay_apart(store: Store) -> None:
    feed = await _feed(store)
    # Same title, different text (daily posts); no URL and too little text to fingerprint.
    daily = [
        article("d1", title="Morning briefing", link=None, text="Rain in the north. " * 5),
        article("d2", title="Morning briefing", link=None, text="Sun in the south. " * 5),
        article("d3", title="Quiet", link=None, text="Short."),
        article("d4", title="Quiet", link=None, text="Short."),
    ]
    result = await store.store_articles(feed, daily, deliver=True)
    assert len(result.new_articles) == 4
    assert len(result.deliveries) == 4


async def test_duplicate_entry_ids_in_one_batch_count_once(store: Store) -> None:
    feed = await _feed(store)
    batch = [article("a1"), article("a1", title="Edited"), article("a2"), article("a2")]
    result = await store.store_articles(feed, batch, deliver=True)
    assert len(result.new_articles) == 2
    assert len(result.deliveries) == 2
    assert sorted(result.skipped) == ["a1", "a2"]


@pytest.mark.parametrize(
    "returning",
    [
        pytest.param(article("a1", published=T0 + hours(5)), id="pubdate-churn"),
        pytest.param(article("a1", title="Updated headline", text="New text " * 20), id="edited"),
        pytest.param(article("a1"), id="dropped-and-re-added"),
    ],
)
async def test_an_entry_seen_before_creates_nothing(store: Store, returning: Article) -> None:
    feed = await _feed(store)
    await store.store_articles(feed, [article("a1"), article("a2")], deliver=True)
    await store.store_articles(feed, [article("a2"), article("a3")], deliver=True)  # a1 dropped
    result = await store.store_articles(feed, [returning, article("a3")], deliver=True)
    assert result.new_articles == ()
    assert result.linked == ()
    assert result.deliveries == ()
    assert len(await store.list_deliveries()) == 3


async def test_baseline_stores_without_delivering(store: Store) -> None:
    feed = await _feed(store)
    baseline = await store.store_articles(feed, [article("a1"), article("a2")], deliver=False)
    await store.mark_baseline_done(feed)
    assert len(baseline.new_articles) == 2
    assert baseline.deliveries == ()
    fetched = await store.get_feed(feed)
    assert fetched is not None
    assert fetched.baseline_done
    later = await store.store_articles(feed, [article("a2"), article("a3")], deliver=True)
    assert len(later.new_articles) == 1
    assert len(later.deliveries) == 1
    assert await store.pending_count() == 1


async def test_paused_subscriptions_get_nothing(store: Store) -> None:
    feed = await _feed(store, channel=None)
    active = await store.subscribe(feed, 1, 10, mode="instant", added_by=None)
    paused = await store.subscribe(feed, 1, 11, mode="instant", added_by=None)
    await store.pause_subscription(paused.id, "missing permissions")
    await store.store_articles(feed, [article("a1")], deliver=True)
    assert [d.subscription_id for d in await store.list_deliveries()] == [active.id]


async def test_backfill_queues_the_newest_n(store: Store) -> None:
    feed = await _feed(store, channel=None)
    stored = [article(f"a{i}", published=T0 + hours(i)) for i in range(6)]
    await store.store_articles(feed, stored, deliver=False)
    sub = await store.subscribe(feed, 1, 10, mode="instant", added_by=None)
    assert await store.backfill(sub.id, 0) == 0
    assert await store.backfill(sub.id, 3) == 3
    queued = await store.list_deliveries(channel_id=10)
    titles = [(await store.get_article(d.article_id)).title for d in queued]  # type: ignore[union-attr]
    assert titles == ["Story a3", "Story a4", "Story a5"]  # oldest of them first
    assert await store.backfill(sub.id, 4) == 1  # the channel has the newest three already


FILTER_CASES = [
    (Filters(), {"rates", "football", "ai"}),
    (Filters.build(include=["bank"]), {"rates"}),
    (Filters.build(exclude=["football"]), {"rates", "ai"}),
    (Filters.build(include=["AI", "/foot(ball)?/"]), {"football", "ai"}),
    (Filters.build(include=["bank", "goal"], exclude=["penalty"]), {"rates"}),
]


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES)
async def test_filters_choose_what_a_channel_receives(
    store: Store, filters: Filters, expected: set[str]
) -> None:
    feed = await _feed(store, channel=None)
    await store.subscribe(feed, 1, 10, mode="instant", added_by=None, filters=filters)
    batch = [
        article("rates", title="Central bank raises rates", text="The bank said. " * 5),
        article("football", title="Football cup final", text="A late goal and a penalty. " * 5),
        article("ai", title="New AI model", text="Researchers said it reasons. " * 5),
    ]
    result = await store.store_articles(feed, batch, deliver=True)
    chosen = {(await store.get_article(d.article_id)).url for d in await store.list_deliveries()}  # type: ignore[union-attr]
    assert chosen == {f"https://news.example/{key}" for key in expected}
    assert len(result.deliveries) == len(expected)


async def test_recent_articles_respect_guild_feed_and_since(store: Store) -> None:
    a = await _feed(store, FEED_A, channel=10)  # guild 1
    b = (await store.add_feed(FEED_B)).id
    await store.subscribe(b, 2, 20, mode="instant", added_by=None)  # guild 2
    await store.store_articles(
        a, [article("a1", published=T0), article("a2", published=T0 + hours(3))], deliver=False
    )
    await store.store_articles(b, [article("b1", published=T0 + hours(1))], deliver=False)
    assert [r.title for r in await store.recent_articles(1)] == ["Story a2", "Story a1"]
    assert [r.title for r in await store.recent_articles(2)] == ["Story b1"]
    assert [r.title for r in await store.recent_articles(None, since=T0 + hours(1))] == [
        "Story a2",
        "Story b1",
    ]
    assert [r.title for r in await store.recent_articles(1, feed_id=b)] == []
    assert [r.title for r in await store.recent_articles(None, title_contains="A1")] == ["Story a1"]
    assert await store.recent_articles(None, title_contains="%") == []
    for guild, since in ((1, None), (2, None), (None, T0 + hours(1))):
        rows = await store.recent_articles(guild, since=since)
        assert await store.recent_article_ids(guild, since=since) == [r.id for r in rows]


async def test_a_crash_between_storing_and_delivering_leaves_posts_pending(
    database_url: str,
) -> None:
    store = await Store.open(database_url)
    feed = await _feed(store)
    stored = await store.store_articles(feed, [article("a1"), article("a2")], deliver=True)
    await store.close()  # the process dies before the delivery worker ran

    store = await Store.open(database_url)
    try:
        claimed = await store.claim_pending_deliveries(
            datetime.now(UTC) + hours(1), limit=10, lease_seconds=60
        )
        assert sorted(d.id for d in claimed) == sorted(stored.deliveries)
        assert {d.article.title for d in claimed if d.article} == {"Story a1", "Story a2"}
        repeat = await store.store_articles(feed, [article("a1"), article("a2")], deliver=True)
        assert repeat.deliveries == ()
    finally:
        await store.close()


async def test_a_feed_linking_every_item_to_one_page_keeps_its_items_apart(store: Store) -> None:
    feed = await _feed(store)
    page = "https://podcast.example/"
    first = await store.store_articles(
        feed, [article("ep1", title="Episode 1", link=page)], deliver=True
    )
    later = await store.store_articles(
        feed,
        [
            article("ep2", title="Episode 2", link=page),
            article("ep1-new-guid", title="Episode 1", link=page),  # guid churn, same item
        ],
        deliver=True,
    )
    assert len(first.new_articles) == 1
    assert len(later.new_articles) == 1
    assert len(later.deliveries) == 1
    titles = {(await store.get_article(i)).title for i in later.linked}  # type: ignore[union-attr]
    assert titles == {"Episode 1", "Episode 2"}


async def test_two_feeds_storing_the_same_stories_at_once_store_them_once(store: Store) -> None:
    feeds = [await _feed(store, f"https://{i}.example/feed", channel=10 + i) for i in range(4)]
    stories = [article(f"s{i}") for i in range(5)]
    results = await asyncio.gather(
        *(store.store_articles(feed, stories, deliver=True) for feed in feeds)
    )
    assert sum(len(r.new_articles) for r in results) == 5
    assert all(len(r.linked) == 5 for r in results)
    assert len(await store.recent_articles(None)) == 5
    assert len(await store.list_deliveries()) == 20  # every channel gets every story once


async def test_articles_after_follows_storage_order(store: Store) -> None:
    feed = await _feed(store)
    first = await store.store_articles(feed, [article("a1"), article("a2")], deliver=False)
    later = await store.store_articles(feed, [article("a3")], deliver=False)
    assert [a.id for a in await store.articles_after(0)] == [*first.linked, *later.linked]
    assert [a.id for a in await store.articles_after(first.linked[-1])] == list(later.linked)
    assert [a.id for a in await store.articles_after(0, limit=1)] == [first.linked[0]]
