"""``briefing run`` with a token, stopped by SIGTERM in the middle of a burst of posts.

The real command line in a subprocess, against the Discord-compatible test server: the first
SIGTERM lets posts under way finish and hands the rest back; a restart posts what is left.
Every post arrives exactly once.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from pathlib import Path

from bot.store import Store
from tests.cli.run import environment
from tests.fakediscord import FakeDiscord
from tests.store.factory import article

CHANNELS = 4
PER_CHANNEL = 8


async def start_briefing(fake: FakeDiscord, data: Path) -> asyncio.subprocess.Process:
    """``python -m bot`` with a Discord token, pointed at the fake server."""
    env = environment(
        BRIEFING_DISCORD_TOKEN=fake.token,
        BRIEFING_DISCORD_API_BASE=fake.api_base,
        BRIEFING_DISCORD_GATEWAY_URL=fake.gateway_url,
        BRIEFING_DEV_GUILD_ID=str(fake.guild.id),
        BRIEFING_DATA_DIR=str(data),
        BRIEFING_SHUTDOWN_GRACE_SECONDS="1",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=data.parent,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_sigterm_mid_burst_loses_nothing_and_doubles_nothing(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    channels = [await fake_discord.add_channel(f"news-{n}") for n in range(CHANNELS)]
    store = await Store.open(f"sqlite+aiosqlite:///{data / 'briefing.db'}")
    feed = await store.add_feed("https://news.example/feed.xml", title="World News")
    for channel in channels:
        await store.subscribe(
            feed.id, fake_discord.guild.id, channel.id, mode="instant", added_by=None
        )
    stories = [article(f"s{n}") for n in range(PER_CHANNEL)]
    await store.store_articles(feed.id, stories, deliver=True)
    assert await store.pending_count() == CHANNELS * PER_CHANNEL
    await store.close()

    def posted() -> list[tuple[int, str]]:
        return [
            (channel.id, message.embeds[0]["title"])
            for channel in channels
            for message in fake_discord.messages(channel)
        ]

    first = await start_briefing(fake_discord, data)
    # Discord allows 5 posts per 5 s in a channel: the first 5 of each go out, then a pause.
    await fake_discord.wait_until(lambda: len(posted()) >= CHANNELS * 5, 30, "first posts")
    first.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(first.communicate(), 30)
    assert first.returncode == 0, err.decode()
    assert "shutting down" in err.decode()
    assert len(posted()) < CHANNELS * PER_CHANNEL, "the signal came in the middle of the burst"

    second = await start_briefing(fake_discord, data)
    try:
        await fake_discord.wait_until(
            lambda: len(posted()) >= CHANNELS * PER_CHANNEL, 30, "every post"
        )
    finally:
        second.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(second.communicate(), 30)
    assert second.returncode == 0, err.decode()

    counts = Counter(posted())
    assert len(counts) == CHANNELS * PER_CHANNEL
    assert set(counts.values()) == {1}
    store = await Store.open(f"sqlite+aiosqlite:///{data / 'briefing.db'}")
    try:
        assert await store.pending_count() == 0
    finally:
        await store.close()
