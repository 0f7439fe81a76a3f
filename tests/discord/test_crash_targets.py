"""A real ``python -m bot`` killed (SIGKILL) mid forum post and mid publish: each article once.

The fake Discord does the request, then holds its answer back, so the bot is killed exactly
after Discord acted and before the bot heard of it, the step no nonce covers for forum posts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.store import Store
from tests.discord.test_crash_restart import all_sent
from tests.fakediscord import FakeDiscord, MessageFlag
from tests.fixtures.discord import MakeFake
from tests.fixtures.process import BotProcess
from tests.render.builders import article, eventually

CREATE_POST = "POST /channels/{channel_id}/threads"
CROSSPOST = "POST /channels/{channel_id}/messages/{message_id}/crosspost"
ARTICLES = 3


async def queue(database_url: str, guild_id: int, channel_id: int, *, publish: bool) -> None:
    """A feed posting into the channel, with ``ARTICLES`` articles queued."""
    store = await Store.open(database_url)
    try:
        feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
        await store.subscribe(
            feed.id, guild_id, channel_id, mode="instant", added_by=1, publish=publish
        )
        await store.store_articles(feed.id, [article(n) for n in range(ARTICLES)], deliver=True)
    finally:
        await store.close()


async def kill_and_restart(
    fake: FakeDiscord,
    database_url: str,
    tmp_path: Path,
    acted: Callable[[], bool],
    between: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Start the bot, kill it once ``acted()`` is true, run ``between`` (an admin's change while
    the bot is down), restart it until all is sent."""
    first = await BotProcess(fake, database_url, tmp_path, "first").start()
    try:
        await fake.wait_until(acted, 60, "Discord acted on the held request")
        await first.kill()
    finally:
        await first.stop()
    if between is not None:
        await between()
    # The first process may have posted (and been killed) before it identified on the gateway.
    second = await BotProcess(fake, database_url, tmp_path, "second").start_identified()
    try:
        await eventually(lambda: all_sent(database_url, ARTICLES), timeout=60, what="all sent")
    finally:
        assert await second.stop() == 0, second.tail()


async def test_killed_after_discord_made_a_forum_post_each_article_is_posted_once(
    make_fake_discord: MakeFake, database_url: str, tmp_path: Path
) -> None:
    fake = await make_fake_discord(nonce_window=60.0)
    forum = await fake.add_forum("news-forum")
    await queue(database_url, fake.guild.id, forum.id, publish=False)
    fake.hold_answers(CREATE_POST)
    await kill_and_restart(fake, database_url, tmp_path, lambda: len(fake.posts(forum)) >= 1)
    assert await all_sent(database_url, ARTICLES)
    names = [thread.name for thread, _ in fake.posts(forum)]
    assert sorted(names) == sorted(f"Story {n}" for n in range(ARTICLES))


async def test_killed_before_discord_made_a_marked_forum_post_each_article_is_posted_once(
    make_fake_discord: MakeFake, database_url: str, tmp_path: Path
) -> None:
    """The attempt was marked in flight and sent, but Discord never acted on it: the restart
    looks for the post, finds none, and makes it."""
    fake = await make_fake_discord(nonce_window=60.0)
    forum = await fake.add_forum("news-forum")
    await queue(database_url, fake.guild.id, forum.id, publish=False)
    fake.stall_requests(CREATE_POST)
    await kill_and_restart(fake, database_url, tmp_path, lambda: fake.holding > 0)
    assert await all_sent(database_url, ARTICLES)
    names = [thread.name for thread, _ in fake.posts(forum)]
    assert sorted(names) == sorted(f"Story {n}" for n in range(ARTICLES))


async def test_killed_after_discord_published_each_article_is_posted_and_published_once(
    make_fake_discord: MakeFake, database_url: str, tmp_path: Path
) -> None:
    fake = await make_fake_discord(nonce_window=60.0)
    news = await fake.add_channel("announcements", type=5)
    await queue(database_url, fake.guild.id, news.id, publish=True)
    fake.hold_answers(CROSSPOST)

    def published() -> int:
        return sum(bool(m.flags & MessageFlag.CROSSPOSTED) for m in fake.messages(news))

    await kill_and_restart(fake, database_url, tmp_path, lambda: published() >= 1)
    assert await all_sent(database_url, ARTICLES)
    messages = fake.messages(news)
    assert sorted(m.embeds[0]["title"] for m in messages) == [f"Story {n}" for n in range(3)]
    assert published() == ARTICLES
