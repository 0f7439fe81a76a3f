"""BriefingBot connects to a Discord-compatible server and syncs its commands."""

from __future__ import annotations

from pathlib import Path

from bot.app import COMMANDS_SYNCED
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import StartBot


async def test_bot_connects_with_minimal_intents_and_syncs_to_the_dev_guild(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot()
    assert running.bot.is_ready()
    assert running.bot.intents.value == 1  # guilds only: no privileged intent, no content
    assert running.bot.get_guild(fake_discord.guild.id) is not None
    assert fake_discord.command_syncs, "commands synced to the dev guild"


async def test_global_sync_happens_only_when_commands_change(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    data = tmp_path / "global"
    first = await start_bot(data_dir=data, dev_guild_id=None)
    await first.stop()
    syncs = len(fake_discord.command_syncs)
    assert await first.runtime.store.cluster_value(COMMANDS_SYNCED)  # shared by processes
    second = await start_bot(data_dir=data, dev_guild_id=None)
    await second.stop()
    assert len(fake_discord.command_syncs) == syncs
