"""Webhook posts: under the subscription's name and avatar, once; refusals, pauses, remaking."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.discord.feeds_helpers import run, text_of
from tests.discord.test_updates import Feed
from tests.fakediscord import FakeDiscord, Perm
from tests.fixtures.bot import RunningBot, StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, serve_seed_feed, story
from tests.render.builders import article, eventually

EXTENSIONS = ("cogs.feeds", "cogs.posting")
EXECUTE = "POST /webhooks/{webhook_id}/{webhook_token}"
EDIT = "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
AVATAR = "https://example.org/bbc.png"


async def allow_webhooks(fake: FakeDiscord, channel: Any) -> None:
    """Give the bot Manage Webhooks in ``channel``."""
    await fake.set_permissions(channel, fake.bot_role.id, allow=Perm.MANAGE_WEBHOOKS)


def executes(fake: FakeDiscord) -> list[Any]:
    """Webhook executes (interaction followups share the route: they are left out)."""
    followups = f"/webhooks/{fake.application_id}/"
    return [r for r in fake.requests_to(EXECUTE) if followups not in r.path]


async def sent(store: Any, n: int) -> Any:
    """The sent deliveries once there are ``n``."""
    rows = await store.list_deliveries(status="sent")
    return rows if len(rows) == n else None


async def follow(running: RunningBot, fake: FakeDiscord, channel_id: int, articles: int) -> Any:
    """A feed followed through a webhook named "BBC World", with ``articles`` queued."""
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    sub = await store.subscribe(
        feed.id, fake.guild.id, channel_id, mode="instant", added_by=1, webhook_name="BBC World"
    )
    await store.store_articles(feed.id, [article(n) for n in range(articles)], deliver=True)
    return sub


async def test_feed_add_with_a_webhook_name_posts_each_article_once_under_that_name(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    news = fake_discord.channel
    await allow_webhooks(fake_discord, news)
    url = serve_seed_feed(http_server, title="World News")
    options = {"url": url, "backfill": 2, "webhook_name": "BBC World", "webhook_avatar": AVATAR}
    answer = await run(fake_discord, "feed add", options, channel=news)
    assert f"<#{news.id}>" in text_of(answer)
    posts = await fake_discord.wait_for_messages(news, 2, timeout=10)
    [hook] = fake_discord.webhooks(news)
    for post in posts:
        assert post.author.username == "BBC World"
        assert post.webhook_id == hook.id
        assert post.request["avatar_url"] == AVATAR
        assert post.request["allowed_mentions"] == {"parse": []}
        assert post.embeds[0]["description"].startswith("• ")
        assert post.components  # the "More" button, as on the bot's own posts
    rows = await eventually(lambda: sent(running.runtime.store, 2), timeout=10, what="2 sent")
    assert {row.message_id for row in rows} == {post.id for post in posts}
    assert len(executes(fake_discord)) == 2
    assert len(fake_discord.requests_to("POST /channels/{channel_id}/webhooks")) == 1
    assert fake_discord.requests_to("POST /channels/{channel_id}/messages") == []
    listed = text_of(await run(fake_discord, "feed list", {}))
    assert "as **BBC World** (webhook)" in listed
    assert hook.token not in listed


async def test_a_thread_is_posted_through_its_parents_webhook(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    await allow_webhooks(fake_discord, fake_discord.channel)
    thread = await fake_discord.add_thread(fake_discord.channel, "world")
    await follow(running, fake_discord, thread.id, 2)
    posts = await fake_discord.wait_for_messages(thread, 2, timeout=10)
    assert {p.author.username for p in posts} == {"BBC World"}
    [hook] = fake_discord.webhooks(fake_discord.channel)
    assert {p.webhook_id for p in posts} == {hook.id}
    await eventually(lambda: sent(running.runtime.store, 2), timeout=10, what="2 sent")


async def test_manage_webhooks_missing_is_refused_at_feed_add(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    url = serve_seed_feed(http_server, title="World News")
    options = {"url": url, "webhook_name": "BBC World"}
    refused = text_of(await run(fake_discord, "feed add", options, channel=fake_discord.channel))
    assert "I can't post articles through a webhook" in refused
    assert "I lack Manage Webhooks" in refused
    bad = {"url": url, "webhook_name": "Discord News"}
    assert "discord" in text_of(await run(fake_discord, "feed add", bad)).lower()
    assert await running.runtime.store.list_subscriptions() == []


async def test_a_webhook_deleted_in_discord_is_made_again_and_posting_goes_on(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    news = fake_discord.channel
    await allow_webhooks(fake_discord, news)
    sub = await follow(running, fake_discord, news.id, 1)
    await fake_discord.wait_for_messages(news, 1, timeout=10)
    [first] = fake_discord.webhooks(news)
    await eventually(lambda: sent(running.runtime.store, 1), timeout=10, what="1 sent")
    fake_discord.delete_webhook(first)
    await running.runtime.store.store_articles(sub.feed_id, [article(7)], deliver=True)
    posts = await fake_discord.wait_for_messages(news, 2, timeout=10)
    [second] = fake_discord.webhooks(news)
    assert second.id != first.id
    assert posts[1].webhook_id == second.id
    assert posts[1].embeds[0]["title"] == "Story 7"
    await eventually(lambda: sent(running.runtime.store, 2), timeout=10, what="2 sent")
    stored = await running.runtime.store.channel_webhook(news.id)
    assert stored is not None
    assert stored.webhook_id == second.id
    assert "token" not in repr(stored)


async def test_manage_webhooks_lost_later_pauses_the_feed_with_the_reason(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    news = fake_discord.channel
    await allow_webhooks(fake_discord, news)
    sub = await follow(running, fake_discord, news.id, 1)
    await fake_discord.wait_for_messages(news, 1, timeout=10)
    await fake_discord.set_permissions(news, fake_discord.bot_role.id)  # Manage Webhooks gone
    store = running.runtime.store
    await store.store_articles(sub.feed_id, [article(7)], deliver=True)

    async def paused() -> Any:
        subs = await store.list_subscriptions()
        return subs if subs[0].paused_reason else None

    await eventually(paused, timeout=10, what="the subscription paused")
    status = text_of(await run(fake_discord, "feed status", {}))
    assert "through a webhook" in status
    assert "Manage Webhooks" in status
    assert len(fake_discord.messages(news)) == 1
    ref = {"feed": str(sub.id)}
    still = text_of(await run(fake_discord, "feed resume", ref))
    assert "I lack Manage Webhooks" in still
    await allow_webhooks(fake_discord, news)
    await run(fake_discord, "feed resume", ref)
    posts = await fake_discord.wait_for_messages(news, 2, timeout=10)
    assert posts[1].author.username == "BBC World"


async def test_a_webhook_post_whose_answer_was_lost_is_found_not_made_again(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=EXTENSIONS, clock=clock)
    news = fake_discord.channel
    await allow_webhooks(fake_discord, news)
    fake_discord.lose_answers(EXECUTE)
    store = running.runtime.store
    await follow(running, fake_discord, news.id, 1)

    async def retrying() -> Any:
        rows = await store.list_deliveries(status="pending")
        return rows if rows and rows[0].last_error and rows[0].in_flight_at else None

    await eventually(retrying, timeout=10, what="the attempt whose answer was lost")
    [post] = fake_discord.messages(news)  # made, though the bot never heard
    clock.advance(seconds=11)  # past the back-off
    [row] = await eventually(lambda: sent(store, 1), timeout=10, what="recorded sent")
    assert row.message_id == post.id
    assert len(fake_discord.messages(news)) == 1
    assert len(executes(fake_discord)) == 1


async def test_threads_sharing_a_webhook_keep_its_limit_of_five_per_two_seconds(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    await allow_webhooks(fake_discord, fake_discord.channel)
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    for name in ("world", "sport"):  # each thread's own window admits 5 posts at once
        thread = await fake_discord.add_thread(fake_discord.channel, name)
        await store.subscribe(
            feed.id,
            fake_discord.guild.id,
            thread.id,
            mode="instant",
            added_by=1,
            webhook_name="BBC World",
        )
    await store.store_articles(feed.id, [article(n) for n in range(5)], deliver=True)
    await eventually(lambda: sent(store, 10), timeout=20, what="10 sent")
    assert len(executes(fake_discord)) == 10
    assert fake_discord.rate_limit_hits == []  # its 5 per 2 s kept (the pacer, discord.py)


async def test_a_changed_article_is_edited_through_the_webhook(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    clock = Clock()
    running = await start_bot(extensions=EXTENSIONS, clock=clock)
    await allow_webhooks(fake_discord, fake_discord.channel)
    feed = Feed(running, fake_discord, http_server, clock)
    feed.serve()
    url = http_server.url("/feed.xml")
    await run(fake_discord, "feed add", {"url": url, "webhook_name": "Alerts Desk"})
    await feed.poll(story(2))
    [post] = await feed.posted(1)
    assert post.author.username == "Alerts Desk"
    await feed.poll(replace(story(2), title="Story number 2, corrected"))
    await fake_discord.wait_until(lambda: post.edits or None, 15, "the post's edit")
    assert "Story number 2, corrected" in post.embeds[0]["title"]
    assert len(fake_discord.requests_to(EDIT)) == 1
    assert len(fake_discord.messages(fake_discord.channel)) == 1


async def test_feed_set_turns_the_webhook_on_and_off(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    sub = await store.subscribe(
        feed.id, fake_discord.guild.id, fake_discord.channel.id, mode="instant", added_by=1
    )
    ref = {"feed": str(sub.id)}
    alone = await run(fake_discord, "feed set", ref | {"webhook_avatar": AVATAR})
    assert "`webhook_avatar` goes with `webhook_name`" in text_of(alone)
    lacking = await run(fake_discord, "feed set", ref | {"webhook_name": "BBC World"})
    assert "I lack Manage Webhooks" in text_of(lacking)
    await allow_webhooks(fake_discord, fake_discord.channel)
    named = await run(fake_discord, "feed set", ref | {"webhook_name": "BBC World"})
    assert "now appear as **BBC World**" in text_of(named)
    avatar = await run(fake_discord, "feed set", ref | {"webhook_avatar": AVATAR})
    assert "with its own avatar" in text_of(avatar)
    now = await store.get_subscription(sub.id)
    assert now is not None
    assert (now.webhook_name, now.webhook_avatar) == ("BBC World", AVATAR)
    off = await run(fake_discord, "feed set", ref | {"webhook_name": "none"})
    assert "made by the bot itself" in text_of(off)
    await store.store_articles(feed.id, [article(1)], deliver=True)
    [post] = await fake_discord.wait_for_messages(fake_discord.channel, 1, timeout=10)
    assert post.author.id == fake_discord.bot_user.id
    assert post.webhook_id is None


async def test_the_webhook_briefing_made_before_is_used_again_when_the_store_lost_it(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    news = fake_discord.channel
    await allow_webhooks(fake_discord, news)
    theirs = fake_discord.add_webhook(news, "Briefing", by_bot=False)  # a moderator's
    ours = fake_discord.add_webhook(news, "Briefing")  # made before the database was restored
    await follow(running, fake_discord, news.id, 2)
    posts = await fake_discord.wait_for_messages(news, 2, timeout=10)
    assert {p.webhook_id for p in posts} == {ours.id}
    assert fake_discord.webhooks(news) == [theirs, ours]
    assert fake_discord.requests_to("POST /channels/{channel_id}/webhooks") == []
