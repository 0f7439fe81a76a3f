"""Channel controls in the store: settings, the daily cap count, held posts, feed coverage."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.store import Store
from tests.store.factory import article, hours

GUILD, CHANNEL, OTHER = 1, 10, 11
SOON = datetime.now(UTC) + hours(1)


async def queue(
    store: Store, count: int, *, channel: int = CHANNEL, prefix: str = "a"
) -> list[int]:
    """``count`` instant posts for ``channel``; returns their delivery ids."""
    feed = await store.add_feed(f"https://{prefix}{channel}.example/feed", title="Wire")
    await store.subscribe(feed.id, GUILD, channel, mode="instant", added_by=None)
    articles = [article(f"{prefix}{channel}-{n}") for n in range(count)]
    await store.store_articles(feed.id, articles, deliver=True)
    return [d.id for d in await store.list_deliveries(channel_id=channel)]


async def test_controls_change_one_at_a_time_and_keep_the_others(store: Store) -> None:
    assert await store.get_controls(CHANNEL) is None
    row = await store.set_controls(
        GUILD, CHANNEL, updated_by=5, quiet_start="22:00", quiet_end="07:00", timezone="Asia/Tokyo"
    )
    assert (row.quiet_start, row.quiet_end, row.timezone, row.daily_cap) == (
        "22:00",
        "07:00",
        "Asia/Tokyo",
        None,
    )
    row = await store.set_controls(GUILD, CHANNEL, updated_by=6, daily_cap=10)
    assert (row.quiet_start, row.timezone, row.daily_cap, row.updated_by) == (
        "22:00",
        "Asia/Tokyo",
        10,
        6,
    )
    await store.set_controls(GUILD, OTHER, updated_by=None, digest_max=3)
    await store.set_controls(2, 99, updated_by=None, digest_max=4)
    assert [r.channel_id for r in await store.list_controls(GUILD)] == [CHANNEL, OTHER]
    assert set(await store.controls_for([CHANNEL, 99, 12345])) == {CHANNEL, 99}
    lifted = await store.set_controls(
        GUILD, CHANNEL, updated_by=6, quiet_start=None, quiet_end=None
    )
    assert (lifted.quiet_start, lifted.daily_cap) == (None, 10)


async def test_the_cap_counts_each_post_once_per_channel_and_day(store: Store) -> None:
    ids = await queue(store, 12)
    others = await queue(store, 2, channel=OTHER)
    day, next_day = "2026-03-02", "2026-03-03"
    taken = [await store.take_cap_slot(i, CHANNEL, day, 10) for i in ids]
    assert taken == [True] * 10 + [False] * 2
    assert await store.cap_count(CHANNEL, day) == 10
    assert await store.take_cap_slot(ids[0], CHANNEL, day, 10)  # a retry of a counted post
    assert await store.cap_count(CHANNEL, day) == 10
    assert await store.take_cap_slot(others[0], OTHER, day, 10)  # another channel's own count
    assert await store.take_cap_slot(ids[10], CHANNEL, next_day, 10)  # a new day starts at 0
    assert await store.cap_count(CHANNEL, next_day) == 1
    assert await store.cap_count(CHANNEL, day) == 10


async def test_the_cap_holds_across_processes_taking_slots_at_once(
    store: Store, database_url: str
) -> None:
    ids = await queue(store, 50)
    await store.set_controls(GUILD, CHANNEL, updated_by=None, daily_cap=10)
    second = await Store.open(database_url)  # another process on the same database
    try:
        stores = [store, second]
        results = await asyncio.gather(
            *(stores[n % 2].take_cap_slot(i, CHANNEL, "2026-03-02", 10) for n, i in enumerate(ids))
        )
    finally:
        await second.close()
    assert sum(results) == 10
    assert await store.cap_count(CHANNEL, "2026-03-02") == 10


async def test_held_posts_are_never_claimed_and_wait_for_release(store: Store) -> None:
    quiet, capped, free = await queue(store, 3)
    now = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    await store.hold_delivery(quiet, "quiet", now)
    await store.hold_delivery(capped, "cap", now)
    claimed = await store.claim_pending_deliveries(SOON, limit=10, lease_seconds=60)
    assert [row.id for row in claimed] == [free]
    held = await store.held_deliveries(CHANNEL)
    assert [(row.id, row.held) for row in held] == [(quiet, "quiet"), (capped, "cap")]
    assert all(row.article is not None and row.held_at is not None for row in held)
    assert await store.held_channels() == {CHANNEL: {"quiet": now, "cap": now}}
    # Posts over the cap are carried by the channel's next digest.
    assert [row.id for row in await store.pending_digest(CHANNEL)] == [capped]
    await store.mark_skipped_many([quiet, capped], "summarised")
    assert await store.held_channels() == {}
    statuses = {d.id: d.status for d in await store.list_deliveries(channel_id=CHANNEL)}
    assert statuses == {quiet: "skipped", capped: "skipped", free: "pending"}


async def test_coverage_counts_the_channels_feeds_that_carried_an_article(store: Store) -> None:
    feeds = [await store.add_feed(f"https://f{n}.example/feed") for n in range(3)]
    for feed in feeds[:2]:
        await store.subscribe(feed.id, GUILD, CHANNEL, mode="digest", added_by=None)
    await store.subscribe(feeds[2].id, GUILD, OTHER, mode="digest", added_by=None)
    shared = article("shared", link="https://news.example/shared")
    for feed in feeds:
        await store.store_articles(feed.id, [shared], deliver=True)
    await store.store_articles(feeds[0].id, [article("alone")], deliver=True)
    rows = await store.list_deliveries(channel_id=CHANNEL)
    coverage = await store.coverage(CHANNEL, [r.article_id for r in rows])
    assert sorted(coverage.values()) == [1, 2]  # the third feed posts elsewhere


async def test_a_removed_channel_loses_its_controls(store: Store) -> None:
    await store.set_controls(GUILD, CHANNEL, updated_by=None, daily_cap=3)
    await store.set_controls(GUILD, OTHER, updated_by=None, daily_cap=4)
    await store.remove_channel(CHANNEL)
    assert await store.get_controls(CHANNEL) is None
    assert await store.get_controls(OTHER) is not None
