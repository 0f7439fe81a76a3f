"""Threads as targets: /feed add and /digest schedule into a thread, archived and locked threads."""

from __future__ import annotations

from typing import Any

from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord, Perm
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, serve_seed_feed
from tests.render.builders import article, eventually

EXTENSIONS = ("cogs.feeds", "cogs.posting")


async def test_feed_add_into_a_thread_posts_there(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    thread = await fake_discord.add_thread(fake_discord.channel, "World news")
    url = serve_seed_feed(http_server, title="World News")
    answer = await run(fake_discord, "feed add", {"url": url, "channel": thread.id, "backfill": 1})
    assert f"<#{thread.id}>" in text_of(answer)
    [message] = await fake_discord.wait_for_messages(thread, 1, timeout=10)
    assert message.embeds[0]["title"] == "Putin orders Syria pullout"
    assert fake_discord.messages(fake_discord.channel) == []
    [row] = await eventually(lambda: running.runtime.store.list_deliveries(status="sent"))
    assert row.message_id == message.id


async def test_a_thread_where_the_bot_may_not_post_is_refused_with_the_permission_named(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    thread = await fake_discord.add_thread(fake_discord.channel, "World news")
    await fake_discord.set_permissions(
        fake_discord.channel, fake_discord.bot_role.id, deny=Perm.SEND_MESSAGES_IN_THREADS
    )
    url = serve_seed_feed(http_server, title="World News")
    answer = await run(fake_discord, "feed add", {"url": url, "channel": thread.id})
    assert "I lack Send Messages in Threads and Embed Links" in text_of(answer)
    assert await running.runtime.store.list_subscriptions() == []


async def subscribed_thread(running: Any, fake: FakeDiscord, thread_id: int) -> None:
    """A feed posting into the thread, with one article queued."""
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    await store.subscribe(feed.id, fake.guild.id, thread_id, mode="instant", added_by=1)
    await store.store_articles(feed.id, [article(1)], deliver=True)


async def test_an_archived_thread_is_unarchived_by_the_post(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    thread = await fake_discord.add_thread(fake_discord.channel, "World news")
    await fake_discord.archive_thread(thread)
    running = await start_bot(extensions=EXTENSIONS)
    await subscribed_thread(running, fake_discord, thread.id)
    await fake_discord.wait_for_messages(thread, 1, timeout=10)
    assert not thread.archived


async def test_a_locked_thread_pauses_until_the_bot_may_unarchive_it(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    thread = await fake_discord.add_thread(fake_discord.channel, "World news")
    await fake_discord.archive_thread(thread, locked=True)
    running = await start_bot(extensions=("cogs.feeds", "cogs.posting"))
    await subscribed_thread(running, fake_discord, thread.id)
    store = running.runtime.store

    async def paused() -> Any:
        subs = await store.list_subscriptions()
        return subs if subs[0].paused_reason else None

    [sub] = await eventually(paused, timeout=10, what="the subscription paused")
    status = text_of(await run(fake_discord, "feed status", {}))
    assert "archived and locked" in status
    assert "Manage Threads" in status
    assert fake_discord.messages(thread) == []

    await fake_discord.set_permissions(
        fake_discord.channel, fake_discord.bot_role.id, allow=Perm.MANAGE_THREADS
    )
    await store.resume_subscription(sub.id)
    [message] = await fake_discord.wait_for_messages(thread, 1, timeout=10)
    assert not thread.archived
    assert thread.locked  # unarchived, still locked to members
    assert message.embeds[0]["title"] == "Story 1"


async def test_a_scheduled_digest_goes_into_a_thread(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=("cogs.digest",), clock=clock, digest_tick_seconds=0.1)
    thread = await fake_discord.add_thread(fake_discord.channel2, "Daily digest")
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    await store.subscribe(feed.id, fake_discord.guild.id, thread.id, mode="digest", added_by=1)
    await store.store_articles(feed.id, [article(1), article(2)], deliver=True)
    handle = await fake_discord.interact(
        "digest schedule", {"channel": thread.id, "at": "0 * * * *"}, user=fake_discord.admin
    )
    assert "scheduled" in str((await handle.response())["data"]["content"])
    clock.advance(hours=1)
    [message] = await fake_discord.wait_for_messages(thread, 1, timeout=10)
    assert "2 new articles" in message.content
