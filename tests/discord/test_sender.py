"""One sender for every message: digests through the real bot, classified, paced and counted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.metrics import Metrics
from bot.store import Store
from tests.discord.feeds_helpers import run
from tests.discord.test_digest import queued, reply, schedule_of, wait_for_run
from tests.fakediscord import FakeDiscord
from tests.fakediscord.ratelimit import MESSAGES_ROUTE
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import START, Clock, rss, story
from tests.render.builders import eventually

EXTENSIONS = ("cogs.digest",)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def messages_counted(metrics: Metrics, kind: str, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "briefing_messages_total", {"kind": kind, "outcome": outcome}
    )
    return value or 0.0


@pytest.mark.parametrize(
    "case",
    [
        (404, 10003, "Unknown Channel", "remove_channel", True),
        (404, 10008, "Unknown Message", "fail", False),
        (404, 0, "404: Not Found", "fail", False),  # Discord's answer to a missing route
        (404, -1, "Not Found", "retry", False),  # a page without JSON (a proxy, a CDN edge)
        (403, 50013, "Missing Permissions", "pause", False),
        (403, 50001, "Missing Access", "pause", False),
        (400, 50035, "Invalid Form Body", "fail", False),
    ],
)
async def test_a_refused_digest_forgets_the_channel_only_on_unknown_channel(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    clock: Clock,
    case: tuple[int, int, str, str, bool],
) -> None:
    """Discord's answer (status, code, message) -> the outcome counted, channel forgotten?"""
    status, code, message, outcome, gone = case
    running = await queued(start_bot, fake_discord, clock, 3)
    store, channel = running.runtime.store, fake_discord.channel2
    scheduled = await fake_discord.interact(
        "digest schedule", {"channel": channel.id, "at": "9:30"}, user=fake_discord.admin
    )
    assert "daily at 09:30 (UTC)" in await reply(scheduled)
    bare = code < 0
    fake_discord.inject_error(status, max(code, 0), message, channel=channel, bare=bare)
    clock.advance(hours=1)  # due
    if gone:
        await eventually(lambda: _no_schedule(store, channel.id), timeout=30)
        assert await store.list_subscriptions(channel_id=channel.id) == []
    elif outcome == "retry":  # a passing fault: the next tick posts the digest
        [posted] = await fake_discord.wait_for_messages(channel, 1, timeout=30)
        assert len(posted.embeds) == 3
        assert len(await store.list_subscriptions(channel_id=channel.id)) == 1
        assert messages_counted(running.runtime.metrics, "digest", outcome) == 1
        return
    else:
        await wait_for_run(store, channel.id, clock.now)
        assert len(await store.list_subscriptions(channel_id=channel.id)) == 1
        pending = await store.list_deliveries(channel_id=channel.id, status="pending")
        assert len(pending) == 3  # kept for the next run, once the channel is fixed
    assert fake_discord.messages(channel) == []
    assert messages_counted(running.runtime.metrics, "digest", outcome) == 1


async def _no_schedule(store: Store, channel_id: int) -> bool:
    return await schedule_of(store, channel_id) is None


async def test_a_failed_digest_is_posted_whole_by_the_next_run(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    running = await queued(start_bot, fake_discord, clock, 12)
    channel = fake_discord.channel2
    fake_discord.inject_error(403, 50013, "Missing Permissions", channel=channel)
    first = await fake_discord.interact(
        "digest now", {"channel": channel.id}, user=fake_discord.admin
    )
    (answer,) = await first.wait_followups(1)
    assert "Send Messages" in answer.content
    again = await fake_discord.interact(
        "digest now", {"channel": channel.id}, user=fake_discord.admin
    )
    (answer,) = await again.wait_followups(1)
    assert answer.content.startswith("Posted 12 new articles")
    assert [len(m.embeds) for m in fake_discord.messages(channel)] == [10, 2]
    metrics = running.runtime.metrics
    assert messages_counted(metrics, "digest", "pause") == 1
    assert messages_counted(metrics, "digest", "sent") == 2


async def test_digest_messages_are_paced_under_the_channel_limit_and_counted(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    # 70 articles: 7 messages, more than the 5 a channel may take in 5 seconds.
    running = await queued(start_bot, fake_discord, clock, 70)
    channel = fake_discord.channel2
    handle = await fake_discord.interact(
        "digest now", {"channel": channel.id}, user=fake_discord.admin
    )
    (answer,) = await handle.wait_followups(1, timeout=60)
    assert answer.content.startswith("Posted 70 new articles")
    posted = fake_discord.messages(channel)
    assert [len(m.embeds) for m in posted] == [10] * 7
    assert [hit for hit in fake_discord.rate_limit_hits if hit.route == MESSAGES_ROUTE] == []
    # The sixth message waited for the first to leave the channel's 5-second window.
    assert (posted[5].created_at - posted[0].created_at).total_seconds() >= 4.5
    metrics = running.runtime.metrics
    assert messages_counted(metrics, "digest", "sent") == 7
    sent = metrics.registry.get_sample_value("briefing_deliveries_total", {"outcome": "sent"})
    assert sent == 70


async def test_preview_shows_an_article_exactly_as_it_is_posted(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock, http_server: HttpServer
) -> None:
    running = await start_bot(extensions=("cogs.feeds", "cogs.posting"), clock=clock)
    hostile = replace(story(1), title="@everyone *bold* <@&1> " + "x" * 400)
    url = http_server.static("/feed.xml", rss([hostile], title="Preview News"))
    preview = await run(fake_discord, "feed preview", {"url": url})
    channel = fake_discord.channel2
    added = await run(fake_discord, "feed add", {"url": url, "channel": channel.id, "backfill": 1})
    assert "queued" in (added.embeds[0].get("description") or "")
    (post,) = await fake_discord.wait_for_messages(channel, 1, timeout=30)
    assert post.embeds == [preview.embeds[1]]
    assert len(post.embeds[0]["title"]) == 256  # cut and escaped the same way in both

    async def counted() -> float:  # the bot counts the post once Discord's answer is read
        return messages_counted(running.runtime.metrics, "post", "sent")

    assert await eventually(counted, timeout=30, what="the post counted") == 1
