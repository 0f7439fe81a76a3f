"""Once-only jobs across real ``python -m bot`` processes on PostgreSQL: one leader runs them,
and when it is killed with SIGKILL another process runs them within 15 s."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Store
from tests.discord.test_posting_bursts import channels
from tests.fakediscord import FakeDiscord
from tests.fixtures.discord import MakeFake
from tests.fixtures.process import BotProcess
from tests.render.builders import eventually

FAILOVER = 15.0  # seconds from the leader's SIGKILL to the once-only jobs running elsewhere
LEADS = "leader: this process runs the once-only jobs"


async def failing_feed(database_url: str, guild_id: int, channel_ids: list[int]) -> int:
    """A feed failing for two days, subscribed in ``channel_ids``; its id."""
    since = datetime.now(UTC) - timedelta(days=2)
    store = await Store.open(database_url, clock=lambda: since)
    try:
        feed = await store.add_feed("https://flaky.invalid/feed.xml", title="Flaky")
        for channel_id in channel_ids:
            await store.subscribe(feed.id, guild_id, channel_id, mode="instant", added_by=1)
        later = datetime.now(UTC) + timedelta(days=1)  # not polled again during the test
        await store.record_failure(feed.id, error="HTTP 500", next_poll_at=later)
    finally:
        await store.close()
    return feed.id


async def notice_due_again(database_url: str, feed_id: int) -> None:
    """Make the feed's next notice due (as if a day had passed since the last one)."""
    store = await Store.open(database_url)
    try:
        await store.mark_failure_notice(feed_id, datetime.now(UTC) - timedelta(days=2))
    finally:
        await store.close()


def notices(fake: FakeDiscord, channel_ids: list[int]) -> list[int]:
    """How many failing-feed notices each channel has."""
    return [sum("Flaky" in m.content for m in fake.messages(c)) for c in channel_ids]


async def test_notices_once_per_channel_and_a_new_leader_within_15_s_of_a_sigkill(
    make_fake_discord: MakeFake, pg_url: str, tmp_path: Path
) -> None:
    fake = await make_fake_discord(nonce_window=1.0)  # the second day's notice is a new message
    ids = await channels(fake, 4)
    feed_id = await failing_feed(pg_url, fake.guild.id, ids)
    processes = [
        await BotProcess(fake, pg_url, tmp_path, name, instance_name=name).start()
        for name in ("p1", "p2", "p3")
    ]
    try:
        await fake.wait_until(lambda: notices(fake, ids) == [1] * 4, 60, "one notice each")
        await eventually(lambda: _all_started(processes), timeout=60, what="every process up")
        await asyncio.sleep(2.0)  # past the fake's nonce memory, and time for a duplicate
        leaders = [p for p in processes if _leads(p)]
        assert len(leaders) == 1, "\n".join(p.tail(20) for p in processes)
        assert notices(fake, ids) == [1] * 4  # not one per process

        await notice_due_again(pg_url, feed_id)
        await leaders[0].kill()
        killed = time.monotonic()
        await fake.wait_until(lambda: notices(fake, ids) == [2] * 4, 30, "the next notices")
        failover = time.monotonic() - killed
        survivors = [p for p in processes if p is not leaders[0]]
        assert sum(_leads(p) for p in survivors) == 1
    finally:
        for process in processes:
            await process.stop()
    print(f"once-only jobs ran on a new leader {failover:.1f} s after the leader's SIGKILL")
    assert failover < FAILOVER
    assert notices(fake, ids) == [2] * 4


def _leads(process: BotProcess) -> bool:
    return any(LEADS in line for line in process.log_lines())


async def _all_started(processes: list[BotProcess]) -> bool:
    return all(
        any("worker" in line and "registered" in line for line in p.log_lines()) for p in processes
    )
