"""Soak: ``python -m bot run`` ingests and posts 3,000 articles, each exactly once.

The real command line in a subprocess (worker processes, SQLite, the poll job, the delivery
worker) against FakeDiscord and a local feed server. 3,000 articles are more than any batch of
the pipeline, the poller, the pool's per-worker job limit or the delivery worker.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web

from bot.store import Filters, Store
from tests.cli.run import environment
from tests.fakediscord import FakeDiscord
from tests.fixtures.discord import MakeFake
from tests.fixtures.http import HttpServer

# Discord lets a channel take 5 posts per 5 s and a bot 50 requests per second: 3,000 posts
# go out in about a minute only when they are spread over many channels. Every channel follows
# every feed, with a filter that lets through the stories of its own topic only: each story
# goes to exactly one channel, and consecutive stories to different channels.
FEEDS = 10
CHANNELS = 60
OLD_ITEMS = 5  # on the feed when it is first polled: recorded, never posted
NEW_ITEMS = 300  # per feed, arriving after the first poll: each posted once
TOTAL = FEEDS * NEW_ITEMS
DEADLINE = 240


def topic(channel: int) -> str:
    """The word a channel's filter lets through (none is a part of another)."""
    return f"topic{channel:02d}x"


def channel_of(feed: int, k: int) -> int:
    """The channel (index) whose topic item ``k`` of ``feed`` is about."""
    return (feed * 7 + k) % CHANNELS


class Feeds:
    """FEEDS local feeds: OLD_ITEMS each until ``publish()``, then NEW_ITEMS more on top."""

    def __init__(self) -> None:
        self.published = False
        self.start = datetime.now(UTC)

    def document(self, feed: int) -> bytes:
        """The feed's RSS as it stands."""
        count = OLD_ITEMS + (NEW_ITEMS if self.published else 0)
        items = "".join(self._item(feed, k) for k in reversed(range(count)))
        return (
            f"<rss version='2.0'><channel><title>Soak {feed}</title>{items}</channel></rss>"
        ).encode()

    def _item(self, feed: int, k: int) -> str:
        published = format_datetime(self.start + timedelta(seconds=k))
        return (
            f"<item><guid>f{feed}-{k}</guid><title>Feed {feed} story {k}</title>"
            f"<link>http://soak.example/{feed}/{k}</link><pubDate>{published}</pubDate>"
            f"<description>Story {k} of feed {feed} about {topic(channel_of(feed, k))}: the "
            "council met and the vote was held on the budget for roads and schools."
            "</description></item>"
        )

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler for /soak/N.xml."""
        feed = int(request.path.rsplit("/", 1)[1].removesuffix(".xml"))
        etag = f'"{feed}-{int(self.published)}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=self.document(feed), content_type="application/rss+xml", headers={"ETag": etag}
        )


async def start_briefing(fake: FakeDiscord, data: Path, log: Path) -> asyncio.subprocess.Process:
    """``python -m bot run`` against the fake server, its output in ``log``."""
    env = environment(
        BRIEFING_DISCORD_TOKEN=fake.token,
        BRIEFING_DISCORD_API_BASE=fake.api_base,
        BRIEFING_DISCORD_GATEWAY_URL=fake.gateway_url,
        BRIEFING_DEV_GUILD_ID=str(fake.guild.id),
        BRIEFING_DATA_DIR=str(data),
        BRIEFING_ALLOW_PRIVATE_URLS="true",
        BRIEFING_POLL_INTERVAL_SECONDS="2",
        BRIEFING_MIN_POLL_INTERVAL_SECONDS="1",
        BRIEFING_TEASER_WORDS="0",  # the feed text is the article: no pages to fetch
        BRIEFING_SHUTDOWN_GRACE_SECONDS="1",
    )
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=data.parent, env=env, stdout=out, stderr=out
        )


async def subscribe_all(
    store: Store, fake: FakeDiscord, server: HttpServer, feeds: Feeds
) -> list[int]:
    """Every channel follows every feed in instant mode, filtered to its topic; the channels."""
    channels = [(await fake.add_channel(f"soak-{n}")).id for n in range(CHANNELS)]
    guild = fake.guild.id
    for n in range(FEEDS):
        feed = await store.add_feed(server.route(f"/soak/{n}.xml", feeds.handle))
        for index, channel in enumerate(channels):
            sub = await store.subscribe(feed.id, guild, channel, mode="instant", added_by=None)
            await store.set_filters(guild, sub.id, Filters.build([topic(index)]))
    return channels


async def wait_for(predicate: object, what: str, log: Path) -> None:
    """Poll an async predicate until it holds, or fail with the bot's log tail."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while loop.time() < deadline:
        if await predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.5)
    tail = (await asyncio.to_thread(log.read_text, errors="replace"))[-3000:]
    raise AssertionError(f"{what} did not happen within {DEADLINE} s; the bot's log:\n{tail}")


async def test_3000_articles_are_ingested_and_each_posted_exactly_once(
    make_fake_discord: MakeFake, http_server: HttpServer, tmp_path: Path
) -> None:
    fake = await make_fake_discord()
    feeds = Feeds()
    data, log = tmp_path / "data", tmp_path / "bot.log"
    store = await Store.open(f"sqlite+aiosqlite:///{data / 'briefing.db'}")
    channels = await subscribe_all(store, fake, http_server, feeds)
    bot = await start_briefing(fake, data, log)

    def posted() -> Counter[tuple[int, str]]:
        return Counter(
            (channel, message.embeds[0]["title"])
            for channel in channels
            for message in fake.messages(channel)
        )

    async def baselined() -> bool:
        return all(feed.baseline_done for feed in await store.list_feeds())

    async def all_posted() -> bool:
        return sum(posted().values()) >= TOTAL

    try:
        await wait_for(baselined, "the first poll of every feed", log)
        assert posted() == Counter()  # what a feed held when it was added is not posted
        feeds.published = True
        await wait_for(all_posted, f"{TOTAL} posts", log)
        await asyncio.sleep(3)  # a poll cycle and a delivery pass more: nothing else arrives
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 60)
    counts = posted()
    expected = {
        (channels[channel_of(n, k)], f"Feed {n} story {k}")
        for n in range(FEEDS)
        for k in range(OLD_ITEMS, OLD_ITEMS + NEW_ITEMS)
    }
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    assert bot.returncode == 0, log.read_text(errors="replace")[-3000:]
    assert await store.pending_count() == 0
    await store.close()
