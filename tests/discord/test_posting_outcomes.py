"""What a failed post does to the outbox, on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bot.delivery import Action, DeliveryConfig
from bot.delivery.pacing import Pacer
from bot.delivery.post import Poster
from bot.store import DeliveryRow, Store
from tests.poller.builders import Clock
from tests.render.builders import article, http_error, queue_posts

GUILD, CHANNEL = 10, 20


@pytest.fixture
async def clocked(database_url: str) -> AsyncIterator[tuple[Store, Clock]]:
    clock = Clock()
    store = await Store.open(database_url, clock=clock)
    try:
        yield store, clock
    finally:
        await store.close()


async def claimed(store: Store, clock: Clock) -> list[DeliveryRow]:
    return await store.claim_pending_deliveries(clock(), limit=10, lease_seconds=60)


def poster(store: Store, clock: Clock, **config: Any) -> Poster:
    client = discord.Client(intents=discord.Intents.none())  # never connected: not used here
    return Poster(client, store, Pacer(DeliveryConfig(**config)), clock=clock)


@pytest.mark.parametrize(
    ("error", "max_attempts", "action", "status"),
    [
        (http_error(discord.DiscordServerError, 502, 0), 12, Action.RETRY, "pending"),
        (ConnectionResetError("reset"), 12, Action.RETRY, "pending"),
        (http_error(discord.DiscordServerError, 503, 0), 1, Action.FAIL, "failed"),
        (http_error(discord.HTTPException, 400, 50035), 12, Action.FAIL, "failed"),
    ],
)
async def test_failed_posts_are_retried_with_backoff_or_given_up(
    clocked: tuple[Store, Clock],
    error: BaseException,
    max_attempts: int,
    action: Action,
    status: str,
) -> None:
    store, clock = clocked
    await queue_posts(store, GUILD, [CHANNEL], [article(1)])
    [row] = await claimed(store, clock)
    assert await poster(store, clock, max_attempts=max_attempts).failed(row, error) is action
    [after] = await store.list_deliveries()
    assert after.status == status
    assert after.last_error
    if status == "pending":
        clock.advance(seconds=9)
        assert await claimed(store, clock) == []  # 10 s back-off after the first attempt
        clock.advance(seconds=1)
        [again] = await claimed(store, clock)
        assert again.attempts == 2


async def test_a_forbidden_post_pauses_its_subscription_and_waits(
    clocked: tuple[Store, Clock],
) -> None:
    store, clock = clocked
    await queue_posts(store, GUILD, [CHANNEL], [article(1)])
    [row] = await claimed(store, clock)
    forbidden = http_error(discord.Forbidden, 403, 50013)
    assert await poster(store, clock).failed(row, forbidden) is Action.PAUSE
    [sub] = await store.list_subscriptions(channel_id=CHANNEL)
    assert "Send Messages" in (sub.paused_reason or "")
    assert await claimed(store, clock) == []  # paused: not claimed
    await store.resume_subscription(sub.id)
    assert [r.id for r in await claimed(store, clock)] == [row.id]


async def test_an_unknown_channel_is_forgotten(clocked: tuple[Store, Clock]) -> None:
    store, clock = clocked
    await queue_posts(store, GUILD, [CHANNEL], [article(1), article(2)])
    first, _ = await claimed(store, clock)
    gone = http_error(discord.NotFound, 404, 10003)
    assert await poster(store, clock).failed(first, gone) is Action.REMOVE_CHANNEL
    assert await store.list_subscriptions(channel_id=CHANNEL) == []
    assert {d.status for d in await store.list_deliveries()} == {"skipped"}
    clock.advance(minutes=5)
    assert await claimed(store, clock) == []
