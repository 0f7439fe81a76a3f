"""Feeds: get-or-create, claiming due feeds (also concurrently), poll outcomes, moved URLs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.store import Store
from bot.store.engine import create_engine
from tests.store.factory import article, hours


def _now() -> datetime:
    return datetime.now(UTC)


async def test_add_feed_is_get_or_create(store: Store) -> None:
    first = await store.add_feed("https://a.example/feed", title="A")
    again = await store.add_feed("https://a.example/feed", title="other")
    other = await store.add_feed("https://b.example/feed")
    assert again == first
    assert first.title == "A"
    assert not first.baseline_done
    assert first.consecutive_failures == 0
    assert other.id != first.id
    assert await store.get_feed_by_url("https://b.example/feed") == other
    assert await store.get_feed(first.id) == first
    assert await store.get_feed(10_000) is None
    assert await store.list_feeds() == [first, other]


async def test_claim_takes_due_feeds_once_per_lease(store: Store) -> None:
    feeds = [await store.add_feed(f"https://{i}.example/feed") for i in range(5)]
    now = _now() + hours(1)
    await store.record_not_modified(feeds[0].id, next_poll_at=now + hours(1))  # not due
    # Broken, retried only when its long retry time comes.
    await store.record_failure(feeds[1].id, error="gone", next_poll_at=now + hours(6), broken=True)

    claimed = await store.claim_due_feeds(now, limit=2, lease_seconds=600)
    rest = await store.claim_due_feeds(now, limit=10, lease_seconds=600)
    assert len(claimed) == 2
    assert len(rest) == 1
    assert {f.id for f in claimed + rest} == {f.id for f in feeds[2:]}
    assert all(f.next_poll_at == now + hours(600 / 3600) for f in claimed)
    assert await store.claim_due_feeds(now, limit=10, lease_seconds=600) == []
    # A poller that died: the lease ends and the feeds are due again.
    again = await store.claim_due_feeds(now + hours(1), limit=10, lease_seconds=600)
    assert {f.id for f in again} == {f.id for f in feeds[2:]} | {feeds[0].id}
    retried = await store.claim_due_feeds(now + hours(6), limit=10, lease_seconds=600)
    assert feeds[1].id in {f.id for f in retried}


async def test_claim_subscribed_only_skips_feeds_nobody_wants(store: Store) -> None:
    wanted = await store.add_feed("https://wanted.example/feed")
    paused = await store.add_feed("https://paused.example/feed")
    await store.add_feed("https://orphan.example/feed")
    await store.subscribe(wanted.id, 1, 10, mode="instant", added_by=None)
    sub = await store.subscribe(paused.id, 1, 10, mode="instant", added_by=None)
    await store.pause_subscription(sub.id, "missing permissions")
    claimed = await store.claim_due_feeds(
        _now() + hours(1), limit=10, lease_seconds=60, subscribed_only=True
    )
    assert [f.id for f in claimed] == [wanted.id]


async def test_concurrent_claimers_never_share_a_feed(database_url: str) -> None:
    stores = [await Store.open(database_url) for _ in range(4)]
    try:
        ids = {(await stores[0].add_feed(f"https://{i}.example/feed")).id for i in range(120)}
        now = _now() + hours(1)

        async def claimer(store: Store) -> list[int]:
            taken: list[int] = []
            while batch := await store.claim_due_feeds(now, limit=7, lease_seconds=600):
                taken += [f.id for f in batch]
            return taken

        results = await asyncio.gather(*(claimer(s) for s in stores))
    finally:
        for s in stores:
            await s.close()
    everything = [feed_id for result in results for feed_id in result]
    assert sorted(everything) == sorted(ids)  # each feed exactly once


async def test_claim_skips_rows_locked_by_another_poller(store: Store, database_url: str) -> None:
    if store.dialect != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
    locked = await store.add_feed("https://locked.example/feed")
    free = await store.add_feed("https://free.example/feed")
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn, conn.begin():
            await conn.execute(
                text("SELECT id FROM feeds WHERE id = :id FOR UPDATE"), {"id": locked.id}
            )
            claimed = await asyncio.wait_for(
                store.claim_due_feeds(_now() + hours(1), limit=10, lease_seconds=60), 30
            )
    finally:
        await engine.dispose()
    assert [f.id for f in claimed] == [free.id]


async def test_a_claim_takes_a_full_batch_past_rows_another_poller_holds(
    store: Store, database_url: str
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
    feeds = [await store.add_feed(f"https://f{n}.example/feed") for n in range(20)]
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn, conn.begin():
            # Another poller's claim under way holds the first 10 due feeds.
            first = text("SELECT id FROM feeds ORDER BY next_poll_at, id LIMIT 10 FOR UPDATE")
            held = set((await conn.execute(first)).scalars())
            claimed = await asyncio.wait_for(
                store.claim_due_feeds(_now() + hours(1), limit=10, lease_seconds=60), 30
            )
    finally:
        await engine.dispose()
    assert len(claimed) == 10  # not the same 10 candidates, all skipped
    assert {f.id for f in claimed} == {f.id for f in feeds} - held


async def test_poll_outcomes_are_recorded(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed")
    later = _now() + hours(2)
    failed = await store.record_failure(feed.id, error="timeout", next_poll_at=later)
    failed = await store.record_failure(feed.id, error="HTTP 503", next_poll_at=later)
    assert failed.consecutive_failures == 2
    assert failed.last_error == "HTTP 503"
    assert failed.broken_reason is None
    assert failed.last_error_at is not None

    ok = await store.record_success(
        feed.id,
        etag='"v2"',
        last_modified="Wed, 25 Nov 2026 10:00:00 GMT",
        next_poll_at=later,
        title="Feed A",
        content_hash="ab" * 32,
    )
    assert (ok.etag, ok.title, ok.consecutive_failures, ok.next_poll_at) == (
        '"v2"',
        "Feed A",
        0,
        later,
    )
    assert ok.last_success_at is not None
    assert ok.last_error == "HTTP 503"

    broken = await store.record_failure(feed.id, error="HTTP 410", next_poll_at=later, broken=True)
    assert broken.broken_reason == "HTTP 410"
    await store.record_not_modified(feed.id, next_poll_at=later)
    healed = await store.get_feed(feed.id)
    assert healed is not None
    assert healed.broken_reason is None
    assert healed.consecutive_failures == 0


async def test_feed_status_lists_the_guilds_subscriptions(store: Store) -> None:
    a = await store.add_feed("https://a.example/feed")
    b = await store.add_feed("https://b.example/feed")
    await store.subscribe(a.id, 1, 10, mode="instant", added_by=None)
    await store.subscribe(b.id, 1, 11, mode="digest", added_by=None)
    await store.subscribe(b.id, 2, 20, mode="instant", added_by=None)
    await store.record_failure(b.id, error="DNS failure", next_poll_at=_now())
    status = await store.feed_status(1)
    assert [(s.url, s.channel_id, s.mode) for s in status] == [
        ("https://a.example/feed", 10, "instant"),
        ("https://b.example/feed", 11, "digest"),
    ]
    assert (status[1].consecutive_failures, status[1].last_error) == (1, "DNS failure")
    assert await store.feed_status(3) == []


async def test_permanent_redirect_moves_the_feed(store: Store) -> None:
    feed = await store.add_feed("http://a.example/rss")
    moved = await store.record_success(
        feed.id, etag=None, last_modified=None, next_poll_at=_now(), new_url="https://a.example/rss"
    )
    assert (moved.id, moved.url) == (feed.id, "https://a.example/rss")
    assert await store.get_feed_by_url("http://a.example/rss") is None


async def test_redirect_onto_an_existing_feed_merges_without_repeats(store: Store) -> None:
    old = await store.add_feed("http://a.example/rss")
    new = await store.add_feed("https://a.example/rss")
    await store.subscribe(old.id, 1, 10, mode="instant", added_by=None)
    await store.subscribe(old.id, 1, 11, mode="instant", added_by=None)
    await store.subscribe(new.id, 1, 11, mode="digest", added_by=None)
    await store.store_articles(old.id, [article("a1"), article("a2")], deliver=True)
    await store.store_articles(new.id, [article("a2"), article("a3")], deliver=True)

    merged = await store.set_feed_url(old.id, "https://a.example/rss")
    assert merged.id == new.id
    assert await store.get_feed(old.id) is None
    subs = await store.list_subscriptions(feed_id=new.id)
    assert sorted((s.channel_id, s.mode) for s in subs) == [(10, "instant"), (11, "digest")]
    assert await store.known_entry_keys(new.id, ["a1", "a2", "a3"]) == {"a1", "a2", "a3"}
    again = await store.store_articles(new.id, [article("a1"), article("a3")], deliver=True)
    assert again.linked == ()
    assert again.deliveries == ()


async def test_many_not_modified_polls_are_recorded_at_once(store: Store) -> None:
    feeds = [await store.add_feed(f"https://{i}.example/feed") for i in range(3)]
    failing = await store.record_failure(feeds[0].id, error="timeout", next_poll_at=_now())
    assert failing.consecutive_failures == 1
    base = _now() + hours(1)
    await store.record_not_modified_many([(f.id, base + hours(i)) for i, f in enumerate(feeds)])
    await store.record_not_modified_many([])
    after = [await store.get_feed(f.id) for f in feeds]
    assert [f.next_poll_at for f in after if f] == [base, base + hours(1), base + hours(2)]
    assert all(f and f.last_success_at and f.consecutive_failures == 0 for f in after)


async def test_failure_notice_is_remembered(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed")
    at = _now()
    await store.mark_failure_notice(feed.id, at)
    noticed = await store.get_feed(feed.id)
    assert noticed is not None
    assert noticed.failure_notice_at == at
