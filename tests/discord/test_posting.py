"""Instant posts through the real bot: content, mentions, "More", permissions, gone channels."""

from __future__ import annotations

import json
import re

from bot.render.article import escape, more_custom_id
from bot.store import DeliveryRow, SubscriptionRow
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, Item, rss, seed_page, story
from tests.render.builders import article, eventually, queue_posts, worker_of

POSTING = ("cogs.posting",)


MENTION = re.compile(r"@(everyone|here)|<@!?\d+>|<@&\d+>|<#\d+>")


async def test_seed_article_is_posted_with_its_three_key_points(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    clock = Clock()
    running = await start_bot(extensions=POSTING, clock=clock)
    store = running.runtime.store
    page = http_server.static("/world/putin-syria", seed_page(), content_type="text/html")
    url = http_server.static("/feed.xml", rss([story(1)], title="World News"))
    feed = await store.add_feed(url)
    await store.subscribe(
        feed.id,
        fake_discord.guild.id,
        fake_discord.channel.id,
        mode="instant",
        added_by=fake_discord.admin.id,
    )
    poller = running.runtime.poller()
    await poller.run_cycle()  # the baseline: nothing is posted
    teaser = Item(
        guid="seed",
        title="Putin orders Syria pullout",
        link=page,
        description="Russian President Vladimir Putin on Monday announced a partial withdrawal.",
    )
    http_server.static("/feed.xml", rss([teaser, story(1)], title="World News"))
    clock.advance(minutes=11)
    await poller.run_cycle()

    [message] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    [embed] = message.embeds
    assert (embed["title"], embed["url"]) == ("Putin orders Syria pullout", page)
    points = embed["description"].split("\n")
    assert len(points) == 3
    assert all(p.startswith("• ") for p in points)
    assert "withdraw" in points[0]
    assert "naval facility" in embed["description"]
    assert "authorities in the EU" in embed["description"]
    assert embed["footer"]["text"] == "World News"
    assert message.nonce is not None
    assert len(str(message.nonce)) <= 25
    assert message.request["allowed_mentions"] == {"parse": []}
    [row] = await eventually(
        lambda: store.list_deliveries(status="sent"), what="the delivery marked sent"
    )
    assert row.message_id == message.id


async def test_an_article_full_of_mentions_pings_no_one(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    hostile = f"@everyone @here <@{fake_discord.member.id}> <@&{fake_discord.admin_role.id}>"
    running = await start_bot(extensions=POSTING)
    await queue_posts(
        running.runtime.store,
        fake_discord.guild.id,
        [fake_discord.channel.id],
        [article(1, title=f"Breaking {hostile}", points=(f"Read this {hostile}.",))],
        feed_title=f"Feed {hostile}",
    )
    [message] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    assert message.request["allowed_mentions"] == {"parse": []}
    assert (message.mention_everyone, message.mentions, message.mention_roles) == (False, [], [])
    assert MENTION.search(json.dumps(message.embeds, ensure_ascii=False)) is None
    assert escape(hostile) in message.embeds[0]["title"]


async def test_more_button_works_after_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    points = tuple(f"Point number {n} of the story." for n in range(5))
    first = await start_bot(extensions=POSTING)
    await queue_posts(
        first.runtime.store,
        fake_discord.guild.id,
        [fake_discord.channel.id],
        [article(1, points=points)],
    )
    [message] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    [row] = await eventually(
        lambda: first.runtime.store.list_deliveries(status="sent"), what="the post marked sent"
    )
    assert message.embeds[0]["description"].count("•") == 3
    [[button]] = [r["components"] for r in message.components]
    assert (button["label"], button["custom_id"]) == ("More", more_custom_id(row.article_id))
    await first.stop()

    await start_bot(extensions=POSTING)  # the same data_dir: a restarted bot
    handle = await fake_discord.click(message, button["custom_id"], user=fake_discord.member)
    answer = await handle.response()
    assert answer["data"]["flags"] & 64  # ephemeral
    [embed] = answer["data"]["embeds"]
    assert embed["description"] == "\n".join(f"• {p}" for p in points)
    assert embed["fields"][0]["name"] == "TL;DR"


async def test_missing_permissions_pause_the_subscription(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=POSTING)
    store = running.runtime.store
    await queue_posts(
        store,
        fake_discord.guild.id,
        [fake_discord.locked_channel.id, fake_discord.channel.id],
        [article(1), article(2)],
    )

    async def paused() -> list[SubscriptionRow]:
        subs = await store.list_subscriptions(channel_id=fake_discord.locked_channel.id)
        return [s for s in subs if s.paused_reason]

    [sub] = await eventually(paused, what="the subscription paused")
    assert "Send Messages" in (sub.paused_reason or "")
    [status] = [
        s for s in await store.feed_status(fake_discord.guild.id) if s.subscription_id == sub.id
    ]
    assert status.paused_reason == sub.paused_reason
    await fake_discord.wait_for_messages(fake_discord.channel, 2)  # other channels go on
    waiting = await store.list_deliveries(channel_id=fake_discord.locked_channel.id)
    assert {d.status for d in waiting} == {"pending"}  # posted once the bot is allowed again
    assert fake_discord.messages(fake_discord.locked_channel) == []


async def test_an_unknown_channel_loses_its_subscriptions(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=POSTING)
    store = running.runtime.store
    gone = await fake_discord.add_channel("soon-gone")
    await fake_discord.delete_channel(gone)
    await queue_posts(
        store, fake_discord.guild.id, [gone.id, fake_discord.channel.id], [article(1), article(2)]
    )

    async def removed() -> bool:
        return not await store.list_subscriptions(channel_id=gone.id)

    await eventually(removed, what="the channel's subscriptions removed")
    await fake_discord.wait_for_messages(fake_discord.channel, 2)
    assert {d.status for d in await store.list_deliveries(channel_id=gone.id)} == {"skipped"}


async def test_a_feed_failing_for_a_day_gets_one_notice_a_day(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=(), clock=clock)
    store = running.runtime.store
    title = f"Flaky @everyone <@&{fake_discord.admin_role.id}>"
    feed = await store.add_feed("https://example.org/flaky.xml", title=title)
    await store.subscribe(
        feed.id, fake_discord.guild.id, fake_discord.channel.id, mode="instant", added_by=1
    )
    await store.record_failure(feed.id, error="HTTP 500", next_poll_at=clock())
    await running.stop()
    clock.advance(hours=23)
    again = await start_bot(extensions=POSTING, clock=clock)
    worker = worker_of(again)
    assert await worker.notify_failing_feeds() == 0  # not a whole day yet

    clock.advance(hours=2)
    assert await worker.notify_failing_feeds() == 1
    assert await worker.notify_failing_feeds() == 0  # one a day
    [notice] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    assert "HTTP 500" in notice.content
    assert (notice.mention_everyone, notice.mention_roles) == (False, [])
    assert MENTION.search(notice.content.replace("<t:", "")) is None

    clock.advance(hours=24)
    assert await worker.notify_failing_feeds() == 1
    assert len(fake_discord.messages(fake_discord.channel)) == 2


async def test_a_forum_gets_its_failing_feed_notice_as_a_post_with_the_feeds_tag(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=POSTING, clock=clock)
    forum = await fake_discord.add_forum("news", tags=["World"], require_tag=True)
    tag = int(forum.available_tags[0]["id"])
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/flaky.xml", title="Flaky News")
    await store.subscribe(
        feed.id, fake_discord.guild.id, forum.id, mode="instant", added_by=1, forum_tags=(tag,)
    )
    await store.record_failure(feed.id, error="HTTP 500", next_poll_at=clock())
    clock.advance(hours=25)
    assert await worker_of(running).notify_failing_feeds() == 1
    [(thread, starter)] = fake_discord.posts(forum)
    assert thread.name == "⚠️ Feed failing: Flaky News"
    assert thread.applied_tags == [tag]
    assert "HTTP 500" in starter.content


async def test_a_bare_404_is_retried_while_a_json_unknown_channel_ends_the_channel(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    """A 404 page with no JSON body (a proxy or CDN edge) is not Discord saying the channel is
    gone: the post waits out a back-off and is posted; Discord's own 10003 still forgets it."""
    clock = Clock()
    running = await start_bot(extensions=POSTING, clock=clock)
    store, channel = running.runtime.store, fake_discord.channel
    fake_discord.inject_error(404, 0, "Not Found", channel=channel, bare=True)
    await queue_posts(store, fake_discord.guild.id, [channel.id], [article(1)])

    async def retried() -> list[DeliveryRow]:
        rows = await store.list_deliveries(channel_id=channel.id, status="pending")
        return [r for r in rows if r.attempts == 1 and r.last_error]

    [row] = await eventually(retried, what="the post waiting to be retried")
    assert "404" in (row.last_error or "")
    assert len(await store.list_subscriptions(channel_id=channel.id)) == 1
    assert fake_discord.messages(channel) == []
    clock.advance(seconds=10)  # the first back-off
    [message] = await fake_discord.wait_for_messages(channel, 1, timeout=10)
    assert message.embeds[0]["title"]

    fake_discord.inject_error(404, 10003, "Unknown Channel", channel=channel)
    await queue_posts(
        store, fake_discord.guild.id, [channel.id], [article(2)], feed_url="https://b.example/f"
    )

    async def removed() -> bool:
        return not await store.list_subscriptions(channel_id=channel.id)

    await eventually(removed, what="the channel's subscriptions removed")
    assert len(fake_discord.messages(channel)) == 1


async def test_a_bare_404_that_never_ends_gives_up_after_the_last_attempt(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=POSTING, clock=clock)
    store, channel = running.runtime.store, fake_discord.channel
    fake_discord.inject_error(404, 0, "Not Found", channel=channel, bare=True, count=1000)
    await queue_posts(store, fake_discord.guild.id, [channel.id], [article(1)])

    async def failed() -> list[DeliveryRow]:
        [row] = await store.list_deliveries(channel_id=channel.id)
        if row.status == "pending" and row.claimed_by is None and row.attempts:
            clock.now = max(clock.now, row.next_attempt_at)  # the back-off has passed
        return [row] if row.status == "failed" else []

    [row] = await eventually(failed, what="the post given up", timeout=30)
    assert row.attempts == 12
    assert len(fake_discord.requests_to("POST /channels/{channel_id}/messages")) == 12
    assert len(await store.list_subscriptions(channel_id=channel.id)) == 1
