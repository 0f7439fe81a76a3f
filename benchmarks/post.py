"""Delivery benchmark: N pending instant posts across C channels against Discord's limits.

    .venv/bin/python benchmarks/post.py [--deliveries 1000] [--channels 100] [--rate 45]

The real discord.py client and the real delivery worker post to FakeDiscord (tests/fakediscord),
which enforces Discord's limits: 5 messages per 5 s per channel and 50 requests per second
globally, answering 429 beyond them. The store is a SQLite file in a temporary directory.
Prints the time to drain the outbox, the theoretical minimum under those limits, the share of
the limit reached (minimum / measured), the 429s received and whether every post arrived once.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakediscord and tests.render.builders, from the repo root

import discord  # noqa: E402

from bot.app import bot_intents, use_discord_endpoints  # noqa: E402
from bot.delivery import DeliveryConfig, DeliveryWorker  # noqa: E402
from bot.poller import utcnow  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.fakediscord import FakeDiscord  # noqa: E402
from tests.fakediscord.ratelimit import Limits  # noqa: E402
from tests.render.builders import article, queue_posts  # noqa: E402


def theoretical_minimum(total: int, channels: int, limits: Limits) -> float:
    """Seconds the limits impose: the global rate, or a channel's windows, whichever is longer.

    Global: ``total / global_limit`` windows of ``global_window`` s. Per channel: the busiest
    channel's posts need ``ceil(n / message_limit) - 1`` further windows after the first.
    """
    per_channel = math.ceil(total / channels)
    global_bound = total / limits.global_limit * limits.global_window
    channel_bound = (math.ceil(per_channel / limits.message_limit) - 1) * limits.message_window
    return max(global_bound, channel_bound)


async def run(total: int, channels: int, rate: int) -> None:
    """Fill the outbox, drain it with the worker, print the figures."""
    limits = Limits()
    async with FakeDiscord(limits=limits) as fake:
        ids = [fake.channel.id, fake.channel2.id]
        ids += [(await fake.add_channel(f"bench-{k}")).id for k in range(channels - 2)]
        use_discord_endpoints(fake.api_base, fake.gateway_url)
        with tempfile.TemporaryDirectory() as tmp:
            store = await Store.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
            try:
                per_channel = math.ceil(total / channels)
                queued = await queue_posts(
                    store, fake.guild.id, ids, [article(n) for n in range(per_channel)]
                )
                client = discord.Client(intents=bot_intents())
                await client.login(fake.token)  # REST only: posting needs no gateway
                try:
                    worker = DeliveryWorker(
                        client, store, config=DeliveryConfig(rate_per_second=rate), clock=utcnow
                    )
                    started = time.perf_counter()
                    await worker.drain(timeout=300)
                    elapsed = time.perf_counter() - started
                finally:
                    await client.close()
                sent = len(await store.list_deliveries(status="sent"))
            finally:
                await store.close()
        counts = Counter((c, m.embeds[0]["title"]) for c in ids for m in fake.messages(c))
        minimum = theoretical_minimum(queued, channels, limits)
        report(queued=queued, sent=sent, elapsed=elapsed, minimum=minimum, fake=fake, counts=counts)


def report(
    *,
    queued: int,
    sent: int,
    elapsed: float,
    minimum: float,
    fake: FakeDiscord,
    counts: Counter[tuple[int, str]],
) -> None:
    """Print the benchmark's figures."""
    print(f"deliveries queued        {queued}")
    print(f"marked sent              {sent}")
    print(f"messages in channels     {sum(counts.values())} ({len(counts)} distinct)")
    print(f"posted more than once    {sum(1 for n in counts.values() if n > 1)}")
    print(f"time to drain            {elapsed:.2f} s ({queued / elapsed:.1f} posts/s)")
    print(f"theoretical minimum      {minimum:.2f} s")
    print(f"share of the limit       {minimum / elapsed:.1%} (target >= 80 %)")
    scopes = Counter(hit.scope for hit in fake.rate_limit_hits)
    print(f"429s received            {len(fake.rate_limit_hits)} {dict(scopes)} (target 0)")


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument(
        "--rate",
        type=int,
        default=DeliveryConfig().rate_per_second,
        help="the worker's global limit (requests per second)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.deliveries, args.channels, args.rate))


if __name__ == "__main__":
    main()
