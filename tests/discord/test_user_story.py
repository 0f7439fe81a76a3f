"""The product's main story, end to end with every default cog loaded, as a server admin lives it.

An admin follows a feed; the feed publishes a teaser of the seed article; Briefing fetches the
page, digests it and posts it; members then ask about it, open its key points and search for it.
Real discord.py against the Discord-compatible test server, real HTTP, real SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import SEED_TITLE, rss, seed_teaser, story

TITLE = SEED_TITLE


async def test_follow_a_feed_get_the_seed_digest_then_ask_about_it(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    feed_url = http_server.static("/feed.xml", rss([story(1)], title="World News"))
    await start_bot(poll_interval_seconds=1, min_poll_interval_seconds=1)
    added = await run(
        fake_discord,
        "feed add",
        {"url": feed_url, "channel": fake_discord.channel.id},
        user=fake_discord.admin,
    )
    assert "World News" in text_of(added)
    assert fake_discord.messages(fake_discord.channel) == []  # existing items are not posted

    teaser = seed_teaser(http_server, published=datetime.now(UTC))  # within /ask's 7 days
    page = teaser.link
    http_server.static("/feed.xml", rss([teaser, story(1)], title="World News"))

    [post] = await fake_discord.wait_for_messages(fake_discord.channel, 1, timeout=20)
    [embed] = post.embeds
    assert embed["title"] == TITLE
    assert embed["url"] == page
    points = embed["description"]
    assert points.count("• ") == 3
    assert "withdraw" in points  # (a) the announced withdrawal
    assert "naval facility and airbase" in points  # (b) the bases Russia keeps
    assert "authorities in the EU" in points  # (c) the EU's warning: the last paragraph
    assert post.mention_everyone is False

    answer = await run(
        fake_discord,
        "ask",
        {"question": "What will Russia keep in Syria?"},
        user=fake_discord.member,
    )
    assert "naval facility and airbase" in text_of(answer)
    assert page in text_of(answer) or any(page in str(e) for e in answer.embeds)

    found = await run(fake_discord, "search", {"query": "withdrawal"}, user=fake_discord.member)
    assert TITLE in text_of(found)

    nothing = await run(
        fake_discord,
        "ask",
        {"question": "Who won the football World Cup final?"},
        user=fake_discord.member,
    )
    assert nothing.ephemeral
    assert "Nothing relevant" in nothing.content
