"""``poll-once`` beside a running bot on the same SQLite database: a worker of its own.

Both are real processes: the bot (``python -m bot run`` against the fake Discord server) and
``python -m bot poll-once``. The one-off poll must neither replace the bot's worker row (which
would make the bot's claims anyone's) nor be taken for the bot.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.feeds.identity import normalize_url
from bot.store import Store
from bot.store.workers import WorkerRow
from tests.cli.run import briefing_async
from tests.fakediscord import FakeDiscord
from tests.fixtures.http import HttpServer
from tests.fixtures.process import BotProcess
from tests.poller.builders import rss, story
from tests.render.builders import eventually

HEARTBEAT = 0.5


async def workers(url: str) -> list[WorkerRow]:
    """The registered workers, as another process sees them."""
    store = await Store.open(url)
    try:
        return await store.list_workers()
    finally:
        await store.close()


async def test_poll_once_beside_a_running_bot_registers_a_worker_of_its_own(
    fake_discord: FakeDiscord, http_server: HttpServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    url = f"sqlite+aiosqlite:///{data / 'briefing.db'}"
    store = await Store.open(url)
    await store.add_feed(normalize_url(http_server.static("/feed.xml", rss([story(1)]))))
    await store.close()
    bot = BotProcess(
        fake_discord, url, tmp_path, "bot", worker_heartbeat_seconds=HEARTBEAT, log_level="INFO"
    )
    await bot.start()
    try:
        [before] = await eventually(lambda: workers(url), timeout=60, what="the bot registered")
        env = {
            "BRIEFING_DATABASE_URL": url,
            "BRIEFING_DATA_DIR": str(data),
            "BRIEFING_ALLOW_PRIVATE_URLS": "true",
            "BRIEFING_LOG_LEVEL": "INFO",
        }
        result = await briefing_async("poll-once", cwd=tmp_path, **env)
        assert result.returncode == 0, result.stderr
        assert f"{before.name}|poll-once|pid=" in result.stderr
        assert "(0 earlier row(s) replaced)" in result.stderr
        await asyncio.sleep(4 * HEARTBEAT)  # the bot's heartbeats since
        [after] = await workers(url)
        assert (after.id, after.name, after.pid) == (before.id, before.name, before.pid)
        assert after.heartbeat_at > before.heartbeat_at  # still beating, in its own row
        assert not [line for line in bot.log_lines() if "row was deleted" in line]
    finally:
        assert await bot.stop() == 0
