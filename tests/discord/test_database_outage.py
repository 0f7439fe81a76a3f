"""PostgreSQL stopped mid-burst, for longer than Discord remembers nonces: every post once.

A real ``python -m bot`` posts a burst into the fake Discord server from a private PostgreSQL
cluster; the cluster is stopped mid-burst and started again. Posts whose outcome could not be
recorded are kept by the bot and recorded when the database is back, and nothing is sent again
(the fake forgets nonces after a few seconds, so the nonce cannot hide a second send). The log
of the outage stays short.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.discord.test_crash_restart import all_sent, queue_burst
from tests.discord.test_posting_bursts import posted
from tests.fixtures.discord import MakeFake
from tests.fixtures.pgcluster import PrivateCluster
from tests.fixtures.process import BotProcess
from tests.render.builders import eventually

# Longer than the nonce memory and than a worker's stale limit; the environment can ask for
# the acceptance run (BRIEFING_TEST_OUTAGE_SECONDS=180, BRIEFING_TEST_NONCE_SECONDS=60).
OUTAGE = float(os.environ.get("BRIEFING_TEST_OUTAGE_SECONDS", "20"))
NONCE_MEMORY = float(os.environ.get("BRIEFING_TEST_NONCE_SECONDS", "3"))
MAX_LOG_LINES = 200


@pytest.mark.timeout(OUTAGE + 160)  # the outage itself, then the burst's start and end
async def test_a_database_outage_mid_burst_posts_everything_exactly_once(
    make_fake_discord: MakeFake, pg_cluster: PrivateCluster, tmp_path: Path
) -> None:
    fake = await make_fake_discord(nonce_window=NONCE_MEMORY)
    ids, total = await queue_burst(fake, pg_cluster.url, channels=8, per_channel=12)
    bot = await BotProcess(fake, pg_cluster.url, tmp_path, "bot").start()
    try:
        await fake.wait_until(lambda: sum(posted(fake, ids).values()) >= 30, 60, "30 posts")
        await pg_cluster.stop()
        lines_before = len(bot.log_lines())
        await asyncio.sleep(OUTAGE)  # the outage itself: nothing to poll for
        assert bot.running
        during = bot.log_lines()[lines_before:]
        await pg_cluster.start()
        await eventually(lambda: all_sent(pg_cluster.url, total), timeout=60, what="all sent")
    finally:
        assert await bot.stop() == 0
    counts = posted(fake, ids)
    assert len(counts) == total
    assert set(counts.values()) == {1}, [k for k, n in counts.items() if n > 1]
    assert len(during) < MAX_LOG_LINES, "\n".join(during)
    print(f"outage of {OUTAGE:.0f} s: {len(during)} log lines")
