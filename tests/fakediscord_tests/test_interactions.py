"""Interactions dispatched by the server reach discord.py's handlers; the answers are recorded."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord, MessageFlag
from tests.fakediscord_tests._bots import DemoBot, MoreButton, MoreView
from tests.fixtures.discord import MakeFake, running


async def test_slash_command_gets_an_ephemeral_reply(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    handle = await fake_discord.interact("ping")
    body = await handle.response()
    assert body["type"] == 4
    reply = await handle.original_message()
    assert reply.content == "pong"
    assert reply.ephemeral
    assert reply.flags & MessageFlag.EPHEMERAL
    assert fake_discord.messages(fake_discord.channel) == []
    assert fake_discord.messages(fake_discord.channel, include_ephemeral=True) == [reply]


async def test_deferred_reply_and_followups(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    options = {"url": "https://example.org/feed.xml", "channel": fake_discord.channel2.id}
    options |= {"mode": "digest", "backfill": 3}
    handle = await fake_discord.interact("feed add", options, user=fake_discord.admin)
    assert (await handle.response())["type"] == 5
    first, second = await handle.wait_followups(2)
    assert first is handle.original
    assert first.content == "added https://example.org/feed.xml to #digest (digest, 3)"
    assert first.ephemeral
    assert not first.loading
    assert second.content == "second followup"
    assert second.id != first.id
    assert handle.replies() == [first, second]


async def test_default_member_permissions_are_enforced(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    (feed,) = [c for c in fake_discord.commands(fake_discord.guild.id) if c["name"] == "feed"]
    assert feed["default_member_permissions"] == "32"
    with pytest.raises(PermissionError, match="default_member_permissions"):
        await fake_discord.interact("feed remove", {"name": "x"}, user=fake_discord.member)
    handle = await fake_discord.interact(
        "feed remove", {"name": "x"}, user=fake_discord.member, override_permissions=True
    )
    reply = await handle.original_message()
    assert reply.content == "removed x"
    assert not reply.ephemeral
    assert fake_discord.messages(fake_discord.channel) == [reply]
    member = handle.payload["member"]
    assert int(member["permissions"]) & 32 == 0


async def test_subcommand_group_reaches_its_callback(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    handle = await fake_discord.interact("feed filter set", {"pattern": "ukraine|kyiv"})
    assert (await handle.original_message()).content == "filter ukraine|kyiv"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("bbc", ["BBC World", "BBC Tech"]), ("world", ["BBC World", "Guardian World"]), ("zz", [])],
)
async def test_autocomplete_choices_arrive(
    bot: DemoBot, fake_discord: FakeDiscord, typed: str, expected: list[str]
) -> None:
    handle = await fake_discord.autocomplete("feed remove", {"name": typed}, focused="name")
    assert [c["value"] for c in await handle.choices()] == expected


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"backfill": 21, "url": "u"}, "outside"),
        ({"mode": "weekly", "url": "u"}, "not one of the choices"),
        ({}, "required option"),
        ({"url": "u", "colour": "red"}, "no option"),
    ],
)
async def test_impossible_invocations_are_refused_before_sending(
    bot: DemoBot, fake_discord: FakeDiscord, options: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        await fake_discord.interact("feed add", options)


async def test_persistent_view_button_updates_the_message(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("collapsed", view=MoreView())
    handle = await fake_discord.click(sent.id, "expand:static", user=fake_discord.member)
    assert (await handle.response())["type"] == 7
    stored = fake_discord.message(sent.id)
    assert stored.content == "expanded"
    assert stored.components == []


async def test_deferred_update_then_edit_original(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("stale", view=MoreView())
    handle = await fake_discord.click(sent.id, "refresh:static")
    assert (await handle.response())["type"] == 6
    await fake_discord.wait_until(
        lambda: fake_discord.message(sent.id).content == "refreshed", what="edited message"
    )
    assert handle.original is fake_discord.message(sent.id)


async def test_dynamic_item_button_answers(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    view = discord.ui.View(timeout=None).add_item(MoreButton(42))
    sent = await channel.send("article", view=view)
    row = fake_discord.message(sent.id).components[0]
    assert row["components"][0]["custom_id"] == "more:42"
    handle = await fake_discord.click(sent.id, "more:42")
    reply = await handle.original_message()
    assert reply.content == "article 42"
    assert reply.ephemeral


async def test_modal_round_trip(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    handle = await fake_discord.interact("survey")
    modal = await handle.response()
    assert modal["type"] == 9
    custom_id = modal["data"]["custom_id"]
    submitted = await fake_discord.submit_modal(custom_id, {"answer": "42"})
    assert (await submitted.original_message()).content == "thanks: 42"


async def test_message_context_menu(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    channel = bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    target = await channel.send("some article")
    handle = await fake_discord.context_menu("Summarise", target.id)
    assert (await handle.original_message()).content == f"summary of {target.id}"


async def test_unsynced_command_cannot_be_invoked(bot: DemoBot, fake_discord: FakeDiscord) -> None:
    with pytest.raises(LookupError, match="not synced"):
        await fake_discord.interact("digest now")


CALLBACK = "POST /interactions/{webhook_id}/{webhook_token}/callback"


async def test_late_answer_is_unknown_interaction(make_fake_discord: MakeFake) -> None:
    fake = await make_fake_discord(interaction_ack_timeout=0.0)
    bot = DemoBot()
    async with running(bot, fake):
        guild = discord.Object(fake.guild.id)
        bot.tree.copy_global_to(guild=guild)
        await bot.tree.sync(guild=guild)
        handle = await fake.interact("ping")
        answers = await fake.wait_until(lambda: fake.requests_to(CALLBACK), what="callback")
    assert [a.status for a in answers] == [404]
    assert not handle.acknowledged


async def test_second_answer_and_unknown_webhook_are_refused(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    handle = await fake_discord.interact("ping")
    await handle.response()
    base = fake_discord.api_base
    async with aiohttp.ClientSession() as session:
        url = f"{base}/interactions/{handle.id}/{handle.token}/callback"
        async with session.post(url, json={"type": 4, "data": {"content": "again"}}) as again:
            assert again.status == 400
            assert (await again.json())["code"] == 40060
        unknown = f"{base}/webhooks/{fake_discord.application_id}/not-a-token"
        async with session.post(unknown, json={"content": "x"}) as response:
            assert response.status == 404
            assert (await response.json())["code"] == 10015
