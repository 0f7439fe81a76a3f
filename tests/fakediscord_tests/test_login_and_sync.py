"""Login, READY/GUILD_CREATE, command sync, auth and unknown routes, with the real discord.py."""

from __future__ import annotations

import aiohttp
import discord
import pytest
from discord.ext import commands

from tests.fakediscord import FakeDiscord, Perm
from tests.fakediscord_tests._bots import DemoBot
from tests.fixtures.discord import running


async def test_bot_is_ready_with_the_guild_cached(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None
    assert {c.name for c in guild.text_channels} >= {"news", "digest", "locked", "no-embeds"}
    assert bot.user is not None
    assert bot.user.id == fake_discord.bot_user.id
    assert bot.application_id == fake_discord.application_id
    news = guild.get_channel(fake_discord.channel.id)
    locked = guild.get_channel(fake_discord.locked_channel.id)
    assert isinstance(news, discord.TextChannel)
    assert isinstance(locked, discord.TextChannel)
    assert news.permissions_for(guild.me).embed_links
    assert not locked.permissions_for(guild.me).send_messages
    # Without the members intent only the bot's own member is cached, as on Discord.
    assert guild.get_member(fake_discord.admin.id) is None
    admin = await guild.fetch_member(fake_discord.admin.id)
    member = await guild.fetch_member(fake_discord.member.id)
    assert admin.guild_permissions.manage_guild
    assert not member.guild_permissions.manage_guild


async def test_guild_sync_is_kept_by_the_server(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    synced = {c["name"]: c for c in fake_discord.commands(fake_discord.guild.id)}
    assert set(synced) == {"feed", "ping", "survey", "Summarise"}
    assert fake_discord.commands() == []
    add = next(o for o in synced["feed"]["options"] if o["name"] == "add")
    options = {o["name"]: o for o in add["options"]}
    assert options["url"]["required"]
    assert options["url"]["type"] == 3
    assert options["backfill"]["min_value"] == 0
    assert options["backfill"]["max_value"] == 20
    assert [c["value"] for c in options["mode"]["choices"]] == ["instant", "digest"]
    assert synced["Summarise"]["type"] == 3
    fetched = await bot.tree.fetch_commands(guild=discord.Object(fake_discord.guild.id))
    assert {c.name for c in fetched} == set(synced)


async def test_resync_keeps_ids_and_records_each_sync(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    before = {c["name"]: c["id"] for c in fake_discord.commands(fake_discord.guild.id)}
    await bot.tree.sync()
    await bot.tree.sync(guild=discord.Object(fake_discord.guild.id))
    after = {c["name"]: c["id"] for c in fake_discord.commands(fake_discord.guild.id)}
    assert after == before
    assert [s.guild_id for s in fake_discord.command_syncs] == [
        fake_discord.guild.id,
        None,
        fake_discord.guild.id,
    ]
    assert {c["name"] for c in fake_discord.commands()} == set(before)


async def test_invalid_command_tree_is_refused(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    route = discord.http.Route(
        "PUT", "/applications/{app}/commands", app=fake_discord.application_id
    )
    payload = [{"name": "Bad Name", "description": "x", "type": 1}]
    with pytest.raises(discord.HTTPException) as caught:
        await bot.http.request(route, json=payload)
    assert caught.value.status == 400
    assert caught.value.code == 50035


async def test_wrong_token_fails_login(fake_discord: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()


async def test_privileged_intent_not_enabled_is_refused(fake_discord: FakeDiscord) -> None:
    client = commands.Bot(command_prefix="!", intents=discord.Intents.all())
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running(client, fake_discord, timeout=5):
            pass


async def test_unknown_route_is_a_discord_404_and_recorded(fake_discord: FakeDiscord) -> None:
    headers = {"Authorization": f"Bot {fake_discord.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        url = f"{fake_discord.api_base}/channels/{fake_discord.channel.id}/pins"
        async with session.get(url) as response:
            assert response.status == 404
            assert response.headers["Content-Type"] == "application/json"
            assert await response.json() == {"message": "404: Not Found", "code": 0}
    assert fake_discord.unknown_routes == [f"GET /api/v10/channels/{fake_discord.channel.id}/pins"]


@pytest.mark.parametrize(
    ("overwrite", "expected"),
    [
        (0, True),
        (Perm.EMBED_LINKS, False),
    ],
)
async def test_permission_changes_reach_the_cache(
    bot: DemoBot, fake_discord: FakeDiscord, overwrite: int, expected: bool
) -> None:
    await fake_discord.set_permissions(
        fake_discord.channel2, fake_discord.bot_role.id, deny=overwrite
    )
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None

    def embed_links() -> bool:
        channel = guild.get_channel(fake_discord.channel2.id)
        assert isinstance(channel, discord.TextChannel)
        return channel.permissions_for(guild.me).embed_links is expected

    await fake_discord.wait_until(embed_links, what="CHANNEL_UPDATE in the cache")
