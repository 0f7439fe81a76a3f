"""Announcement channels: /feed add and /digest schedule with ``publish``, published once."""

from __future__ import annotations

from typing import Any

from bot.delivery import Target
from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord, MessageFlag
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, serve_seed_feed
from tests.render.builders import article, eventually, worker_of

ANNOUNCEMENT = 5
CROSSPOST = "POST /channels/{channel_id}/messages/{message_id}/crosspost"
EXTENSIONS = ("cogs.feeds", "cogs.posting")


def published(fake: FakeDiscord, channel_id: int) -> list[bool]:
    """For each message of the channel, whether it was published to following servers."""
    return [bool(m.flags & MessageFlag.CROSSPOSTED) for m in fake.messages(channel_id)]


async def test_feed_add_with_publish_posts_and_publishes_each_article_once(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    news = await fake_discord.add_channel("announcements", type=ANNOUNCEMENT)
    url = serve_seed_feed(http_server, title="World News")
    answer = await run(
        fake_discord, "feed add", {"url": url, "channel": news.id, "backfill": 1, "publish": True}
    )
    assert "Now following" in text_of(answer)
    await fake_discord.wait_until(lambda: published(fake_discord, news.id) == [True], 10)
    store = running.runtime.store
    [row] = await eventually(lambda: store.list_deliveries(status="sent"), what="sent")
    [message] = fake_discord.messages(news)
    assert row.message_id == message.id
    assert len(fake_discord.requests_to(CROSSPOST)) == 1


async def test_publish_is_refused_in_a_channel_that_is_not_an_announcement_channel(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    url = serve_seed_feed(http_server, title="World News")
    options = {"url": url, "channel": fake_discord.channel.id, "publish": True}
    answer = await run(fake_discord, "feed add", options)
    assert "not an announcement channel" in text_of(answer)
    assert await running.runtime.store.list_subscriptions() == []


async def test_a_refused_publish_pauses_and_resumes_by_publishing_alone(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    news = await fake_discord.add_channel("announcements", type=ANNOUNCEMENT)
    fake_discord.inject_error(403, 50013, "Missing Permissions", route=CROSSPOST)
    url = serve_seed_feed(http_server, title="World News")
    options = {"url": url, "channel": news.id, "backfill": 1, "publish": True}
    await run(fake_discord, "feed add", options)
    store = running.runtime.store

    async def paused() -> Any:
        subs = await store.list_subscriptions()
        return subs if subs and subs[0].paused_reason else None

    [sub] = await eventually(paused, timeout=10, what="the subscription paused")
    [row] = await store.list_deliveries(status="pending")
    assert published(fake_discord, news.id) == [False]
    assert row.message_id == fake_discord.messages(news)[0].id  # posted, recorded

    await store.resume_subscription(sub.id)
    await fake_discord.wait_until(lambda: published(fake_discord, news.id) == [True], 10)
    [sent] = await eventually(lambda: store.list_deliveries(status="sent"), what="sent")
    assert sent.message_id == row.message_id
    assert len(fake_discord.messages(news)) == 1
    assert len(fake_discord.requests_to("POST /channels/{channel_id}/messages")) == 1


async def test_a_publish_repeated_after_a_crash_counts_as_done(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    news = await fake_discord.add_channel("announcements", type=ANNOUNCEMENT)
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    await store.subscribe(
        feed.id, fake_discord.guild.id, news.id, mode="instant", added_by=1, publish=True
    )
    await store.store_articles(feed.id, [article(1)], deliver=True)
    [sent] = await eventually(lambda: store.list_deliveries(status="sent"), what="sent")
    # As if the process had died after publishing, before recording it: the row is due again.
    sender = worker_of(running).poster.sender
    assert sent.message_id is not None
    await sender.publish(Target(news.id, fake_discord.guild.id), sent.message_id)
    assert published(fake_discord, news.id) == [True]
    assert [r.status for r in fake_discord.requests_to(CROSSPOST)] == [200, 400]


async def test_scheduled_digest_with_publish_publishes_each_message(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=("cogs.digest",), clock=clock, digest_tick_seconds=0.1)
    news = await fake_discord.add_channel("announcements", type=ANNOUNCEMENT)
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    await store.subscribe(feed.id, fake_discord.guild.id, news.id, mode="digest", added_by=1)
    await store.store_articles(feed.id, [article(1), article(2)], deliver=True)
    handle = await fake_discord.interact(
        "digest schedule",
        {"channel": news.id, "at": "0 * * * *", "publish": True},
        user=fake_discord.admin,
    )
    assert "scheduled" in str((await handle.response())["data"]["content"])
    [schedule] = await store.list_schedules()
    assert schedule.publish
    clock.advance(hours=1)
    await fake_discord.wait_until(lambda: published(fake_discord, news.id) == [True], 10)
    await eventually(
        lambda: store.list_deliveries(status="sent"), what="the digest's rows marked sent"
    )
