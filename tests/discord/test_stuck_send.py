"""A send Discord keeps waiting far past the lease stays this process's: no other takes it."""

from __future__ import annotations

import asyncio

from bot.store import Store
from bot.store.base import utcnow
from tests.fakediscord import FakeDiscord
from tests.fakediscord.ratelimit import MESSAGES_ROUTE
from tests.fixtures.bot import StartBot
from tests.render.builders import article, queue_posts

LEASE = 2.0  # seconds: short, so the send below is stuck for several leases


async def test_a_send_stuck_past_its_lease_is_not_taken_by_another_process(
    start_bot: StartBot, fake_discord: FakeDiscord, database_url: str
) -> None:
    running = await start_bot(
        extensions=("cogs.posting",),
        database_url=database_url,
        delivery_lease_seconds=LEASE,
        delivery_idle_seconds=0.1,
        shutdown_grace_seconds=1,  # the held send is cut off at the end
    )
    fake_discord.hold_answers(MESSAGES_ROUTE)  # Discord takes the post and never answers
    store = running.runtime.store
    channel = fake_discord.channel.id
    await queue_posts(store, fake_discord.guild.id, [channel], [article(1)])
    await fake_discord.wait_until(lambda: fake_discord.messages(channel), 10, "the post")
    other = await Store.open(database_url)  # a second process on the same database
    try:
        await other.register_worker("other")
        for _ in range(12):  # 3 leases, the other process healthy and looking all along
            await asyncio.sleep(LEASE / 4)
            await other.heartbeat()
            claimed = await other.claim_pending_deliveries(utcnow(), limit=10, lease_seconds=LEASE)
            assert claimed == []
        [row] = await store.list_deliveries()
        assert (row.status, row.claimed_by) == ("pending", store.worker_id)
    finally:
        await other.close()
    assert len(fake_discord.messages(channel)) == 1
