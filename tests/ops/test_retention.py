"""Retention: old articles give back their space, are never posted twice, pending ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from bot.store import Store
from tests.poller.builders import Clock
from tests.store.factory import article

GUILD, CHANNEL = 1, 10
RETENTION = timedelta(days=90)


async def subscribed_feed(store: Store, url: str = "https://news.example/feed") -> int:
    feed = await store.add_feed(url)
    await store.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    return feed.id


async def test_old_articles_are_stripped_unless_pending_and_never_delivered_again(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    feed = await subscribed_feed(store)
    old = [article(f"old-{n}", text=f"Zeppelin{n} story happened. Body {n}.") for n in range(3)]
    await store.store_articles(feed, old, deliver=True)
    deliveries = await store.list_deliveries()
    for row in deliveries[:2]:
        await store.mark_sent(row.id, message_id=500 + row.id)
    clock.advance(days=100)
    await store.store_articles(feed, [article("fresh")], deliver=True)

    assert await store.prune(RETENTION) == 2
    sent_ids = [row.article_id for row in deliveries[:2]]
    for article_id in sent_ids:
        stripped = await store.get_article(article_id)
        assert stripped is not None
        assert stripped.text == ""
        assert stripped.title.startswith("Story old-")
    pending = await store.get_article(deliveries[2].article_id)
    assert pending is not None
    assert pending.text.startswith("Zeppelin2")
    assert await store.search_articles("zeppelin0") == []
    assert [hit.article_id for hit in await store.search_articles("zeppelin2")] == [
        deliveries[2].article_id
    ]

    # The feed still carries the old items: they are known, not stored or posted again.
    again = await store.store_articles(feed, [*old, article("fresh")], deliver=True)
    assert again.new_articles == ()
    assert again.deliveries == ()
    assert await store.prune(RETENTION) == 0  # already pruned; the pending one still waits


async def test_articles_no_feed_links_to_are_deleted(clocked_store: Store, clock: Clock) -> None:
    store = clocked_store
    feed = await subscribed_feed(store)
    result = await store.store_articles(feed, [article("a"), article("b")], deliver=False)
    # The feed goes away (as a removed feed would): its entries go with it.
    async with store._db.write() as conn:
        await conn.execute(text("DELETE FROM feeds WHERE id = :id"), {"id": feed})
    clock.advance(days=91)
    assert await store.prune(RETENTION) == 2
    for article_id in result.new_articles:
        assert await store.get_article(article_id) is None
    assert await store.search_articles("story") == []


async def test_recent_articles_are_kept(clocked_store: Store, clock: Clock) -> None:
    store = clocked_store
    feed = await subscribed_feed(store)
    await store.store_articles(feed, [article("a")], deliver=False)
    clock.advance(days=89)
    assert await store.prune(RETENTION) == 0
    assert (await store.recent_articles(None))[0].text != ""


async def test_a_big_prune_gives_the_space_back(clocked_store: Store, clock: Clock) -> None:
    store = clocked_store
    feed = await subscribed_feed(store)
    body = " ".join(f"word{n} is here." for n in range(3000))  # ~45 KB per article
    batch = [article(f"big-{n}", text=f"Story {n} begins. {body}") for n in range(60)]
    await store.store_articles(feed, batch, deliver=False)
    before = await store.database_bytes()
    clock.advance(days=91)
    assert await store.prune(RETENTION) == 60
    after = await store.database_bytes()
    if store.dialect == "sqlite":
        assert before is not None
        assert after is not None
        assert after < before / 3
    else:
        assert (before, after) == (None, None)
        assert await store.compact(force=True) is False  # autovacuum's job there


async def test_ping_answers(clocked_store: Store) -> None:
    assert await clocked_store.ping() is True


async def test_a_feeds_own_text_is_stripped_with_its_article(
    clocked_store: Store, clock: Clock
) -> None:
    store = clocked_store
    first = await subscribed_feed(store)
    second = await subscribed_feed(store, "https://other.example/feed")
    link = "https://news.example/shared"
    theirs = article("a", link=link, text="Their words about the shared story, first stored.")
    mine = article("b", link=link, text="My own words about the shared story, kept for me.")
    await store.store_articles(first, [theirs], deliver=False)
    await store.store_articles(second, [mine], deliver=False)
    [before] = await store.recent_articles(None, feed_id=second)
    assert before.text.startswith("My own words")
    clock.advance(days=100)

    assert await store.prune(RETENTION) == 1
    [row] = await store.recent_articles(None, feed_id=second)
    assert (row.text, row.text_source) == ("", "pruned")
    assert row.title == "Story b"
