"""Changed items: the feed's own view follows them, and edits of their posts are queued once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime

import pytest

from bot.feeds.changes import content_hash
from bot.models import Article
from bot.store import Store
from bot.store.rows import FeedBatchItem
from tests.store.factory import T0, article, hours

GUILD, CHANNEL, OTHER_CHANNEL = 1, 10, 11


class Clock:
    """The store's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def timed(database_url: str, clock: Clock) -> AsyncIterator[Store]:
    store = await Store.open(database_url, clock=clock)
    try:
        yield store
    finally:
        await store.close()


def hashed(a: Article) -> Article:
    """``a`` with its entry's content hash, as the parser sets it."""
    e = a.entry
    return replace(a, entry=replace(e, content_hash=content_hash(e.title, e.summary, e.content)))


def retitled(a: Article, title: str) -> Article:
    return hashed(replace(a, entry=replace(a.entry, title=title)))


async def posted(store: Store, clock: Clock, feed_id: int, a: Article) -> int:
    """Store ``a`` for the feed, post it (as the worker would); returns its delivery id."""
    await store.store_articles(feed_id, [a], deliver=True)
    [row] = await store.claim_pending_deliveries(clock.now, limit=5, lease_seconds=60)
    await store.mark_sent(row.id, 5000 + row.id)
    return row.id


async def change(store: Store, feed_id: int, a: Article) -> int:
    """Store ``a`` as a changed item of the feed; returns the edits queued."""
    item = FeedBatchItem(feed_id, [], deliver=True, changed=[a])
    return (await store.store_feed_batch([item]))[feed_id].edits


async def test_the_hash_is_kept_and_a_late_one_is_recorded(timed: Store) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    first, old = hashed(article("a1")), article("a2")  # a2: stored before hashes were kept
    await timed.store_articles(feed.id, [first, old], deliver=False)
    assert await timed.entry_hashes(feed.id, ["a1", "a2", "a3"]) == {
        "a1": first.entry.content_hash,
        "a2": None,
    }
    late = hashed(old)
    item = FeedBatchItem(feed.id, [], deliver=True, rehashed=[late.entry])
    assert (await timed.store_feed_batch([item]))[feed.id].edits == 0
    assert (await timed.entry_hashes(feed.id, ["a2"]))["a2"] == late.entry.content_hash


async def test_a_change_shows_in_the_feeds_view_only_and_queues_one_edit(
    timed: Store, clock: Clock
) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    other = await timed.add_feed("https://b.example/feed")  # carries the same story (URL)
    await timed.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    await timed.subscribe(other.id, 2, OTHER_CHANNEL, mode="instant", added_by=None)
    original = hashed(article("a1", title="Bridge reopens"))
    delivery_id = await posted(timed, clock, feed.id, original)
    shared = article("b1", title="Bridge reopens", link=original.entry.link)
    await timed.store_articles(other.id, [hashed(shared)], deliver=True)

    clock.now += hours(0.1)
    assert await change(timed, feed.id, retitled(original, "Bridge reopens to traffic")) == 1

    [sent] = await timed.list_deliveries(channel_id=CHANNEL)
    mine = await timed.get_article(sent.article_id, feed_id=feed.id)
    assert mine is not None
    assert mine.title == "Bridge reopens to traffic"
    theirs = await timed.get_article(mine.id, feed_id=other.id)
    assert theirs is not None
    assert theirs.title == "Bridge reopens"  # another feed's item is never changed
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    assert (row.id, row.editing, row.message_id) == (delivery_id, True, 5000 + delivery_id)
    assert row.article is not None
    assert row.article.title == "Bridge reopens to traffic"
    assert await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60) == []  # held


async def test_at_most_one_edit_an_hour_and_later_changes_coalesce(
    timed: Store, clock: Clock
) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    await timed.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    a = hashed(article("a1", title="v1"))
    delivery_id = await posted(timed, clock, feed.id, a)

    await change(timed, feed.id, retitled(a, "v2"))
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    await timed.mark_edited(row.id, clock.now)
    edited_at = clock.now

    clock.now += hours(0.25)
    assert await change(timed, feed.id, retitled(a, "v3")) == 1
    clock.now += hours(0.25)
    assert await change(timed, feed.id, retitled(a, "v4")) == 0  # one edit waits already
    assert await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60) == []
    [row] = await timed.list_deliveries(channel_id=CHANNEL)
    assert row.edit_due_at == edited_at + hours(1)

    clock.now = edited_at + hours(1)
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    assert row.id == delivery_id
    assert row.article is not None
    assert row.article.title == "v4"  # the one edit shows the latest change
    await timed.mark_edited(row.id, clock.now)
    [row] = await timed.list_deliveries(channel_id=CHANNEL)
    assert (row.edit_due_at, row.edited_at) == (None, clock.now)


async def test_a_change_during_an_edit_stays_due(timed: Store, clock: Clock) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    await timed.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    a = hashed(article("a1", title="v1"))
    await posted(timed, clock, feed.id, a)
    await change(timed, feed.id, retitled(a, "v2"))
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    assert await change(timed, feed.id, retitled(a, "v3")) == 1  # while the edit is under way
    await timed.mark_edited(row.id, clock.now)
    [after] = await timed.list_deliveries(channel_id=CHANNEL)
    assert after.edit_due_at == clock.now + hours(1)


async def test_no_edit_without_updates_or_of_unsent_posts(timed: Store, clock: Clock) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    quiet = await timed.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    a = hashed(article("a1", title="v1"))
    await posted(timed, clock, feed.id, a)
    assert await change(timed, feed.id, retitled(a, "v2")) == 1  # queued...
    off = await timed.set_updates(GUILD, quiet.id, False)  # ...and dropped with updates off
    assert off is not None
    assert not off.updates
    assert await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60) == []
    assert await change(timed, feed.id, retitled(a, "v3")) == 0
    assert await timed.set_updates(2, quiet.id, True) is None  # another guild's subscription

    on = await timed.set_updates(GUILD, quiet.id, True)
    assert on is not None
    assert on.updates
    b = hashed(article("a2"))
    await timed.store_articles(feed.id, [b], deliver=True)  # pending: shows the change anyway
    assert await change(timed, feed.id, retitled(b, "new")) == 0


async def test_a_dropped_edit_is_not_claimed_again(timed: Store, clock: Clock) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    await timed.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    a = hashed(article("a1", title="v1"))
    await posted(timed, clock, feed.id, a)
    await change(timed, feed.id, retitled(a, "v2"))
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    await timed.drop_edit(row.id, "edit: 404 Unknown Message")
    clock.now += hours(2)
    assert await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60) == []
    [row] = await timed.list_deliveries(channel_id=CHANNEL)
    assert (row.status, row.edit_due_at) == ("sent", None)


async def test_a_claimed_edit_comes_back_after_its_lease_and_is_made_once(
    timed: Store, clock: Clock
) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    await timed.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    a = hashed(article("a1", title="v1"))
    await posted(timed, clock, feed.id, a)
    await change(timed, feed.id, retitled(a, "v2"))
    [claimed] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    # The process holding it dies: nobody else takes it while the lease runs...
    clock.now += hours(0.01)
    assert await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60) == []
    clock.now += hours(0.02)  # ...then the next one does, and the edit is made once.
    [again] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    assert again.id == claimed.id
    await timed.mark_edited(again.id, clock.now)
    clock.now += hours(3)
    assert await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60) == []


async def test_a_retried_edit_waits_and_a_released_one_is_due_at_once(
    timed: Store, clock: Clock
) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    await timed.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    a = hashed(article("a1", title="v1"))
    await posted(timed, clock, feed.id, a)
    await change(timed, feed.id, retitled(a, "v2"))
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    await timed.release_edit(row.id)  # shutdown
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    await timed.retry_edit(row.id, "edit: 503", clock.now + hours(0.1))
    assert await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60) == []
    clock.now += hours(0.1)
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    assert row.editing


async def test_a_digest_message_keeps_its_order_and_its_posts_are_edited(
    timed: Store, clock: Clock
) -> None:
    feed = await timed.add_feed("https://a.example/feed")
    await timed.subscribe(feed.id, GUILD, CHANNEL, mode="digest", added_by=None)
    first, second, third = (hashed(article(f"a{n}", title=f"v{n}")) for n in (1, 2, 3))
    await timed.store_articles(feed.id, [first, second, third], deliver=True)
    rows = await timed.pending_digest(CHANNEL)
    order = [rows[2].id, rows[0].id, rows[1].id]  # the order the message shows them in
    await timed.mark_sent_many(order, 900)
    assert [r.id for r in await timed.digest_message(CHANNEL, 900)] == order

    assert await change(timed, feed.id, retitled(second, "v2, corrected")) == 1
    [row] = await timed.claim_due_edits(clock.now, limit=5, lease_seconds=60)
    assert (row.kind, row.message_id) == ("digest", 900)
    shown = await timed.digest_message(CHANNEL, 900)
    assert [r.id for r in shown] == order
    assert "v2, corrected" in [r.article.title for r in shown if r.article is not None]
