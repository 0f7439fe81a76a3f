"""A real ``python -m bot`` killed (SIGKILL) mid webhook post, at each point: each article once.

Webhook executes take no nonce. The fake Discord holds the request at the point under test and
never answers, so the bot is killed exactly there: before Discord acted on the execute (the row
is marked in flight, nothing was posted), or after Discord posted and before the bot heard of
it. A kill after the answer and before its record leaves the row as the second case does
(marked in flight, no message recorded), so the restart takes the same path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import Store
from tests.discord.test_crash_restart import all_sent
from tests.discord.test_crash_targets import ARTICLES, kill_and_restart
from tests.fakediscord import Perm
from tests.fixtures.discord import MakeFake
from tests.render.builders import article

EXECUTE = "POST /webhooks/{webhook_id}/{webhook_token}"


async def queue(database_url: str, guild_id: int, channel_id: int) -> None:
    """A feed posting through the channel's webhook as "BBC World", ``ARTICLES`` queued."""
    store = await Store.open(database_url)
    try:
        feed = await store.add_feed("https://example.org/feed.xml", title="Example News")
        await store.subscribe(
            feed.id, guild_id, channel_id, mode="instant", added_by=1, webhook_name="BBC World"
        )
        await store.store_articles(feed.id, [article(n) for n in range(ARTICLES)], deliver=True)
    finally:
        await store.close()


def logged(tmp_path: Path) -> str:
    """Everything the bot processes logged."""
    return "".join(log.read_text(errors="replace") for log in tmp_path.glob("*.log"))


@pytest.mark.parametrize("point", ["before Discord acted", "after Discord posted"])
async def test_killed_mid_webhook_post_each_article_is_posted_once(
    make_fake_discord: MakeFake, database_url: str, tmp_path: Path, point: str
) -> None:
    fake = await make_fake_discord(nonce_window=60.0)
    news = fake.channel
    await fake.set_permissions(news, fake.bot_role.id, allow=Perm.MANAGE_WEBHOOKS)
    await queue(database_url, fake.guild.id, news.id)
    acted: Callable[[], bool]
    if point == "before Discord acted":
        fake.stall_requests(EXECUTE)
        acted = lambda: fake.holding >= 1  # noqa: E731
    else:
        fake.hold_answers(EXECUTE)
        acted = lambda: len(fake.messages(news)) >= 1  # noqa: E731
    await kill_and_restart(fake, database_url, tmp_path, acted)
    assert await all_sent(database_url, ARTICLES)
    posts = fake.messages(news)
    assert sorted(m.embeds[0]["title"] for m in posts) == [f"Story {n}" for n in range(ARTICLES)]
    assert {m.author.username for m in posts} == {"BBC World"}
    [hook] = fake.webhooks(news)
    assert hook.token not in logged(tmp_path)  # the webhook's token is a secret


async def test_a_feed_switched_to_the_bot_while_its_webhook_post_was_unanswered_posts_once(
    make_fake_discord: MakeFake, database_url: str, tmp_path: Path
) -> None:
    """The webhook made the post, the bot was killed before it heard, and an admin switched the
    feed to post as the bot meanwhile: the bot's post would carry a nonce the execute never had,
    so the restart must look for the webhook's post first."""
    fake = await make_fake_discord(nonce_window=60.0)
    news = fake.channel
    await fake.set_permissions(news, fake.bot_role.id, allow=Perm.MANAGE_WEBHOOKS)
    await queue(database_url, fake.guild.id, news.id)
    fake.hold_answers(EXECUTE)

    async def switch_to_the_bot() -> None:
        store = await Store.open(database_url)
        try:
            [subscription] = await store.list_subscriptions(guild_id=fake.guild.id)
            await store.set_webhook(fake.guild.id, subscription.id, None, None)
        finally:
            await store.close()

    posted = lambda: len(fake.messages(news)) >= 1  # noqa: E731
    await kill_and_restart(fake, database_url, tmp_path, posted, between=switch_to_the_bot)
    posts = fake.messages(news)
    assert sorted(m.embeds[0]["title"] for m in posts) == [f"Story {n}" for n in range(ARTICLES)]
    authors = sorted(m.author.username for m in posts)
    assert authors.count("BBC World") == 1  # the webhook's post, kept
    assert len(set(authors)) == 2  # the rest as the bot
