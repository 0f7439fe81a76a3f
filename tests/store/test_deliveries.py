"""The outbox: claims (also concurrent), attempts, digests, and what unsubscribing does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.store import Store
from tests.store.factory import T0, article, hours


def _soon() -> datetime:
    return datetime.now(UTC) + hours(1)


async def _queued(
    store: Store, n: int, *, mode: str = "instant", channel: int = 10, prefix: str = ""
) -> int:
    feed = await store.add_feed(f"https://{mode}-{channel}.example/feed", title=f"Feed {channel}")
    await store.subscribe(feed.id, 1, channel, mode=mode, added_by=None)
    batch = [article(f"{prefix}{channel}-{i}", published=T0 + hours(i)) for i in range(n)]
    await store.store_articles(feed.id, batch, deliver=True)
    return feed.id


async def test_claim_hands_out_instant_posts_with_article_and_feed(store: Store) -> None:
    feed = await _queued(store, 3)
    await _queued(store, 2, mode="digest", channel=11)
    claimed = await store.claim_pending_deliveries(_soon(), limit=2, lease_seconds=300)
    assert [d.article.title for d in claimed if d.article] == ["Story 10-0", "Story 10-1"]
    assert all(d.kind == "instant" and d.attempts == 1 and d.feed_id == feed for d in claimed)
    rest = await store.claim_pending_deliveries(_soon(), limit=10, lease_seconds=300)
    assert [d.article.title for d in rest if d.article] == ["Story 10-2"]
    assert await store.claim_pending_deliveries(_soon(), limit=10, lease_seconds=300) == []
    # Not marked before the lease ended (a worker died): handed out again, a second attempt.
    again = await store.claim_pending_deliveries(_soon() + hours(1), limit=10, lease_seconds=300)
    assert sorted(d.id for d in again) == sorted(d.id for d in claimed + rest)
    assert {d.attempts for d in again} == {2}


async def test_a_channel_backlog_does_not_starve_other_channels(store: Store) -> None:
    await _queued(store, 30, channel=10)  # a big backlog, queued first
    await _queued(store, 3, channel=11, prefix="b")
    claimed = await store.claim_pending_deliveries(
        _soon(), limit=12, lease_seconds=300, per_channel=5
    )
    by_channel: dict[int, list[str]] = {}
    for row in claimed:
        assert row.article is not None
        by_channel.setdefault(row.channel_id, []).append(row.article.title)
    assert by_channel == {
        10: [f"Story 10-{i}" for i in range(5)],  # the oldest five, in order
        11: [f"Story b11-{i}" for i in range(3)],
    }
    more = await store.claim_pending_deliveries(_soon(), limit=12, lease_seconds=300, per_channel=5)
    assert [row.article.title for row in more if row.article] == [
        f"Story 10-{i}" for i in range(5, 10)
    ]


async def test_outcomes_of_attempts(store: Store) -> None:
    await _queued(store, 3)
    sent, retried, failed = await store.claim_pending_deliveries(
        _soon(), limit=3, lease_seconds=300
    )
    await store.mark_sent(sent.id, 1234567890123456789)
    await store.mark_retry(retried.id, "HTTP 503", _soon() + hours(5))
    await store.mark_failed(failed.id, "HTTP 400: embed too large")
    assert await store.pending_count() == 1
    rows = {d.id: d for d in await store.list_deliveries()}
    assert (rows[sent.id].status, rows[sent.id].message_id) == ("sent", 1234567890123456789)
    assert rows[sent.id].sent_at is not None
    assert (rows[retried.id].status, rows[retried.id].last_error) == ("pending", "HTTP 503")
    assert rows[failed.id].status == "failed"
    assert await store.claim_pending_deliveries(_soon() + hours(2), limit=9, lease_seconds=1) == []
    late = await store.claim_pending_deliveries(_soon() + hours(6), limit=9, lease_seconds=1)
    assert [d.id for d in late] == [retried.id]


async def test_concurrent_workers_never_share_a_post(database_url: str) -> None:
    # Many workers taking small batches from many channels: on PostgreSQL a worker whose
    # candidates were read before another worker's claim committed must skip those rows.
    stores = [await Store.open(database_url) for _ in range(6)]
    # SQLite has one writer at a time: one round shows it; PostgreSQL needs several.
    rows, rounds = 160, 5 if database_url.startswith("postgresql") else 1
    try:
        everything: list[int] = []
        for round_ in range(rounds):
            for channel in range(4):
                await _queued(stores[0], rows // 4, channel=round_ * 10 + channel)

            async def worker(store: Store) -> list[int]:
                taken: list[int] = []
                while batch := await store.claim_pending_deliveries(
                    _soon(), limit=4, lease_seconds=600, per_channel=2
                ):
                    taken += [d.id for d in batch]
                    await store.mark_sent_many([d.id for d in batch], None)
                return taken

            results = await asyncio.gather(*(worker(s) for s in stores))
            assert await stores[0].pending_count() == 0
            everything += [i for result in results for i in result]
    finally:
        for s in stores:
            await s.close()
    assert len(everything) == rows * rounds
    assert len(set(everything)) == rows * rounds


async def test_paused_subscription_posts_wait_until_resumed(store: Store) -> None:
    feed = await _queued(store, 2)
    (sub,) = await store.list_subscriptions(feed_id=feed)
    await store.pause_subscription(sub.id, "missing permissions: Embed Links")
    assert await store.claim_pending_deliveries(_soon(), limit=9, lease_seconds=60) == []
    (status,) = await store.feed_status(1)
    assert status.paused_reason == "missing permissions: Embed Links"
    await store.resume_subscription(sub.id)
    assert len(await store.claim_pending_deliveries(_soon(), limit=9, lease_seconds=60)) == 2


async def test_pending_digest_takes_a_channels_digest_posts(store: Store) -> None:
    await _queued(store, 3, mode="digest", channel=11)
    await _queued(store, 1, mode="digest", channel=12)
    await _queued(store, 1, mode="instant", channel=11, prefix="i")
    digest = await store.pending_digest(11)
    assert [d.article.title for d in digest if d.article] == [
        "Story 11-2",
        "Story 11-1",
        "Story 11-0",
    ]
    assert {d.feed_title for d in digest} == {"Feed 11"}
    await store.mark_sent_many([d.id for d in digest], 42)
    assert await store.pending_digest(11) == []
    assert await store.pending_count("digest") == 1
    assert await store.pending_count("instant") == 1


async def test_unsubscribing_skips_pending_posts(store: Store) -> None:
    feed = await _queued(store, 2)
    (sub,) = await store.list_subscriptions(feed_id=feed)
    assert not await store.unsubscribe(2, sub.id)  # another guild cannot remove it
    assert await store.unsubscribe(1, sub.id)
    assert await store.list_subscriptions(guild_id=1) == []
    assert await store.pending_count() == 0
    assert {d.status for d in await store.list_deliveries()} == {"skipped"}


async def test_a_removed_channel_is_forgotten(store: Store) -> None:
    await _queued(store, 2, channel=10)
    await _queued(store, 1, channel=20)
    await store.upsert_schedule(1, 10, cron="0 8 * * *", timezone="UTC", created_by=None)
    assert await store.remove_channel(10) == 1
    assert [s.channel_id for s in await store.list_subscriptions()] == [20]
    assert await store.list_schedules() == []
    assert await store.pending_count() == 1
