"""Claims that belong to a live worker: heartbeats, takeovers, hand-backs, the lease."""

from __future__ import annotations

import asyncio

from bot.store import Store
from bot.store.base import utcnow
from tests.store.conftest import Clock, OpenStore
from tests.store.factory import T0, article, hours

STALE = 15.0


async def _queue(store: Store, n: int, channel: int = 10) -> None:
    feed = await store.add_feed(f"https://c{channel}.example/feed")
    await store.subscribe(feed.id, 1, channel, mode="instant", added_by=None)
    items = [article(f"{channel}-{i}", published=T0 + hours(i)) for i in range(n)]
    await store.store_articles(feed.id, items, deliver=True)


async def _claim(store: Store, clock: Clock, limit: int = 50) -> list[int]:
    rows = await store.claim_pending_deliveries(clock(), limit=limit, lease_seconds=120)
    return [row.id for row in rows]


async def test_a_live_workers_claims_stay_its_own(open_store: OpenStore, clock: Clock) -> None:
    a, b = await open_store(), await open_store()
    await a.register_worker("a", stale_seconds=STALE)
    await b.register_worker("b", stale_seconds=STALE)
    await _queue(a, 6)
    await _queue(a, 2, channel=11)
    taken = await _claim(a, clock, limit=4)
    assert len(taken) == 4
    for _ in range(6):  # a beats; b, healthy all along, still may not take a's rows
        clock.advance(5)
        await a.heartbeat()
        await b.heartbeat()
        # ...nor the rest of the channel a posts in: only the other channel's rows
        assert len(await _claim(b, clock)) == (2 if _ == 0 else 0)
    (row,) = [r for r in await a.list_deliveries() if r.id == taken[0]]
    assert row.claimed_by == a.worker_id


async def test_a_channel_is_posted_by_one_worker_at_a_time(
    open_store: OpenStore, clock: Clock
) -> None:
    a, b = await open_store(), await open_store()
    await a.register_worker("a", stale_seconds=STALE)
    await b.register_worker("b", stale_seconds=STALE)
    await _queue(a, 3)
    taken = await _claim(a, clock, limit=2)
    assert await _claim(b, clock) == []  # a posts in channel 10: its order and pace are a's
    assert len(await _claim(a, clock)) == 1  # a itself takes the channel's next row
    for row_id in taken:
        await a.mark_sent(row_id, 1)
    assert await _claim(b, clock) == []  # a still holds the third
    clock.advance(STALE + 5)  # a falls silent: b takes over its claim, and the channel
    await b.heartbeat()
    clock.advance(STALE + 5)
    await b.heartbeat()
    assert len(await _claim(b, clock)) == 1


async def test_a_silent_workers_claims_are_taken_over(open_store: OpenStore, clock: Clock) -> None:
    a, b = await open_store(), await open_store()
    await a.register_worker("a", stale_seconds=STALE)
    await b.register_worker("b", stale_seconds=STALE)
    await _queue(a, 5)
    taken = await _claim(a, clock)
    clock.advance(STALE - 1)  # a stops beating (killed)
    await b.heartbeat()
    assert await _claim(b, clock) == []
    clock.advance(2)
    await b.heartbeat()
    assert sorted(await _claim(b, clock)) == sorted(taken)
    assert {r.claimed_by for r in await b.list_deliveries()} == {b.worker_id}


async def test_a_worker_waits_a_stale_limit_before_taking_over(
    open_store: OpenStore, clock: Clock
) -> None:
    # After a database outage every heartbeat looks stale: a worker (back, or new) first beats
    # for a whole stale limit, so the others have time to beat again and keep their claims.
    a = await open_store()
    await a.register_worker("a", stale_seconds=STALE)
    await _queue(a, 3)
    taken = await _claim(a, clock)
    clock.advance(60)
    b = await open_store()
    await b.register_worker("b", stale_seconds=STALE)
    assert await _claim(b, clock) == []  # a may still hold posts in flight
    clock.advance(STALE / 2)
    await a.heartbeat()  # a is back in time: its claims stay its own
    clock.advance(STALE / 2)
    await b.heartbeat()
    assert await _claim(b, clock) == []
    clock.advance(STALE + 1)  # a is silent again
    await b.heartbeat()
    assert sorted(await _claim(b, clock)) == sorted(taken)


async def test_a_restart_takes_over_its_own_claims_at_once(
    open_store: OpenStore, clock: Clock
) -> None:
    first = await open_store()
    await first.register_worker("host|db|shards=all", stale_seconds=STALE)
    await _queue(first, 4)
    taken = await _claim(first, clock)
    clock.advance(1)  # killed; restarted a second later, beat fresh in the database
    second = await open_store()
    await second.register_worker("host|db|shards=all", stale_seconds=STALE)
    assert sorted(await _claim(second, clock)) == sorted(taken)
    assert [w.name for w in await second.list_workers()] == ["host|db|shards=all"]


async def test_a_clean_stop_hands_claims_back(open_store: OpenStore, clock: Clock) -> None:
    a, b = await open_store(), await open_store()
    await a.register_worker("a", stale_seconds=STALE)
    await b.register_worker("b", stale_seconds=STALE)
    await _queue(a, 3)
    feed = await a.add_feed("https://feeds.example/x")
    taken = await _claim(a, clock)
    polled = await a.claim_due_feeds(clock(), limit=9, lease_seconds=300)
    assert [f.id for f in polled] == [1, feed.id]
    await a.unregister_worker()
    assert sorted(await _claim(b, clock)) == sorted(taken)
    again = await b.claim_due_feeds(clock(), limit=9, lease_seconds=300)
    assert sorted(f.id for f in again) == [1, feed.id]
    assert [w.name for w in await b.list_workers()] == ["b"]


async def test_a_dead_pollers_feeds_are_polled_again_but_not_those_it_recorded(
    open_store: OpenStore, clock: Clock
) -> None:
    a, b = await open_store(), await open_store()
    await a.register_worker("a", stale_seconds=STALE)
    await b.register_worker("b", stale_seconds=STALE)
    done = await a.add_feed("https://done.example/feed")
    cut = await a.add_feed("https://cut.example/feed")
    assert len(await a.claim_due_feeds(clock(), limit=9, lease_seconds=300)) == 2
    clock.advance(1)
    await a.record_not_modified(done.id, next_poll_at=clock() + hours(1))
    clock.advance(STALE + 1)  # a dies while polling the other feed
    await b.heartbeat()
    assert [f.id for f in await b.claim_due_feeds(clock(), limit=9, lease_seconds=300)] == [cut.id]


async def test_the_lease_is_the_safety_net_without_a_worker(
    open_store: OpenStore, clock: Clock
) -> None:
    plain = await open_store()  # never registered: plain leases, as tools and tests make
    await _queue(plain, 2)
    taken = await _claim(plain, clock)
    clock.advance(119)
    assert await _claim(plain, clock) == []
    clock.advance(2)
    assert sorted(await _claim(plain, clock)) == sorted(taken)


async def test_concurrent_pollers_never_share_a_feed(database_url: str) -> None:
    stores = [await Store.open(database_url) for _ in range(6)]
    try:
        for n in range(300):
            await stores[0].add_feed(f"https://f{n}.example/feed")

        async def poller(store: Store) -> list[int]:
            await store.register_worker(f"p{id(store)}", stale_seconds=STALE)
            taken: list[int] = []
            while batch := await store.claim_due_feeds(utcnow(), limit=5, lease_seconds=600):
                taken += [f.id for f in batch]
            return taken

        results = await asyncio.gather(*(poller(s) for s in stores))
    finally:
        for s in stores:
            await s.close()
    everything = [i for result in results for i in result]
    assert sorted(everything) == list(range(1, 301))


async def test_recent_posts_in_a_channel_are_known_to_every_worker(
    open_store: OpenStore, clock: Clock
) -> None:
    a, b = await open_store(), await open_store()
    await _queue(a, 3)
    await _queue(a, 1, channel=11)
    taken = await _claim(a, clock)
    for row in await a.list_deliveries():
        if row.channel_id == 10 and row.id in taken[:2]:
            await a.mark_sent(row.id, 1)
    clock.advance(2)
    assert await b.recent_posts(10, 5.0) == [2.0, 2.0]
    assert await b.recent_posts(11, 5.0) == []  # nothing sent there
    clock.advance(4)
    assert await b.recent_posts(10, 5.0) == []  # out of the channel's window


async def test_renewed_claims_outlast_the_lease(open_store: OpenStore, clock: Clock) -> None:
    a, b = await open_store(), await open_store()
    await a.register_worker("a", stale_seconds=STALE)
    await b.register_worker("b", stale_seconds=STALE)
    await _queue(a, 3)
    taken = await _claim(a, clock)
    for _ in range(4):  # 4 x 100 s: far past the 120-s lease, renewed every 100 s
        clock.advance(100)
        await a.heartbeat()
        await b.heartbeat()
        assert await a.renew_claims(taken, clock()) == set(taken)
        assert await _claim(b, clock) == []
    clock.advance(121)  # a stops renewing (a send stuck for good): the lease lets go
    await a.heartbeat()
    await b.heartbeat()
    assert sorted(await _claim(b, clock)) == sorted(taken)
    assert await a.renew_claims(taken, clock()) == set()  # b's now: a must not send them


async def test_only_rows_still_claimed_are_renewed(open_store: OpenStore, clock: Clock) -> None:
    a = await open_store()
    await a.register_worker("a", stale_seconds=STALE)
    await _queue(a, 3)
    first, second, third = sorted(await _claim(a, clock))
    await a.mark_sent(first, 1)
    await a.mark_retry(second, "HTTP 503", clock())
    assert await a.renew_claims([first, second, third], clock()) == {third}
