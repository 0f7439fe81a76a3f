"""/feed add of a 100,000-item feed while other members use commands.

The real bot (two worker processes) against FakeDiscord, the feed served over local HTTP. The
add answers within a minute, keeping the newest items and saying so; every other command is
acknowledged within Discord's 3 seconds; the event loop keeps ticking; memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import psutil
from aiohttp import web

from tests.discord.feeds_helpers import start_feeds_bot, text_of
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer

ITEMS = 100_000
KEEP = 300
BASE = datetime(2026, 1, 1, tzinfo=UTC)
TICK = 0.02
# What the add may cost on top of the tree it starts from (workers starting up included).
ADD_MEMORY = 300 * 2**20


def huge_feed() -> bytes:
    """About 8.5 MB of RSS, oldest item first (document order alone would keep the oldest)."""
    items = "".join(
        f"<item><title>Item {n}</title>"
        f"<pubDate>{format_datetime(BASE + timedelta(minutes=n))}</pubDate></item>"
        for n in range(ITEMS)
    )
    return f"<rss version='2.0'><channel><title>Firehose</title>{items}</channel></rss>".encode()


@contextlib.contextmanager
def earlier_objects_frozen() -> Iterator[None]:
    """Keep the garbage collector off what earlier tests left in this process.

    A full collection over that heap can stall the event loop this test measures; a bot's own
    process carries no such heap. Objects made during the add are collected as usual.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class TreeMemory:
    """Peak RSS of this process and its children (the worker pool), sampled in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self.start = 0  # the first sample: what the tree held before the add
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = me.memory_info().rss
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += child.memory_info().rss
            self.peak = max(self.peak, total)
            self.start = self.start or total
            time.sleep(0.05)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def ticker(worst: list[float], blocked: list[float]) -> None:
    """Record the longest time the event loop took to come back to a short sleep, and the most
    CPU time its thread spent within one such gap.

    A loop blocked by our code spends the gap on the CPU; on a busy machine the gap can be long
    while the thread waits to be scheduled (a whole-suite run once saw 619 ms of lag with 40 ms
    answers to commands), which says nothing about the bot.
    """
    while True:
        before, cpu = time.perf_counter(), time.thread_time()
        await asyncio.sleep(TICK)
        worst[0] = max(worst[0], time.perf_counter() - before - TICK)
        blocked[0] = max(blocked[0], time.thread_time() - cpu)


async def test_adding_a_100000_item_feed_keeps_the_newest_and_every_command_answers(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    body = huge_feed()
    assert 8_000_000 < len(body) < 10 * 2**20  # under the default body cap

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/rss+xml")

    url = http_server.route("/firehose.xml", serve)
    running = await start_feeds_bot(start_bot, workers=2, max_entries_per_feed=KEEP)
    lag, blocked = [0.0], [0.0]
    tick = asyncio.create_task(ticker(lag, blocked))
    acks: list[float] = []
    with earlier_objects_frozen(), TreeMemory() as memory:
        started = time.perf_counter()
        add = await fake_discord.interact("feed add", {"url": url})
        answer = asyncio.create_task(add.original_message(timeout=60))
        while not answer.done() or len(acks) < 3:
            sent = time.perf_counter()
            other = await fake_discord.interact("feed list", {})
            await other.response(timeout=10)
            acks.append(time.perf_counter() - sent)
            await asyncio.sleep(0.3)
        message = await answer
        took = time.perf_counter() - started
    tick.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await tick

    print(
        f"\n/feed add of {ITEMS} items: answered in {took:.1f} s; {len(acks)} other commands, "
        f"slowest ack {max(acks):.2f} s; worst event-loop lag {lag[0] * 1000:.0f} ms "
        f"(most CPU spent within one gap {blocked[0] * 1000:.0f} ms); "
        f"peak RSS of the process tree {memory.peak / 2**20:.0f} MiB "
        f"(+{(memory.peak - memory.start) / 2**20:.0f} MiB during the add)"
    )
    text = text_of(message)
    assert "Firehose" in text
    assert f"holds {ITEMS} items: only its newest {KEEP} are kept" in text
    store = running.runtime.store
    [feed] = await store.list_feeds()
    stored = await store.recent_articles(None, feed_id=feed.id, limit=KEEP + 10)
    assert {a.title for a in stored} == {f"Item {n}" for n in range(ITEMS - KEEP, ITEMS)}
    assert took < 60
    assert max(acks) < 3.0
    # The target is 100 ms; the bound is wider so a loaded test machine does not fail it, and it
    # counts the loop's own CPU time: waiting for a core on a busy machine is not the bot's doing.
    # A loop blocked without the CPU (a synchronous wait) still shows in the wall-clock lag.
    assert blocked[0] < 0.5
    assert lag[0] < 2.0
    # The process tree here also holds pytest, FakeDiscord, the feed server and whatever earlier
    # tests in this worker left behind, so the bound is on what the add itself costs.
    assert memory.peak - memory.start < ADD_MEMORY
