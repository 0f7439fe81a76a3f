"""Two servers follow two feeds that carry the same link: each sees its own feed's item.

Before, the first feed to store a link supplied the title and text every other feed showed, so
one server's admin could make another server's feed say "@everyone breaking...".
"""

from __future__ import annotations

from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, Item, rss

LINK = "http://example.org/news/shared-{n}"


def _honest(n: int) -> Item:
    words = " ".join(
        f"The council met and item {n} reports step {k} of the plan." for k in range(25)
    )
    return Item(
        guid=f"honest-{n}", title=f"A normal item {n}", link=LINK.format(n=n), description=words
    )


def _hostile(n: int) -> Item:
    words = " ".join(f"Shocking claim {k}, spread the word and click now." for k in range(25))
    title = f"@everyone breaking {n}: the bridge collapsed"
    return Item(guid=f"hostile-{n}", title=title, link=LINK.format(n=n), description=words)


async def test_each_server_sees_its_own_feeds_item_for_a_shared_link(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    clock = Clock()
    running = await start_bot(
        extensions=("cogs.feeds", "cogs.posting"), clock=clock, dev_guild_id=None
    )
    other = await fake_discord.add_guild("Second")
    other_channel = await fake_discord.add_channel("news", guild=other)
    honest = http_server.static("/honest.xml", rss([_honest(1)], title="Honest News"))
    hostile = http_server.static("/hostile.xml", rss([_hostile(1)], title="Loud News"))

    # The hostile feed is added first, so it stores the shared link first.
    theirs = await run(
        fake_discord,
        "feed add",
        {"url": hostile},
        channel=other_channel,
        user=fake_discord.owner,
    )
    assert "breaking 1" in text_of(theirs)
    ours = text_of(await run(fake_discord, "feed add", {"url": honest}))
    assert "Newest: A normal item 1" in ours
    assert "breaking" not in ours
    assert "Shocking" not in ours

    # A new item with a shared link appears in both feeds: each channel gets its own.
    http_server.static("/hostile.xml", rss([_hostile(2), _hostile(1)], title="Loud News"))
    http_server.static("/honest.xml", rss([_honest(2), _honest(1)], title="Honest News"))
    clock.advance(minutes=11)
    await running.runtime.poller().run_cycle()
    [mine] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    [loud] = await fake_discord.wait_for_messages(other_channel, 1)
    assert mine.embeds[0]["title"] == "A normal item 2"
    assert "breaking" not in text_of(mine)
    assert "Shocking" not in text_of(mine)
    assert "council met" in text_of(mine)
    assert "breaking 2" in loud.embeds[0]["title"]
    assert "Shocking" in text_of(loud)
    stored = await running.runtime.store.recent_articles(None, limit=10)
    assert len(stored) == 2  # still one story per link, shared by both feeds
