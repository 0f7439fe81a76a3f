"""Channel messages: embeds, allowed mentions, nonces, edits and Discord's errors."""

from __future__ import annotations

import asyncio

import discord
import pytest

from tests.fakediscord import FakeDiscord, Perm
from tests.fakediscord_tests._bots import DemoBot
from tests.fixtures.discord import MakeFake, running

ROLES_101 = [discord.Object(n + 1) for n in range(101)]


def text_channel(bot: DemoBot, channel_id: int) -> discord.TextChannel:
    """A cached text channel of the test guild."""
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_send_records_embed_nonce_and_allowed_mentions(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    channel = text_channel(bot, fake_discord.channel.id)
    embed = discord.Embed(title="Headline", url="https://example.org/a", description="- point")
    sent = await channel.send(
        embed=embed, nonce="delivery-1", allowed_mentions=discord.AllowedMentions.none()
    )
    again = await channel.send(embed=embed, nonce="delivery-1")
    assert again.id == sent.id
    (stored,) = fake_discord.messages(fake_discord.channel)
    assert stored.id == sent.id
    assert stored.nonce == "delivery-1"
    assert stored.embeds[0]["title"] == "Headline"
    assert stored.embeds[0]["url"] == "https://example.org/a"
    assert stored.allowed_mentions == {"parse": []}
    assert stored.request["enforce_nonce"] is True
    # Discord deduplicates per author (the bot), not per channel.
    other = await text_channel(bot, fake_discord.channel2.id).send("x", nonce="delivery-1")
    assert other.id == sent.id
    assert fake_discord.messages(fake_discord.channel2) == []
    fresh = await channel.send("new", nonce="delivery-2")
    assert fresh.id != sent.id


@pytest.mark.parametrize(
    ("allowed", "can_mention_everyone", "everyone", "roles"),
    [
        (discord.AllowedMentions.none(), True, False, False),
        (discord.AllowedMentions(everyone=True, roles=True), True, True, True),
        (discord.AllowedMentions(everyone=True, roles=False), True, True, False),
        (discord.AllowedMentions(everyone=True, roles=True), False, False, False),
        # Listed roles ping; @everyone in the same content does not.
        (discord.AllowedMentions(everyone=False, roles=[discord.Object(0)]), True, False, True),
    ],
)
async def test_mentions_follow_allowed_mentions_and_permissions(
    bot: DemoBot,
    fake_discord: FakeDiscord,
    *,
    allowed: discord.AllowedMentions,
    can_mention_everyone: bool,
    everyone: bool,
    roles: bool,
) -> None:
    if not can_mention_everyone:
        fake_discord.bot_role.permissions &= ~Perm.MENTION_EVERYONE
    if isinstance(allowed.roles, list):
        allowed.roles = [discord.Object(fake_discord.admin_role.id)]
    content = f"@everyone <@&{fake_discord.admin_role.id}> breaking news"
    await text_channel(bot, fake_discord.channel.id).send(content, allowed_mentions=allowed)
    (stored,) = fake_discord.messages(fake_discord.channel)
    assert stored.mention_everyone is everyone
    assert stored.mention_roles == ([fake_discord.admin_role.id] if roles else [])


async def test_edit_and_delete(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    sent = await text_channel(bot, fake_discord.channel.id).send("draft")
    edited = await sent.edit(content="final", embed=discord.Embed(title="t"))
    assert edited.content == "final"
    stored = fake_discord.message(sent.id)
    assert stored.content == "final"
    assert stored.edited_at is not None
    assert [e["title"] for e in stored.embeds] == ["t"]
    await sent.delete()
    assert fake_discord.messages(fake_discord.channel) == []
    with pytest.raises(discord.NotFound):
        await text_channel(bot, fake_discord.channel.id).fetch_message(sent.id)


async def test_embed_links_missing_drops_embeds_next_to_content(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    channel = text_channel(bot, fake_discord.no_embeds_channel.id)
    await channel.send("headline", embed=discord.Embed(title="t"))
    (stored,) = fake_discord.messages(channel.id)
    assert stored.content == "headline"
    assert stored.embeds == []


@pytest.mark.parametrize(
    ("where", "kwargs", "error", "code"),
    [
        ("locked_channel", {"content": "hi"}, discord.Forbidden, 50013),
        ("no_embeds_channel", {"embed": discord.Embed(title="t")}, discord.Forbidden, 50013),
        ("hidden_channel", {"content": "hi"}, discord.Forbidden, 50001),
        ("deleted", {"content": "hi"}, discord.NotFound, 10003),
        ("channel", {"content": "x" * 2001}, discord.HTTPException, 50035),
        ("channel", {"content": "hi", "nonce": "n" * 26}, discord.HTTPException, 50035),
        (
            "channel",
            {"content": "hi", "allowed_mentions": discord.AllowedMentions(roles=ROLES_101)},
            discord.HTTPException,
            50035,
        ),
    ],
)
async def test_refusals_map_to_discord_py_errors(
    bot: DemoBot,
    fake_discord: FakeDiscord,
    *,
    where: str,
    kwargs: dict[str, object],
    error: type[discord.HTTPException],
    code: int,
) -> None:
    if where == "deleted":
        target = bot.get_partial_messageable(fake_discord.channel.id)
        await fake_discord.delete_channel(fake_discord.channel)
    else:
        target = bot.get_partial_messageable(getattr(fake_discord, where).id)
    with pytest.raises(error) as caught:
        await target.send(**kwargs)  # type: ignore[call-overload]
    assert caught.value.code == code
    if where != "deleted":
        assert fake_discord.messages(target.id) == []


async def test_too_large_embeds_are_refused(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    embeds = [discord.Embed(description="x" * 4000), discord.Embed(description="y" * 2001)]
    with pytest.raises(discord.HTTPException) as caught:
        await text_channel(bot, fake_discord.channel.id).send(embeds=embeds)
    assert caught.value.status == 400
    assert caught.value.code == 50035
    assert "maximum size of 6000" in str(caught.value)


async def test_nonces_are_forgotten_after_the_nonce_window(make_fake_discord: MakeFake) -> None:
    fake = await make_fake_discord(nonce_window=0.5)
    async with running(DemoBot(), fake) as client:
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send("x", nonce="delivery-9")
        assert (await channel.send("x", nonce="delivery-9")).id == first.id  # remembered
        await asyncio.sleep(0.6)  # past the window: forgotten, as Discord does after a while
        later = await channel.send("x", nonce="delivery-9")
    assert later.id != first.id
    assert len(fake.messages(fake.channel)) == 2
