"""/feed resume: a feed paused for a lost permission posts again once the permission is back."""

from __future__ import annotations

from typing import Any

from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord, Perm
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import serve_seed_feed
from tests.render.builders import article, eventually

EXTENSIONS = ("cogs.feeds", "cogs.posting")


async def test_a_paused_feed_resumes_only_once_the_bot_may_post_again(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=EXTENSIONS)
    channel = fake_discord.channel
    url = serve_seed_feed(http_server, title="World News")
    await run(fake_discord, "feed add", {"url": url})
    not_paused = await run(fake_discord, "feed resume", {"feed": "World News"})
    assert "not paused" in text_of(not_paused)

    bot_role = fake_discord.bot_role.id
    await fake_discord.set_permissions(channel, bot_role, deny=Perm.SEND_MESSAGES)
    store = running.runtime.store
    [sub] = await store.list_subscriptions()
    await store.store_articles(sub.feed_id, [article(1)], deliver=True)

    async def paused() -> Any:
        subs = await store.list_subscriptions()
        return subs if subs[0].paused_reason else None

    await eventually(paused, timeout=10, what="the subscription paused")
    still = await run(fake_discord, "feed resume", {"feed": "World News"})
    assert "I lack Send Messages" in text_of(still)
    [sub] = await store.list_subscriptions()
    assert sub.paused_reason  # refused: still paused, nothing sent

    await fake_discord.set_permissions(channel, bot_role)  # allowed again
    resumed = await run(fake_discord, "feed resume", {"feed": "World News"})
    assert "again" in text_of(resumed)
    assert "paused because" in text_of(resumed)
    posted = await fake_discord.wait_until(
        lambda: found if (found := fake_discord.messages(channel)) else None, 10, "the held post"
    )
    assert len(posted) == 1
    [sub] = await store.list_subscriptions()
    assert sub.paused_reason is None
