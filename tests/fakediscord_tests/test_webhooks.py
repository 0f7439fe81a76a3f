"""Channel webhooks: made with Manage Webhooks, executed by token under a name, deleted: 10015."""

from __future__ import annotations

import discord
import pytest

from tests.fakediscord import FakeDiscord, Perm
from tests.fakediscord_tests._bots import DemoBot


def text_channel(bot: DemoBot, channel_id: int) -> discord.TextChannel:
    """A cached text channel of the test guild."""
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_a_webhook_needs_manage_webhooks_and_posts_under_its_username(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    channel = text_channel(bot, fake_discord.channel.id)
    with pytest.raises(discord.Forbidden):
        await channel.create_webhook(name="Briefing")
    await fake_discord.set_permissions(
        channel.id, fake_discord.bot_role.id, allow=Perm.MANAGE_WEBHOOKS
    )
    made = await channel.create_webhook(name="Briefing")
    assert made.token
    assert fake_discord.webhooks(channel.id)[0].id == made.id
    hook = discord.Webhook.partial(made.id, made.token, client=bot)
    thread = await fake_discord.add_thread(fake_discord.channel, "talk")
    sent = await hook.send(
        "@everyone hello",
        username="BBC World",
        avatar_url="https://example.org/bbc.png",
        allowed_mentions=discord.AllowedMentions.none(),
        thread=discord.Object(thread.id),
        wait=True,
    )
    stored = fake_discord.message(sent.id)
    assert (stored.channel_id, stored.author.username, stored.webhook_id) == (
        thread.id,
        "BBC World",
        made.id,
    )
    assert stored.request["avatar_url"] == "https://example.org/bbc.png"
    assert sent.author.name == "BBC World"
    assert sent.webhook_id == made.id
    assert not stored.mention_everyone
    await hook.send("no answer")  # without wait: 204, nothing returned
    assert len(fake_discord.messages(channel.id)) == 1
    fake_discord.delete_webhook(fake_discord.webhooks(channel.id)[0])
    with pytest.raises(discord.NotFound) as gone:
        await hook.send("x", wait=True)
    assert gone.value.code == 10015


@pytest.mark.parametrize("username", ["x" * 81, "My Discord News", "clyde bot"])
async def test_usernames_discord_refuses_are_400(
    bot: DemoBot, fake_discord: FakeDiscord, username: str
) -> None:
    channel = text_channel(bot, fake_discord.channel.id)
    await fake_discord.set_permissions(
        channel.id, fake_discord.bot_role.id, allow=Perm.MANAGE_WEBHOOKS
    )
    made = await channel.create_webhook(name="Briefing")
    assert made.token is not None
    hook = discord.Webhook.partial(made.id, made.token, client=bot)
    with pytest.raises(discord.HTTPException) as refused:
        await hook.send("x", username=username, wait=True)
    assert (refused.value.status, refused.value.code) == (400, 50035)
    with pytest.raises(discord.HTTPException):
        await hook.send("x" * 2001, wait=True)
    assert fake_discord.messages(channel.id) == []
