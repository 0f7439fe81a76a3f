"""Discord publishes 10 posts an hour per announcement channel: the rest wait, posts go on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.delivery import sender
from bot.delivery.publishing import PUBLISH_RETRY
from bot.store import DeliveryRow, Store
from tests.fakediscord import FakeDiscord, MessageFlag
from tests.fakediscord.ratelimit import CROSSPOST_ROUTE
from tests.fixtures.bot import StartBot
from tests.poller.builders import Clock
from tests.render.builders import article, eventually

ANNOUNCEMENT = 5
POSTING = ("cogs.posting",)


def published(fake: FakeDiscord, channel_id: int) -> int:
    return sum(bool(m.flags & MessageFlag.CROSSPOSTED) for m in fake.messages(channel_id))


async def follow(store: Store, guild_id: int, channel_id: int, count: int) -> None:
    """A publishing feed in the channel, with ``count`` articles queued."""
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    await store.subscribe(feed.id, guild_id, channel_id, mode="instant", added_by=1, publish=True)
    await store.store_articles(feed.id, [article(n) for n in range(count)], deliver=True)


async def test_publishes_over_the_hourly_limit_wait_for_the_next_hour(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=POSTING, clock=clock)
    news = await fake_discord.add_channel("announcements", type=ANNOUNCEMENT)
    store = running.runtime.store
    await follow(store, fake_discord.guild.id, news.id, 13)

    await fake_discord.wait_until(lambda: len(fake_discord.messages(news)) == 13, 60, "13 posts")
    # 9 an hour: the 10th, Discord's last, would make discord.py sleep out the hour in the call.
    await fake_discord.wait_until(lambda: published(fake_discord, news.id) == 9, 10, "publishes")
    waiting = await eventually(
        lambda: _waiting(store, 4), timeout=10, what="4 publishes waiting in the outbox"
    )
    assert {row.next_attempt_at for row in waiting} == {clock() + timedelta(hours=1)}
    assert [hit for hit in fake_discord.rate_limit_hits if hit.route == CROSSPOST_ROUTE] == []

    clock.advance(hours=1, seconds=1)  # the hour passes, for the bot and for Discord
    fake_discord.advance_rate_limits(3601)
    await fake_discord.wait_until(lambda: published(fake_discord, news.id) == 13, 30, "all 13")
    await eventually(lambda: _sent(store, 13), timeout=10, what="all 13 sent")
    assert len(fake_discord.messages(news)) == 13  # nothing posted twice
    assert [r.status for r in fake_discord.requests_to(CROSSPOST_ROUTE)] == [200] * 13


async def test_a_long_rate_limit_on_publishing_defers_it_and_the_channel_goes_on(
    start_bot: StartBot, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sender, "PUBLISH_PATIENCE", 2.0)  # 30 s in production
    clock = Clock()
    running = await start_bot(extensions=POSTING, clock=clock)
    news = await fake_discord.add_channel("announcements", type=ANNOUNCEMENT)
    # Someone published by hand this hour: Discord refuses the bot's publish for 30 minutes,
    # and discord.py would sleep through them, holding the channel's later posts.
    fake_discord.inject_429(1, CROSSPOST_ROUTE, retry_after=1800)
    store = running.runtime.store
    await follow(store, fake_discord.guild.id, news.id, 2)

    await fake_discord.wait_until(lambda: published(fake_discord, news.id) == 1, 30, "a publish")
    [deferred] = await eventually(lambda: _waiting(store, 1), timeout=10, what="one deferred")
    assert deferred.message_id == fake_discord.messages(news)[0].id
    assert deferred.next_attempt_at == clock() + timedelta(seconds=PUBLISH_RETRY)
    assert deferred.attempts == 0  # a wait, not a failed attempt
    assert len(fake_discord.messages(news)) == 2


async def _waiting(store: Store, count: int) -> list[DeliveryRow] | None:
    """The pending rows once there are ``count``, each posted and its publish deferred (a row
    whose publish is under way is posted too, but not yet deferred)."""
    rows = await store.list_deliveries(status="pending")
    deferred = len(rows) == count and all(row.message_id and row.last_error for row in rows)
    return rows if deferred else None


async def _sent(store: Store, count: int) -> bool:
    return len(await store.list_deliveries(status="sent")) == count
