"""/help and the welcome on joining a server, through the real bot and client."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from bot.render.help import ABOUT, HOW_TO_START, welcome_text
from bot.store import Store
from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord
from tests.fakediscord.constants import Perm
from tests.fakediscord.models import Guild, Overwrite
from tests.fixtures.bot import StartBot
from tests.fixtures.discord import MakeFake

SUBCOMMAND, GROUP, MESSAGE_MENU = 1, 2, 3


@pytest.fixture
async def fake_discord(make_fake_discord: MakeFake) -> FakeDiscord:
    """Discord whose nonces dedupe for a moment only: a rejoin days later is not a retry."""
    return await make_fake_discord(nonce_window=0.001)


def synced_usages(command: dict[str, Any]) -> list[str]:
    """How Discord shows a synced command: "/feed add", ..., or "Apps › Key points"."""
    if command.get("type") == MESSAGE_MENU:
        return [f"Apps › {command['name']}"]
    options = command.get("options") or []
    subs = [o for o in options if o["type"] in (SUBCOMMAND, GROUP)]
    if not subs:
        return [f"/{command['name']}"]
    usages: list[str] = []
    for sub in subs:
        if sub["type"] == GROUP:
            usages += [f"/{command['name']} {sub['name']} {s['name']}" for s in sub["options"]]
        else:
            usages.append(f"/{command['name']} {sub['name']}")
    return usages


async def test_help_lists_every_command_discord_knows_privately(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    await start_bot()
    synced = fake_discord.commands(fake_discord.guild.id)
    expected = sorted(u for c in synced for u in synced_usages(c))
    assert "/help" in expected
    assert "/feed add" in expected
    assert "Apps › Key points" in expected

    answer = await run(fake_discord, "help", {}, user=fake_discord.member)
    assert answer.ephemeral
    assert answer.request["allowed_mentions"] == {"parse": []}
    text = text_of(answer)
    assert "key points" in text
    assert "/feed add url:" in text  # how to start
    listed = [line for line in answer.embeds[1]["description"].splitlines() if line]
    assert len(listed) == len(expected)  # nothing missing, nothing stale
    for usage in expected:
        assert any(line.startswith(f"`{usage}") for line in listed), usage
    feed_add = next(line for line in listed if line.startswith("`/feed add "))
    assert "🔒" in feed_add  # managers only
    assert "url" in feed_add
    assert "[channel]" in feed_add
    assert "🔒" not in next(line for line in listed if line.startswith("`/help"))


async def test_the_written_texts_name_only_commands_that_exist(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    await start_bot()
    synced = {u for c in fake_discord.commands(fake_discord.guild.id) for u in synced_usages(c)}
    for text in (ABOUT, HOW_TO_START, welcome_text()):
        for named in re.findall(r"`(/[a-z]+(?: [a-z]+)?)", text):
            assert named in synced or any(u.startswith(named + " ") for u in synced), named


def new_guild(fake: FakeDiscord, name: str) -> Guild:
    """A guild whose first channel the bot may not post in, and a second it may."""
    guild = fake.world.add_guild(name, fake.owner)
    bot_role = next(r for r in guild.roles.values() if r.managed)
    no_send = Overwrite(bot_role.id, 0, deny=Perm.SEND_MESSAGES)
    fake.world.add_channel(guild, "rules", overwrites=[no_send])
    fake.world.add_channel(guild, "general")
    return guild


async def until_released(store: Store, guild_id: int) -> None:
    """Wait until the store holds no welcome for ``guild_id``."""
    for _ in range(200):
        if await store.welcomed_channel(guild_id) is None:
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"the welcome of guild {guild_id} stayed recorded")


def channel_named(guild: Guild, name: str) -> int:
    """The id of ``guild``'s channel called ``name``."""
    return next(c.id for c in guild.channels.values() if c.name == name)


async def test_joining_a_server_welcomes_it_once_in_the_first_channel_the_bot_may_post_in(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot()
    store: Store = running.runtime.store
    assert fake_discord.messages(fake_discord.channel) == []  # no welcome on start-up

    guild = new_guild(fake_discord, "Newsroom")
    await fake_discord.join_guild(guild)
    general = channel_named(guild, "general")
    [welcome] = await fake_discord.wait_for_messages(general, 1)
    assert "/help" in welcome.content
    assert "/feed add" in welcome.content
    assert welcome.nonce
    assert welcome.request["allowed_mentions"] == {"parse": []}
    assert fake_discord.messages(channel_named(guild, "rules")) == []
    assert await store.welcomed_channel(guild.id) == general

    # Kicked, then added back: no second welcome.
    await fake_discord.remove_guild(guild)
    await fake_discord.wait_until(lambda: running.bot.get_guild(guild.id) is None)
    await fake_discord.join_guild(guild)
    await fake_discord.wait_until(lambda: running.bot.get_guild(guild.id) is not None)
    # A third server joined afterwards is greeted after the rejoin was handled (the store
    # takes the two claims in order), so by then a second welcome would have shown.
    other = new_guild(fake_discord, "Other")
    await fake_discord.join_guild(other)
    await fake_discord.wait_for_messages(channel_named(other, "general"), 1)
    assert len(fake_discord.messages(general)) == 1


async def test_a_refused_welcome_is_not_recorded_so_the_next_join_greets(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot()
    store: Store = running.runtime.store
    guild = new_guild(fake_discord, "Strict")
    general = channel_named(guild, "general")
    fake_discord.inject_error(403, 50013, "Missing Permissions", channel=general)
    await fake_discord.join_guild(guild)
    await fake_discord.wait_until(
        lambda: any(r.status == 403 for r in fake_discord.requests), what="the refused welcome"
    )
    await until_released(store, guild.id)  # claimed before sending, released on the 403

    await fake_discord.remove_guild(guild)
    await fake_discord.wait_until(lambda: running.bot.get_guild(guild.id) is None)
    await fake_discord.join_guild(guild)
    [welcome] = await fake_discord.wait_for_messages(general, 1)
    assert "/help" in welcome.content
    assert await store.welcomed_channel(guild.id) == general
