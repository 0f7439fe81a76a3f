"""A real ``python -m bot`` killed with SIGKILL mid-burst: every post exactly once, at once.

The bot runs as its own process against the fake Discord server (which forgets nonces after a
minute, as Discord does after "a few minutes"); the test queues the posts in the database.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.store import Store
from tests.discord.test_posting_bursts import channels as burst_channels
from tests.discord.test_posting_bursts import posted
from tests.fakediscord import FakeDiscord
from tests.fixtures.discord import MakeFake
from tests.fixtures.process import BotProcess
from tests.render.builders import article, eventually, queue_posts

NONCE_MEMORY = 60.0
FIRST_POST_AFTER_RESTART = 10.0
TAKEOVER = 30.0  # seconds: the default stale limit (15 s) plus a heartbeat and a claim


async def queue_burst(
    fake: FakeDiscord, database_url: str, channels: int, per_channel: int
) -> tuple[list[int], int]:
    """Queue ``per_channel`` posts in each of ``channels`` channels; (channel ids, total)."""
    ids = await burst_channels(fake, channels)
    store = await Store.open(database_url)
    try:
        total = await queue_posts(
            store, fake.guild.id, ids, [article(n) for n in range(per_channel)]
        )
    finally:
        await store.close()
    return ids, total


async def all_sent(database_url: str, total: int) -> bool:
    """True once ``total`` posts are recorded as sent."""
    store = await Store.open(database_url)
    try:
        return len(await store.list_deliveries(status="sent")) == total
    finally:
        await store.close()


async def test_sigkill_mid_burst_then_restart_posts_each_once_within_seconds(
    make_fake_discord: MakeFake, database_url: str, tmp_path: Path
) -> None:
    fake = await make_fake_discord(nonce_window=NONCE_MEMORY)
    ids, total = await queue_burst(fake, database_url, channels=8, per_channel=12)
    first = await BotProcess(fake, database_url, tmp_path, "first").start()
    try:
        # Each channel posts 5 per 5 s: 12 a channel take over 10 s, so this is mid-burst.
        await fake.wait_until(lambda: sum(posted(fake, ids).values()) >= 40, 60, "40 posts")
        await first.kill()
    finally:
        await first.stop()
    before = sum(posted(fake, ids).values())
    assert before < total
    identified = fake.identify_count

    second = await BotProcess(fake, database_url, tmp_path, "second").start()
    try:
        await fake.wait_until(lambda: fake.identify_count > identified, 60, "IDENTIFY")
        restarted = time.monotonic()
        await fake.wait_until(
            lambda: sum(posted(fake, ids).values()) > before, 30, "a post after the restart"
        )
        first_post = time.monotonic() - restarted
        await eventually(lambda: all_sent(database_url, total), timeout=60, what="all sent")
    finally:
        assert await second.stop() == 0
    counts = posted(fake, ids)
    assert len(counts) == total
    assert set(counts.values()) == {1}
    assert await registered(database_url) == []  # the clean stop removed its worker row
    print(f"first post {first_post:.1f} s after the restart's IDENTIFY")
    assert first_post < FIRST_POST_AFTER_RESTART, second.tail()


async def registered(database_url: str) -> list[str]:
    """The names of the registered workers."""
    store = await Store.open(database_url)
    try:
        return [w.name for w in await store.list_workers()]
    finally:
        await store.close()


async def pending_claimed_by(database_url: str, name: str) -> int | None:
    """How many pending posts the worker named ``name`` holds (None until it registered)."""
    store = await Store.open(database_url)
    try:
        ids = [w.id for w in await store.list_workers() if w.name == name]
        if not ids:
            return None
        rows = await store.list_deliveries(status="pending")
        return sum(row.claimed_by == ids[0] for row in rows)
    finally:
        await store.close()


async def test_two_processes_one_killed_its_claims_are_taken_over(
    make_fake_discord: MakeFake, database_url: str, tmp_path: Path
) -> None:
    fake = await make_fake_discord(nonce_window=NONCE_MEMORY)
    ids, total = await queue_burst(fake, database_url, channels=8, per_channel=20)
    a = await BotProcess(fake, database_url, tmp_path, "a", instance_name="a").start()
    b = await BotProcess(fake, database_url, tmp_path, "b", instance_name="b").start()
    victim = "a"
    try:
        # A channel is posted by one process at a time: the first to claim may hold them all.
        async def holder() -> str | None:
            for name in ("a", "b"):
                if await pending_claimed_by(database_url, name):
                    return name
            return None

        victim = await eventually(holder, timeout=60, what="claims of a process")
        await (a if victim == "a" else b).kill()
        killed = time.monotonic()

        async def victim_holds_none() -> bool:
            return await pending_claimed_by(database_url, victim) == 0

        await eventually(victim_holds_none, timeout=45, what="the dead process's claims taken over")
        taken_over = time.monotonic() - killed
        await eventually(lambda: all_sent(database_url, total), timeout=90, what="all sent")
    finally:
        survivor = b if victim == "a" else a
        await (a if victim == "a" else b).stop()
        assert await survivor.stop() == 0
    counts = posted(fake, ids)
    assert len(counts) == total
    assert set(counts.values()) == {1}
    print(f"claims of the killed process taken over {taken_over:.1f} s after SIGKILL")
    assert taken_over < TAKEOVER, taken_over
