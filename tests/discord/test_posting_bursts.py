"""Bursts of posts survive a killed bot and storms of 429s: every post arrives exactly once."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import pytest

from bot.delivery import DeliveryConfig
from bot.store import Store
from tests.fakediscord import FakeDiscord
from tests.fakediscord.ratelimit import MESSAGES_ROUTE
from tests.fixtures.bot import RunningBot, StartBot
from tests.poller.builders import Clock
from tests.render.builders import article, eventually, queue_posts, worker_of

POSTING = ("cogs.posting",)


async def channels(fake: FakeDiscord, n: int) -> list[int]:
    """``n`` channels the bot may post in: the two default ones and new ones."""
    ids = [fake.channel.id, fake.channel2.id]
    for k in range(n - len(ids)):
        ids.append((await fake.add_channel(f"burst-{k}")).id)
    return ids[:n]


def posted(fake: FakeDiscord, channel_ids: list[int]) -> Counter[tuple[int, str]]:
    """How many times each (channel, article title) was posted."""
    return Counter(
        (channel_id, message.embeds[0]["title"])
        for channel_id in channel_ids
        for message in fake.messages(channel_id)
    )


async def all_sent(store: Store, total: int) -> bool:
    """True once ``total`` deliveries are marked sent."""
    return len(await store.list_deliveries(status="sent")) == total


async def kill(running: RunningBot) -> None:
    """Stop the bot as a crash would: cancel its tasks, no clean shutdown, nothing recorded."""
    tasks = [t for t in (running.task, worker_of(running).task) if t is not None]
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_bot_killed_mid_burst_posts_everything_exactly_once_after_restart(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    ids = await channels(fake_discord, 5)
    first = await start_bot(extensions=POSTING, clock=clock)
    # 6 posts per channel: the 6th waits for the channel's 5-per-5-s window, so the kill below
    # lands in the middle of the burst.
    total = await queue_posts(
        first.runtime.store, fake_discord.guild.id, ids, [article(n) for n in range(6)]
    )
    assert total == 30
    await fake_discord.wait_until(
        lambda: sum(posted(fake_discord, ids).values()) >= 25, 10, "25 posts"
    )
    await kill(first)
    before = sum(posted(fake_discord, ids).values())
    assert before < total

    clock.advance(seconds=DeliveryConfig().lease_seconds + 1)  # the dead worker's leases end
    second = await start_bot(extensions=POSTING, clock=clock)
    await eventually(lambda: all_sent(second.runtime.store, total), timeout=20, what="all sent")
    counts = posted(fake_discord, ids)
    assert set(counts.values()) == {1}
    assert len(counts) == total
    # The kill landed between Discord's answer and mark_sent for the newest posts: they were
    # sent again after the restart and Discord answered with the first message (the nonce).
    accepted = [r for r in fake_discord.requests_to(MESSAGES_ROUTE) if r.status == 200]
    assert len(accepted) > total


@pytest.mark.parametrize("is_global", [False, True], ids=["route", "global"])
async def test_a_storm_of_429s_still_posts_everything_exactly_once(
    start_bot: StartBot, fake_discord: FakeDiscord, is_global: bool
) -> None:
    ids = await channels(fake_discord, 5)
    running = await start_bot(extensions=POSTING)
    # 10 refusals over 5 channels posting at once: each request sees at most 3 of them, under
    # discord.py's 5 tries per request.
    fake_discord.inject_429(10, retry_after=0.05, is_global=is_global)
    total = await queue_posts(
        running.runtime.store, fake_discord.guild.id, ids, [article(n) for n in range(4)]
    )
    await eventually(lambda: all_sent(running.runtime.store, total), timeout=15, what="all sent")
    counts = posted(fake_discord, ids)
    assert set(counts.values()) == {1}
    assert len(counts) == total == 20
    assert len([hit for hit in fake_discord.rate_limit_hits if hit.injected]) == 10
