"""A real ``python -m bot`` killed between the parts of a digest posted into a forum."""

from __future__ import annotations

from pathlib import Path

from bot.store import Store
from tests.fakediscord import FakeDiscord
from tests.fixtures.discord import MakeFake
from tests.fixtures.process import BotProcess
from tests.render.builders import article, eventually

PART = "POST /channels/{channel_id}/messages"
ARTICLES = 12  # 10 embeds start the post, 2 follow in a second message


async def _sent(database_url: str) -> bool:
    store = await Store.open(database_url)
    try:
        return len(await store.list_deliveries(status="sent")) == ARTICLES
    finally:
        await store.close()


async def _digest_now(fake: FakeDiscord, forum_id: int) -> None:
    handle = await fake.interact("digest now", {"channel": forum_id}, user=fake.admin)
    await handle.response(timeout=60)


async def test_killed_between_a_forum_digests_parts_each_article_is_posted_once(
    make_fake_discord: MakeFake, database_url: str, tmp_path: Path
) -> None:
    fake = await make_fake_discord(nonce_window=60.0)
    forum = await fake.add_forum("digests")
    store = await Store.open(database_url)
    try:
        feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
        await store.subscribe(feed.id, fake.guild.id, forum.id, mode="digest", added_by=1)
        await store.store_articles(feed.id, [article(n) for n in range(ARTICLES)], deliver=True)
    finally:
        await store.close()
    fake.hold_answers(PART)  # the second part is posted, its answer never comes
    first = await BotProcess(fake, database_url, tmp_path, "first").start()
    try:
        await fake.wait_until(lambda: fake.identify_count >= 1, 60, "the first IDENTIFY")
        await _digest_now(fake, forum.id)
        await fake.wait_until(lambda: fake.holding > 0, 60, "the second part posted")
        await first.kill()
    finally:
        await first.stop()
    second = await BotProcess(fake, database_url, tmp_path, "second").start_identified()
    try:
        await _digest_now(fake, forum.id)
        await eventually(lambda: _sent(database_url), timeout=60, what="all sent")
    finally:
        assert await second.stop() == 0, second.tail()
    shown = [
        e["title"]
        for thread, _ in fake.posts(forum)
        for m in fake.messages(thread)
        for e in m.embeds
    ]
    assert sorted(shown) == sorted(f"Story {n}" for n in range(ARTICLES))
    assert len(fake.posts(forum)) == 1  # the run finished in its own post
