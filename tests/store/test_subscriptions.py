"""Subscriptions and schedules: one per feed and channel, filters kept, schedules replaced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store import AlreadySubscribed, Filters, Store


async def test_a_feed_is_subscribed_once_per_channel(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed", title="Feed A")
    first = await store.subscribe(feed.id, 1, 10, mode="instant", added_by=99)
    with pytest.raises(AlreadySubscribed) as raised:
        await store.subscribe(feed.id, 1, 10, mode="digest", added_by=98)
    assert raised.value.existing == first
    other_channel = await store.subscribe(feed.id, 1, 11, mode="digest", added_by=98)
    assert (first.feed_url, first.feed_title, first.added_by) == (feed.url, "Feed A", 99)
    assert first.filters == Filters()
    assert first.paused_reason is None
    assert [s.id for s in await store.list_subscriptions(guild_id=1)] == [
        first.id,
        other_channel.id,
    ]
    assert [s.id for s in await store.list_subscriptions(channel_id=11)] == [other_channel.id]
    assert await store.list_subscriptions(guild_id=2) == []
    assert await store.get_subscription(first.id) == first


async def test_snowflakes_keep_64_bits(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed")
    big = 2**63 - 1
    sub = await store.subscribe(feed.id, big - 1, big, mode="instant", added_by=big - 2)
    assert (sub.guild_id, sub.channel_id, sub.added_by) == (big - 1, big, big - 2)


async def test_unknown_mode_is_refused(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed")
    with pytest.raises(ValueError, match="mode"):
        await store.subscribe(feed.id, 1, 10, mode="hourly", added_by=None)


async def test_filters_are_stored_per_guild(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed")
    sub = await store.subscribe(
        feed.id, 1, 10, mode="instant", added_by=None, filters=Filters.build(["ai"])
    )
    assert sub.filters.include == ("ai",)
    changed = await store.set_filters(1, sub.id, Filters.build(["/gpu|tpu/"], ["crypto"]))
    assert changed is not None
    assert (changed.filters.include, changed.filters.exclude) == (("/gpu|tpu/",), ("crypto",))
    assert await store.set_filters(2, sub.id, Filters()) is None  # not this guild's
    cleared = await store.set_filters(1, sub.id, Filters())
    assert cleared is not None
    assert cleared.filters == Filters()


async def test_naive_datetimes_are_refused(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed")
    with pytest.raises(Exception, match="naive datetime"):
        await store.record_not_modified(feed.id, next_poll_at=datetime(2026, 1, 1))


async def test_schedules_one_per_channel(store: Store) -> None:
    first_run = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    made = await store.upsert_schedule(
        1, 10, cron="0 8 * * *", timezone="Europe/Paris", created_by=5, next_run_at=first_run
    )
    replaced = await store.upsert_schedule(
        1, 10, cron="30 18 * * 1-5", timezone="America/New_York", created_by=6
    )
    other = await store.upsert_schedule(2, 20, cron="0 9 * * *", timezone="UTC", created_by=7)
    assert replaced.id == made.id
    assert replaced.created_at == made.created_at
    assert (replaced.cron, replaced.timezone, replaced.created_by) == (
        "30 18 * * 1-5",
        "America/New_York",
        6,
    )
    assert [s.channel_id for s in await store.list_schedules()] == [10, 20]
    assert await store.list_schedules(2) == [other]

    ran = first_run + timedelta(minutes=1)
    await store.mark_schedule_run(made.id, ran, next_run_at=ran + timedelta(days=1))
    (after,) = await store.list_schedules(1)
    assert (after.last_run_at, after.next_run_at) == (ran, ran + timedelta(days=1))

    assert not await store.remove_schedule(2, 10)  # another guild's channel
    assert await store.remove_schedule(1, 10)
    assert await store.list_schedules() == [other]
