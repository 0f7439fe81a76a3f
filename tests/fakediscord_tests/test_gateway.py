"""Gateway: heartbeats, RESUME with replay, RECONNECT, invalid sessions and sharding."""

from __future__ import annotations

import discord

from tests.fakediscord import FakeDiscord
from tests.fakediscord_tests._bots import DemoBot, ShardedDemoBot
from tests.fixtures.discord import MakeFake, running


async def pong(fake: FakeDiscord, **kwargs: object) -> str:
    """Invoke /ping and return the bot's reply."""
    handle = await fake.interact("ping", **kwargs)  # type: ignore[arg-type]
    return (await handle.original_message()).content


async def test_heartbeats_are_acknowledged(make_fake_discord: MakeFake) -> None:
    fake = await make_fake_discord(heartbeat_interval=0.05)
    bot = DemoBot()
    async with running(bot, fake):
        await fake.wait_until(lambda: fake.gateway.heartbeats >= 3, what="3 heartbeats")
        assert bot.latency < 5


async def test_dropped_connection_resumes_and_replays(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    assert await fake_discord.drop_gateway() == 1
    # Sent while the bot is away: kept by the session and replayed after RESUME.
    handle = await fake_discord.interact("ping")
    assert (await handle.original_message()).content == "pong"
    await fake_discord.wait_until(lambda: bot.resumed == 1, what="on_resumed")
    assert fake_discord.resume_count == 1
    assert fake_discord.identify_count == 1
    assert fake_discord.gateway.replayed >= 1
    assert await pong(fake_discord) == "pong"


async def test_reconnect_opcode_resumes(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_reconnect()
    await fake_discord.wait_until(lambda: fake_discord.resume_count == 1, what="RESUME")
    assert await pong(fake_discord) == "pong"


async def test_invalid_session_identifies_again(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.invalidate_session(resumable=False)
    await fake_discord.wait_until(lambda: fake_discord.identify_count == 2, what="IDENTIFY")
    await fake_discord.wait_until_connected()
    assert fake_discord.resume_count == 0
    assert await pong(fake_discord) == "pong"


async def test_guilds_are_delivered_to_their_shard(make_fake_discord: MakeFake) -> None:
    fake = await make_fake_discord(shards=2)
    # The next snowflake timestamp lands this guild on the other shard of the default guild.
    other = await fake.add_guild("Second", guild_id=fake.guild.id + (1 << 22))
    general = await fake.add_channel("general", guild=other)
    bot = ShardedDemoBot()
    async with running(bot, fake):
        await bot.tree.sync()
        shards = sorted(tuple(i["shard"]) for i in fake.gateway.identifies)
        assert shards == [(0, 2), (1, 2)]
        first, second = bot.get_guild(fake.guild.id), bot.get_guild(other.id)
        assert first is not None
        assert second is not None
        assert first.shard_id != second.shard_id
        assert first.shard_id == (fake.guild.id >> 22) % 2
        assert await pong(fake) == "pong"
        assert await pong(fake, user=fake.owner, channel=general) == "pong"


async def test_ready_lists_the_shards_guilds_only(make_fake_discord: MakeFake) -> None:
    fake = await make_fake_discord(shards=2)
    await fake.add_guild("Second", guild_id=fake.guild.id + (1 << 22))
    bot = ShardedDemoBot()
    async with running(bot, fake):
        ready = [
            [g for g in s.buffer if g["t"] == "GUILD_CREATE"]
            for s in fake.gateway.sessions.values()
        ]
        assert sorted(len(r) for r in ready) == [1, 1]
        assert isinstance(bot, discord.AutoShardedClient)
        assert bot.shard_count == 2
