"""Roles as settings: a poller-only process polls and never posts; a sender-only process posts
what the poller stored, over REST, without connecting to the gateway."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from bot.store import Store
from tests.discord.test_crash_restart import all_sent
from tests.discord.test_crash_targets import ARTICLES, queue
from tests.fixtures.discord import MakeFake
from tests.fixtures.http import HttpServer
from tests.fixtures.process import BotProcess
from tests.render.builders import eventually

WORDS = " ".join(
    f"Sentence {n} says something about the harbour works and the city." for n in range(12)
)


def rss(titles: list[str]) -> str:
    """A feed whose items have those titles (and enough text to need no page)."""
    items = "".join(
        f"<item><title>{t}</title><link>https://example.org/{t}</link><guid>{t}</guid>"
        f"<description>{t}. {WORDS}</description></item>"
        for t in titles
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )


def test_an_unknown_role_names_the_key() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(roles=["poller", "mailer"])
    assert "roles [BRIEFING_ROLES]: unknown role 'mailer'" in str(caught.value)
    assert load_settings(roles=["poller", "sender"]).roles == ["poller", "sender"]


async def test_a_poller_stores_and_a_sender_posts_without_a_gateway(
    make_fake_discord: MakeFake, pg_url: str, tmp_path: Path, http_server: HttpServer
) -> None:
    fake = await make_fake_discord()
    url = http_server.static("/feed.xml", rss(["first"]))
    store = await Store.open(pg_url)
    try:
        feed = await store.add_feed(url)
        await store.subscribe(feed.id, fake.guild.id, fake.channel.id, mode="instant", added_by=1)
    finally:
        await store.close()
    common = {"poll_interval_seconds": 1, "min_poll_interval_seconds": 1, "teaser_words": 0}
    poller = BotProcess(
        fake, pg_url, tmp_path, "poller", instance_name="poller", roles='["poller"]', **common
    )
    await poller.start()
    try:
        await eventually(lambda: _polled(http_server), timeout=60, what="a first poll")
        http_server.static("/feed.xml", rss(["second", "first"]))

        async def stored() -> bool:
            probe = await Store.open(pg_url)
            try:
                return len(await probe.list_deliveries(status="pending")) == 1
            finally:
                await probe.close()

        await eventually(stored, timeout=60, what="the new item queued")
        assert fake.messages(fake.channel) == []  # the poller posts nothing...
        assert fake.identify_count == 0  # ...and never connects to the gateway
        sender = BotProcess(
            fake, pg_url, tmp_path, "sender", instance_name="sender", roles='["sender"]'
        )
        await sender.start()
        try:
            [message] = await fake.wait_for_messages(fake.channel, 1, timeout=60)
        finally:
            assert await sender.stop() == 0
    finally:
        assert await poller.stop() == 0
    assert message.embeds[0]["title"] == "second"
    assert fake.identify_count == 0  # the sender posted over REST only


async def _polled(server: HttpServer) -> bool:
    return bool(server.requests_to("/feed.xml"))


async def test_a_sender_without_a_gateway_posts_into_a_forum_as_forum_posts(
    make_fake_discord: MakeFake, pg_url: str, tmp_path: Path
) -> None:
    # No gateway, no channel cache: the sender looks the channel up to know it is a forum.
    fake = await make_fake_discord()
    forum = await fake.add_forum("news-forum")
    await queue(pg_url, fake.guild.id, forum.id, publish=False)
    sender = BotProcess(
        fake, pg_url, tmp_path, "sender", instance_name="sender", roles='["sender"]'
    )
    await sender.start()
    try:
        await fake.wait_until(lambda: len(fake.posts(forum)) == ARTICLES, 60, "the forum posts")
        await eventually(lambda: all_sent(pg_url, ARTICLES), timeout=60, what="all recorded")
    finally:
        assert await sender.stop() == 0, sender.tail()
    names = sorted(thread.name for thread, _ in fake.posts(forum))
    assert names == sorted(f"Story {n}" for n in range(ARTICLES))
    assert fake.identify_count == 0
