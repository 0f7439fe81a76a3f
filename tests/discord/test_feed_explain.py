"""/feed explain end to end: the real client, the fake Discord, real feeds over HTTP, a real store.

One server follows three feeds: A (filtered) and B in #general, C in #second where the bot then
loses Send Messages. Each answer must name the right reason: first poll, filtered (by which
term), posted (with the message's link), cross-feed duplicate (via which feed), failed with a 403.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.models import Article
from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord, Message, Perm
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import rss, story
from tests.render.builders import article, eventually

EXTENSIONS = ("cogs.feeds", "cogs.posting")


def titled(n: int, title: str) -> Article:
    base = article(n, title=title)
    return replace(base, entry=replace(base.entry, id=f"{title}-{n}"))


async def explain(fake: FakeDiscord, url: str) -> Message:
    answer = await run(fake, "feed explain", {"url": url})
    assert answer.ephemeral
    return answer


async def test_explain_names_the_reason_for_each_verdict(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    store = running.runtime.store
    general, second = fake_discord.channel, fake_discord.channel2
    feed_a = http_server.static("/a.xml", rss([story(1), story(2)], title="Feed A"))
    feed_b = http_server.static("/b.xml", rss([story(3)], title="Feed B"))
    feed_c = http_server.static("/c.xml", rss([story(4)], title="Feed C"))
    await run(fake_discord, "feed add", {"url": feed_a})
    await run(fake_discord, "feed add", {"url": feed_b})
    await run(fake_discord, "feed add", {"url": feed_c, "channel": second.id})
    await run(fake_discord, "feed filter", {"feed": "Feed A", "exclude": "crypto"})
    await fake_discord.set_permissions(second, fake_discord.bot_role.id, deny=Perm.SEND_MESSAGES)
    subs = {s.feed_title: s for s in await store.list_subscriptions()}

    first_poll = text_of(await explain(fake_discord, "http://example.org/news/1"))
    assert "first poll" in first_poll
    assert "Feed A" in first_poll

    # New items, stored as a poll stores them.
    await store.store_articles(subs["Feed A"].feed_id, [titled(10, "Crypto crash")], deliver=True)
    await store.store_articles(subs["Feed A"].feed_id, [titled(11, "Budget passes")], deliver=True)
    posted = await fake_discord.wait_until(
        lambda: found if (found := fake_discord.messages(general)) else None, 10, "the post"
    )
    await store.store_articles(subs["Feed B"].feed_id, [titled(11, "Budget passed")], deliver=True)
    await store.store_articles(subs["Feed C"].feed_id, [titled(12, "Rain")], deliver=True)

    async def paused() -> Any:
        [sub] = [s for s in await store.list_subscriptions() if s.feed_title == "Feed C"]
        return sub.paused_reason

    await eventually(paused, timeout=10, what="feed C paused by the 403")

    filtered = text_of(await explain(fake_discord, "https://example.org/news/10"))
    assert "filtered out: it matched the exclude term \u201ccrypto\u201d" in filtered

    both = text_of(await explain(fake_discord, "https://example.org/news/11"))
    [message] = posted
    jump = f"https://discord.com/channels/{fake_discord.guild.id}/{general.id}/{message.id}"
    assert "posted · Feed A" in both
    assert f"([message]({jump}))" in both
    assert "duplicate · Feed B" in both
    assert "duplicate of \u201cBudget passes\u201d, posted in this channel via Feed A" in both

    failed = text_of(await explain(fake_discord, "https://example.org/news/12"))
    assert "failed: the bot lacks permission to post there (Discord 403)" in failed
    assert f"<#{second.id}>" in failed
    assert len(fake_discord.messages(second)) == 0

    newest = text_of(await explain(fake_discord, feed_a))
    assert "Newest items of Feed A" in newest
    lines = [line for line in newest.splitlines() if line.startswith("\u2022")]
    assert len(lines) == 4  # two first-poll items, the filtered one, the posted one
    assert "Crypto crash" in newest
    assert "exclude term" in newest
    assert "duplicate" not in newest  # Feed A's own channels only, not Feed B's

    unknown = text_of(await explain(fake_discord, "https://nowhere.example/story"))
    assert "No feed this server follows has carried" in unknown
