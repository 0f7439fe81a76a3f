"""``/feed import`` (an uploaded OPML file) and ``/feed export``, through the real client."""

from __future__ import annotations

from bot.opml import parse_opml
from tests.discord.feeds_helpers import run, start_feeds_bot
from tests.fakediscord import FakeDiscord
from tests.fakediscord.rest import FILES
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My reader</title></head><body>
  <outline text="News">
    <outline type="rss" text="World" xmlUrl="https://world.example/feed.xml"
             htmlUrl="https://world.example/"/>
    <outline type="rss" text="Science" xmlUrl="https://science.example/rss"/>
  </outline>
</body></opml>"""


def upload(http_server: HttpServer, name: str, body: str) -> dict[str, object]:
    """An attachment as Discord hands it to the bot: a URL where its bytes are served."""
    url = http_server.static(f"/attachments/{name}", body, content_type="text/x-opml")
    return {"url": url, "filename": name, "size": len(body.encode())}


async def test_import_follows_every_feed_of_the_file_then_export_round_trips(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    reply = await run(
        fake_discord,
        "feed import",
        {"file": upload(http_server, "subs.opml", OPML), "channel": fake_discord.channel2.id},
        user=fake_discord.admin,
    )
    assert "2 feed(s) followed" in reply.content
    assert reply.ephemeral
    subs = await running.runtime.store.list_subscriptions(guild_id=fake_discord.guild.id)
    assert sorted(s.feed_url for s in subs) == [
        "https://science.example/rss",
        "https://world.example/feed.xml",
    ]
    assert {s.channel_id for s in subs} == {fake_discord.channel2.id}

    exported = await run(fake_discord, "feed export", {}, user=fake_discord.admin)
    document = parse_opml(exported.request[FILES]["briefing-feeds.opml"])
    assert sorted(feed.url for feed in document.feeds) == sorted(s.feed_url for s in subs)


async def test_a_malformed_file_imports_nothing_and_says_why(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    broken = OPML.replace("</body></opml>", "<outline xmlUrl='https://x.example/f'")
    reply = await run(
        fake_discord,
        "feed import",
        {"file": upload(http_server, "broken.opml", broken)},
        user=fake_discord.admin,
    )
    assert reply.ephemeral
    assert "broken.opml is not a usable OPML file" in reply.content
    assert await running.runtime.store.list_subscriptions(guild_id=fake_discord.guild.id) == []


async def test_importing_needs_manage_server(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    await start_feeds_bot(start_bot)
    reply = await run(
        fake_discord,
        "feed import",
        {"file": upload(http_server, "subs.opml", OPML)},
        user=fake_discord.member,
        override_permissions=True,
    )
    assert "Manage Server" in reply.content
