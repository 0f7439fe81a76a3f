"""Edits on change: a posted article the feed changes is edited in place, churn changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from bot.store import Store
from tests.discord.feeds_helpers import run
from tests.fakediscord import FakeDiscord, Message
from tests.fixtures.bot import RunningBot, StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, Item, rss, story

EXTENSIONS = ("cogs.feeds", "cogs.posting")
POLL_EVERY = 11  # minutes: past the feed's next poll time


class Feed:
    """The bot following a feed in #news, and the items the test serves and polls."""

    def __init__(self, running: RunningBot, fake: FakeDiscord, http: HttpServer, clock: Clock):
        self.running, self.fake, self.http, self.clock = running, fake, http, clock
        self.store: Store = running.runtime.store

    def serve(self, *items: Item) -> None:
        self.http.static("/feed.xml", rss([*items, story(1)], title="Alerts"))

    async def poll(self, *items: Item) -> None:
        self.serve(*items)
        self.clock.advance(minutes=POLL_EVERY)
        report = await self.running.runtime.poller().run_cycle()
        assert report.failed == 0, report.errors

    async def posted(self, n: int) -> list[Message]:
        return await self.fake.wait_for_messages(self.fake.channel, n, timeout=15)

    async def no_edit_queued(self) -> None:
        rows = await self.store.list_deliveries()
        assert [(r.edit_due_at, r.edited_at) for r in rows] == [(None, None)] * len(rows)


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until ``check()`` holds (the store is not watched like the fake Discord is)."""
    async with asyncio.timeout(15):
        while not await check():  # noqa: ASYNC110 - the store has no change notification
            await asyncio.sleep(0.1)


async def follow(
    start_bot: StartBot, fake: FakeDiscord, http_server: HttpServer, **options: str
) -> Feed:
    """Follow a one-item feed (the baseline), then post one new article: story 2."""
    clock = Clock()
    running = await start_bot(extensions=EXTENSIONS, clock=clock)
    feed = Feed(running, fake, http_server, clock)
    feed.serve()
    await run(fake, "feed add", {"url": http_server.url("/feed.xml")})
    if options:
        [sub] = await feed.store.list_subscriptions(guild_id=fake.guild.id)
        answer = await run(fake, "feed set", {"feed": str(sub.id)} | options)
        assert "stay as posted" in answer.content
    await feed.poll(story(2))
    [post] = await feed.posted(1)
    assert "Story number 2" in post.embeds[0]["title"]
    return feed


async def test_a_changed_title_edits_the_same_message_once(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    feed = await follow(start_bot, fake_discord, http_server)
    changed = replace(story(2), title="Story number 2, corrected")
    await feed.poll(changed)

    [post] = feed.fake.messages(feed.fake.channel)
    await feed.fake.wait_until(lambda: post.edits or None, 15, "the post's edit")
    assert "Story number 2, corrected" in post.embeds[0]["title"]
    assert post.request["allowed_mentions"] == {"parse": []}

    for _ in range(3):  # the same item again: nothing more to show
        await feed.poll(changed)
    await feed.poll(changed, story(3))  # a new post goes after anything queued before it
    messages = await feed.posted(2)
    assert messages[0].id == post.id
    assert len(post.edits) == 1
    [row, _] = await feed.store.list_deliveries()
    assert row.message_id == post.id
    assert row.edit_due_at is None
    assert row.edited_at is not None


async def test_twenty_polls_of_date_and_tracking_churn_edit_and_post_nothing(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    feed = await follow(start_bot, fake_discord, http_server)
    original = story(2)
    for n in range(20):
        churned = replace(
            original,
            link=f"{original.link}?utm_source=feed&utm_campaign=c{n}&fbclid=x{n}",
            published=original.published + timedelta(minutes=n + 1),
        )
        await feed.poll(churned)
        await feed.no_edit_queued()

    await feed.poll(original, story(3))  # then a new article, to know the worker kept up
    first, second = await feed.posted(2)
    assert "Story number 3" in second.embeds[0]["title"]
    assert first.edits == []
    assert len(feed.fake.messages(feed.fake.channel)) == 2


async def test_updates_off_leaves_posts_as_they_were(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    feed = await follow(start_bot, fake_discord, http_server, updates="off")
    [sub] = await feed.store.list_subscriptions(guild_id=fake_discord.guild.id)
    assert not sub.updates
    listed = await run(fake_discord, "feed list", {})
    assert "never edited" in listed.embeds[0]["description"]
    nothing = await run(fake_discord, "feed set", {"feed": str(sub.id)})
    assert "Nothing to change" in nothing.content

    await feed.poll(replace(story(2), title="Story number 2, corrected"))
    await feed.no_edit_queued()
    await feed.poll(story(3))
    first, _ = await feed.posted(2)
    assert first.edits == []
    assert "Story number 2, corrected" not in first.embeds[0]["title"]


async def test_a_deleted_post_is_not_edited_nor_posted_again(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    feed = await follow(start_bot, fake_discord, http_server)
    [post] = feed.fake.messages(feed.fake.channel)
    feed.fake.world.delete_message(post)
    await feed.poll(replace(story(2), title="Story number 2, corrected"))

    async def dropped() -> bool:
        [row] = await feed.store.list_deliveries()
        return row.edit_due_at is None and "Unknown Message" in (row.last_error or "")

    await eventually(dropped)  # the worker looks for due edits about once a second
    assert feed.fake.messages(feed.fake.channel) == []
    assert post.edits == []


async def test_a_changed_article_of_a_digest_has_its_block_edited_in_place(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    clock = Clock()
    running = await start_bot(extensions=(*EXTENSIONS, "cogs.digest"), clock=clock)
    feed = Feed(running, fake_discord, http_server, clock)
    feed.serve()
    where = {"channel": fake_discord.channel2.id}
    await run(
        fake_discord, "feed add", {"url": http_server.url("/feed.xml"), "mode": "digest"} | where
    )
    await feed.poll(story(2), story(3))
    handle = await fake_discord.interact("digest now", where, user=fake_discord.admin)
    await handle.wait_followups(1)
    [digest] = fake_discord.messages(fake_discord.channel2)
    header = digest.content
    assert [e["title"] for e in digest.embeds] == ["Story number 2", "Story number 3"]

    await feed.poll(story(2), replace(story(3), title="Story number 3, corrected"))
    await fake_discord.wait_until(lambda: digest.edits or None, 15, "the digest's edit")
    assert [e["title"] for e in digest.embeds] == ["Story number 2", "Story number 3, corrected"]
    assert digest.content == header  # the header stays
    assert "content" not in digest.edits[0]
    assert len(fake_discord.messages(fake_discord.channel2)) == 1
