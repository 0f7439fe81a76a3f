"""Forum channels: one post per article with its tags, refusals, and a lost answer not repeated."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.store import Store
from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord, Perm
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, serve_seed_feed
from tests.render.builders import article, eventually

EXTENSIONS = ("cogs.feeds", "cogs.posting")
CREATE_POST = "POST /channels/{channel_id}/threads"


def tag_id(forum: Any, name: str) -> int:
    return next(int(t["id"]) for t in forum.available_tags if t["name"] == name)


async def test_feed_add_into_a_forum_makes_one_post_per_article_with_its_tag(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    forum = await fake_discord.add_forum("news-forum", tags=["World", "Sport"])
    url = serve_seed_feed(http_server, title="World News")
    options = {"url": url, "channel": forum.id, "backfill": 2, "tags": "world"}
    answer = await run(fake_discord, "feed add", options)
    assert f"<#{forum.id}>" in text_of(answer)
    posts = await fake_discord.wait_until(
        lambda: found if len(found := fake_discord.posts(forum)) >= 2 else None, 10, "2 posts"
    )
    names = sorted(thread.name for thread, _ in posts)
    assert "Putin orders Syria pullout" in names
    for thread, starter in posts:
        assert thread.applied_tags == [tag_id(forum, "World")]
        assert starter.embeds[0]["title"] == thread.name
        assert starter.embeds[0]["description"].startswith("• ")
        assert starter.author.id == fake_discord.bot_user.id
    store = running.runtime.store
    sent = await eventually(
        lambda: _all_sent(store, 2), timeout=10, what="both deliveries recorded sent"
    )
    assert {row.message_id for row in sent} == {thread.id for thread, _ in posts}


async def _all_sent(store: Any, n: int) -> Any:
    rows = await store.list_deliveries(status="sent")
    return rows if len(rows) == n else None


async def test_unknown_or_missing_tags_are_refused_with_the_forums_tags(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    forum = await fake_discord.add_forum("news-forum", tags=["World", "Sport"], require_tag=True)
    url = serve_seed_feed(http_server, title="World News")
    unknown = await run(fake_discord, "feed add", {"url": url, "channel": forum.id, "tags": "Tech"})
    assert "has no tag Tech. Its tags: World, Sport." in text_of(unknown)
    missing = await run(fake_discord, "feed add", {"url": url, "channel": forum.id})
    assert "requires a tag on every post" in text_of(missing)
    text = await run(
        fake_discord, "feed add", {"url": url, "channel": fake_discord.channel.id, "tags": "x"}
    )
    assert "Tags are for forum channels only" in text_of(text)
    assert await running.runtime.store.list_subscriptions() == []


async def test_a_post_whose_answer_was_lost_is_found_not_made_again(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=EXTENSIONS, clock=clock)
    forum = await fake_discord.add_forum("news-forum")
    fake_discord.lose_answers(CREATE_POST)
    store = running.runtime.store
    await _one_article_into(store, fake_discord, forum.id)
    await eventually(_retrying(store), timeout=10, what="the attempt whose answer was lost")
    [(thread, _starter)] = fake_discord.posts(forum)  # made, though the bot never heard
    clock.advance(seconds=11)  # past the back-off
    [sent] = await eventually(lambda: _all_sent(store, 1), timeout=10, what="recorded sent")
    assert sent.message_id == thread.id
    assert len(fake_discord.posts(forum)) == 1
    assert len(fake_discord.requests_to(CREATE_POST)) == 1


async def test_a_500_after_the_post_was_made_is_not_repeated_by_discord_py(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    """discord.py repeats a request answered 500 on its own; a forum post has no nonce, so the
    repeat is refused and the outbox's next attempt finds the post the first one made."""
    clock = Clock()
    running = await start_bot(extensions=EXTENSIONS, clock=clock)
    forum = await fake_discord.add_forum("news-forum")
    fake_discord.inject_error(500, 0, "Internal Server Error", route=CREATE_POST, after=True)
    store = running.runtime.store
    await _one_article_into(store, fake_discord, forum.id)
    await eventually(_retrying(store), timeout=20, what="the attempt answered 500")
    clock.advance(seconds=11)  # past the back-off
    [sent] = await eventually(lambda: _all_sent(store, 1), timeout=10, what="recorded sent")
    [(thread, _starter)] = fake_discord.posts(forum)
    assert sent.message_id == thread.id
    assert len(fake_discord.requests_to(CREATE_POST)) == 1


async def test_a_scheduled_digest_is_one_forum_post_per_run(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock()
    running = await start_bot(extensions=("cogs.digest",), clock=clock, digest_tick_seconds=0.1)
    forum = await fake_discord.add_forum("digests", tags=["Daily"], require_tag=True)
    store = running.runtime.store
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    await store.subscribe(feed.id, fake_discord.guild.id, forum.id, mode="digest", added_by=1)
    await store.store_articles(feed.id, [article(n) for n in range(1, 13)], deliver=True)
    refused = await fake_discord.interact(
        "digest schedule", {"channel": forum.id, "at": "0 * * * *"}, user=fake_discord.admin
    )
    assert "requires a tag" in str((await refused.response())["data"]["content"])
    handle = await fake_discord.interact(
        "digest schedule",
        {"channel": forum.id, "at": "0 * * * *", "tags": "Daily"},
        user=fake_discord.admin,
    )
    assert "scheduled" in str((await handle.response())["data"]["content"])
    clock.advance(hours=1)
    await eventually(lambda: _all_sent(store, 12), timeout=10, what="the digest's rows sent")
    [(thread, starter)] = fake_discord.posts(forum)
    assert thread.applied_tags == [tag_id(forum, "Daily")]
    assert "12 new articles" in thread.name
    parts = fake_discord.messages(thread)
    assert parts[0].id == starter.id
    assert len(parts) == 2  # 12 articles: 10 embeds in the first message, 2 in the next
    assert sum(len(m.embeds) for m in parts) == 12


async def test_create_posts_missing_is_refused_and_lost_later_pauses_with_the_reason(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    forum = await fake_discord.add_forum("news-forum")
    await fake_discord.set_permissions(forum, fake_discord.bot_role.id, deny=Perm.SEND_MESSAGES)
    url = serve_seed_feed(http_server, title="World News")
    refused = await run(fake_discord, "feed add", {"url": url, "channel": forum.id})
    assert "I lack Create Posts" in text_of(refused)

    await fake_discord.set_permissions(forum, fake_discord.bot_role.id)  # allowed again
    await run(fake_discord, "feed add", {"url": url, "channel": forum.id})
    await fake_discord.set_permissions(forum, fake_discord.bot_role.id, deny=Perm.SEND_MESSAGES)
    store = running.runtime.store
    [sub] = await store.list_subscriptions()
    await store.store_articles(sub.feed_id, [article(1)], deliver=True)

    async def paused() -> Any:
        subs = await store.list_subscriptions()
        return subs if subs[0].paused_reason else None

    await eventually(paused, timeout=10, what="the subscription paused")
    status = text_of(await run(fake_discord, "feed status", {}))
    assert "may not post in this forum" in status
    assert "Create Posts" in status
    assert fake_discord.posts(forum) == []


async def _one_article_into(store: Store, fake: FakeDiscord, forum_id: int) -> None:
    """A feed posting each article into the forum, with one article queued."""
    feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
    await store.subscribe(feed.id, fake.guild.id, forum_id, mode="instant", added_by=1)
    await store.store_articles(feed.id, [article(1)], deliver=True)


def _retrying(store: Store) -> Callable[[], Awaitable[Any]]:
    """A check: the one post failed after its attempt was marked in flight, and waits."""

    async def retrying() -> Any:
        rows = await store.list_deliveries(status="pending")
        return rows if rows and rows[0].last_error and rows[0].in_flight_at else None

    return retrying
