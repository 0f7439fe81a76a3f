"""Senders benchmark: 1 vs 3 sender processes draining the outbox under one global limit.

    .venv/bin/python benchmarks/senders.py --posts 1000 --channels 100 --senders 1 3

Real ``python -m bot run`` processes with ``roles = ["sender"]`` (REST only) on a throw-away
PostgreSQL schema, against the fake Discord server enforcing Discord's limits (50 requests/s
per bot, 5 messages per 5 s per channel). Prints posts/s from the first post to the last
against the global limit, the 429s the server sent, and posts made more than once.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakediscord and the process fixture, from the repo root

from _pg import drop, pg_schema  # noqa: E402

from bot.store import Store  # noqa: E402
from tests.fakediscord import FakeDiscord  # noqa: E402
from tests.fakediscord.ratelimit import Limits  # noqa: E402
from tests.fixtures.process import BotProcess  # noqa: E402
from tests.render.builders import article, queue_posts  # noqa: E402


async def run(posts: int, channels: int, senders: int) -> None:
    """Queue ``posts`` posts, drain them with ``senders`` processes, print the figures."""
    made = await pg_schema()
    if made is None:
        return
    url, handle = made
    limits = Limits()
    try:
        async with FakeDiscord(limits=limits) as fake:
            ids = [fake.channel.id, fake.channel2.id]
            ids += [(await fake.add_channel(f"bench-{k}")).id for k in range(channels - 2)]
            # One store for the whole run: opening one (its migration check) would stall the
            # fake Discord's event loop, in this process, and bunch the requests it counts.
            store = await Store.open(url)
            per_channel = math.ceil(posts / channels)
            queued = await queue_posts(
                store, fake.guild.id, ids, [article(n) for n in range(per_channel)]
            )
            with tempfile.TemporaryDirectory() as tmp:
                procs = [
                    BotProcess(
                        fake, url, Path(tmp), f"s{n}", instance_name=f"s{n}", roles='["sender"]'
                    )
                    for n in range(senders)
                ]
                for proc in procs:
                    await proc.start()
                stalls: list[float] = []
                watch = asyncio.create_task(watch_loop(stalls))
                try:
                    while await store.pending_count():  # noqa: ASYNC110 - polls the DB
                        await asyncio.sleep(0.5)
                    sent = len(await store.list_deliveries(status="sent"))
                finally:
                    watch.cancel()
                    for proc in procs:
                        await proc.stop()
                    await store.close()
            stamps = sorted(m.created_at for c in ids for m in fake.messages(c))
            counts = Counter((c, m.embeds[0]["title"]) for c in ids for m in fake.messages(c))
            hits = [h for h in fake.limiter.hits if not h.injected]
    finally:
        await drop(handle)
    span = (stamps[-1] - stamps[0]).total_seconds() if len(stamps) > 1 else float("nan")
    rate = (len(stamps) - 1) / span if span else float("nan")
    busiest = busiest_second([t.timestamp() for t in stamps])
    print(
        f"{senders} sender(s): {sent} of {queued} posts over {channels} channels in {span:.1f} s: "
        f"{rate:.1f} posts/s ({rate / limits.global_limit:.0%} of the global "
        f"{limits.global_limit}/s); 429s: {len(hits)} "
        f"({sum(h.scope == 'global' for h in hits)} global); "
        f"posted twice: {sum(n > 1 for n in counts.values())}; "
        f"busiest second at the server: {busiest} posts; the server's event loop stalled "
        f"{sum(s > STALL for s in stalls)} times over {STALL * 1000:.0f} ms "
        f"(longest {max(stalls, default=0) * 1000:.0f} ms)"
    )


STALL = 0.05  # seconds: a stall of the fake Discord's loop this long bunches ~2 requests


async def watch_loop(stalls: list[float]) -> None:
    """Record how late the event loop (the fake Discord's, in this process) wakes a sleeper:
    requests that wait meanwhile are stamped together when it runs again."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        stalls.append(time.perf_counter() - before - 0.01)


def busiest_second(stamps: list[float]) -> int:
    """The most posts the server took in any one second (sorted stamps, two pointers)."""
    most, first = 0, 0
    for last, stamp in enumerate(stamps):
        while stamp - stamps[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def main() -> None:
    """Parse the arguments and run each sender count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--senders", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()
    for senders in args.senders:
        asyncio.run(run(args.posts, args.channels, senders))


if __name__ == "__main__":
    main()
