"""/feed add with the real discord.py against FakeDiscord, feeds served over local HTTP."""

from __future__ import annotations

import pytest

from tests.discord.feeds_helpers import run, start_feeds_bot, text_of
from tests.fakediscord import Channel, FakeDiscord, Perm
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import rss, serve_seed_feed, story

MANAGE_GUILD = 1 << 5


def seed_feed(http_server: HttpServer) -> str:
    """A feed whose newest item is a teaser of the seed article (its page served too)."""
    return serve_seed_feed(http_server, title="World News")


async def test_commands_are_described_guild_only_and_need_manage_server_by_default(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    await start_feeds_bot(start_bot)
    [feed] = [c for c in fake_discord.commands(fake_discord.guild.id) if c["name"] == "feed"]
    assert int(feed["default_member_permissions"]) == MANAGE_GUILD
    assert feed["contexts"] == [0]  # guild only
    assert feed["dm_permission"] is False
    subcommands = {sub["name"]: sub for sub in feed["options"]}
    assert set(subcommands) == {
        "add",
        "remove",
        "list",
        "status",
        "preview",
        "filter",
        "import",
        "export",
        "set",
        "resume",
        "explain",
    }
    options = {
        name: [o["name"] for o in sub.get("options", [])] for name, sub in subcommands.items()
    }
    assert options == {
        "add": [
            "url",
            "channel",
            "mode",
            "backfill",
            "publish",
            "tags",
            "webhook_name",
            "webhook_avatar",
        ],
        "remove": ["feed"],
        "list": [],
        "status": [],
        "preview": ["url"],
        "filter": ["feed", "include", "exclude"],
        "import": ["file", "channel", "mode"],
        "set": ["feed", "ping", "updates", "webhook_name", "webhook_avatar"],
        "resume": ["feed"],
        "explain": ["url"],
        "export": [],
    }
    for sub in subcommands.values():
        for described in (sub, *sub.get("options", [])):
            assert 1 <= len(described["description"]) <= 100  # Discord's limits
    add = {o["name"]: o for o in subcommands["add"]["options"]}
    assert [c["value"] for c in add["mode"]["choices"]] == ["instant", "digest"]
    assert (add["backfill"]["min_value"], add["backfill"]["max_value"]) == (0, 20)


async def test_add_answers_with_title_and_key_points_and_posts_nothing_old(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    url = seed_feed(http_server)
    message = await run(fake_discord, "feed add", {"url": url})
    text = text_of(message)
    assert message.ephemeral
    assert "World News" in text
    assert "Putin orders Syria pullout" in text
    assert "withdraw" in text
    assert "authorities in the EU" in text
    store = running.runtime.store
    [sub] = await store.list_subscriptions(guild_id=fake_discord.guild.id)
    assert (sub.channel_id, sub.mode, sub.added_by) == (
        fake_discord.channel.id,
        "instant",
        fake_discord.admin.id,
    )
    assert await store.list_deliveries() == []  # the feed's existing items are not posted


async def test_backfill_queues_that_many_posts_for_the_chosen_channel(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    url = http_server.static("/feed.xml", rss([story(k) for k in range(1, 6)]))
    options = {"url": url, "channel": fake_discord.channel2.id, "mode": "digest", "backfill": 3}
    message = await run(fake_discord, "feed add", options)
    assert "3 recent article(s) queued" in text_of(message)
    assert "no digest schedule yet" in text_of(message)
    rows = await running.runtime.store.list_deliveries()
    assert len(rows) == 3
    assert {(r.channel_id, r.kind, r.status) for r in rows} == {
        (fake_discord.channel2.id, "digest", "pending")
    }


async def test_the_same_feed_twice_in_a_channel_is_refused_in_another_accepted(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    url = http_server.static("/feed.xml", rss([story(1)], title="Example News"))
    await run(fake_discord, "feed add", {"url": url})
    again = await run(fake_discord, "feed add", {"url": url})
    assert again.ephemeral
    assert "already receives Example News" in text_of(again)
    other = await run(fake_discord, "feed add", {"url": url, "channel": fake_discord.channel2.id})
    assert "Now following" in text_of(other)
    subs = await running.runtime.store.list_subscriptions()
    assert sorted(s.channel_id for s in subs) == sorted(
        [fake_discord.channel.id, fake_discord.channel2.id]
    )


@pytest.mark.parametrize(
    ("status", "body", "content_type", "reason"),
    [
        (404, "missing", "text/plain", "404"),
        (200, "<html><body>Hello</body></html>", "text/html", "advertises no feed"),
    ],
)
async def test_unreadable_feeds_are_refused_with_the_reason(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    http_server: HttpServer,
    *,
    status: int,
    body: str,
    content_type: str,
    reason: str,
) -> None:
    running = await start_feeds_bot(start_bot)
    url = http_server.static("/nope", body, status=status, content_type=content_type)
    message = await run(fake_discord, "feed add", {"url": url})
    assert message.ephemeral
    assert "could not read" in text_of(message)
    assert "Check the address" in text_of(message)
    assert reason in text_of(message)
    assert await running.runtime.store.list_subscriptions() == []


async def test_private_addresses_are_refused_when_not_allowed(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot, allow_private_urls=False)
    url = http_server.static("/feed.xml", rss([story(1)]))
    message = await run(fake_discord, "feed add", {"url": url})
    assert message.ephemeral
    assert "not a public address" in text_of(message)
    assert await running.runtime.store.list_feeds() == []


@pytest.mark.parametrize(
    ("channel", "missing"),
    [
        ("no_embeds_channel", "Embed Links"),
        ("locked_channel", "Send Messages"),
        ("hidden_channel", "View Channel"),
    ],
)
async def test_a_channel_where_the_bot_cannot_post_embeds_is_refused(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    http_server: HttpServer,
    channel: str,
    missing: str,
) -> None:
    running = await start_feeds_bot(start_bot)
    url = http_server.static("/feed.xml", rss([story(1)]))
    target: Channel = getattr(fake_discord, channel)
    message = await run(fake_discord, "feed add", {"url": url, "channel": target.id})
    assert message.ephemeral
    assert "can't post" in text_of(message)
    assert missing in text_of(message)
    assert await running.runtime.store.list_subscriptions() == []
    assert http_server.requests_to("/feed.xml") == []  # refused before fetching anything


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("feed add", {"url": "http://127.0.0.1:9/feed.xml"}),
        ("feed remove", {"feed": "1"}),
        ("feed filter", {"feed": "1", "include": "x"}),
    ],
)
async def test_a_member_without_manage_server_cannot_change_feeds(
    start_bot: StartBot, fake_discord: FakeDiscord, command: str, options: dict[str, str]
) -> None:
    running = await start_feeds_bot(start_bot)
    with pytest.raises(PermissionError):  # Discord itself hides the command from them
        await fake_discord.interact(command, options, user=fake_discord.member)
    # A server that granted the command to everyone anyway: the bot checks at run time.
    message = await run(
        fake_discord, command, options, user=fake_discord.member, override_permissions=True
    )
    assert message.ephemeral
    assert "Manage Server" in text_of(message)
    assert await running.runtime.store.list_feeds() == []


async def test_a_member_given_manage_server_may_add(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    role = fake_discord.world.add_role(fake_discord.guild, "editors", permissions=Perm.MANAGE_GUILD)
    fake_discord.world.add_member(fake_discord.guild, fake_discord.member, roles=[role.id])
    url = http_server.static("/feed.xml", rss([story(1)]))
    message = await run(fake_discord, "feed add", {"url": url}, user=fake_discord.member)
    assert "Now following" in text_of(message)
    assert len(await running.runtime.store.list_subscriptions()) == 1
