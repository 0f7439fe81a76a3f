"""Senders benchmark: 1 vs 3 sender processes draining the outbox under one global limit.

    .venv/bin/python benchmarks/senders.py --posts 1000 --channels 100 --senders 1 3

Real ``python -m bot run`` processes with ``roles = ["sender"]`` (REST only) on a throw-away
PostgreSQL schema, against the fake Discord server enforcing Discord's limits (50 requests/s
per bot, 5 messages per 5 s per channel). Prints posts/s from the first post to the last
against the global limit, the 429s the server sent, posts made more than once, the busiest
second at the server and how often the server's event loop stalled.

``--fake-process`` runs the fake Discord in a process of its own (``benchmarks/_fake_server.py``),
so the benchmark's own work cannot stall its loop; ``--in-process`` (the default) runs it in
the benchmark's event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakediscord and the process fixture, from the repo root

from _fake_server import STALL, Address, LocalFake, RemoteFake  # noqa: E402
from _pg import drop, pg_schema  # noqa: E402

from bot.store import Store  # noqa: E402
from tests.fakediscord import FakeDiscord  # noqa: E402
from tests.fakediscord.ratelimit import Limits  # noqa: E402
from tests.fixtures.process import BotProcess  # noqa: E402
from tests.render.builders import article, queue_posts  # noqa: E402


async def run(posts: int, channels: int, senders: int, *, fake_process: bool) -> None:
    """Queue ``posts`` posts, drain them with ``senders`` processes, print the figures."""
    made = await pg_schema()
    if made is None:
        return
    url, handle = made
    server = RemoteFake() if fake_process else LocalFake()
    try:
        address = await server.start(channels)
        # One store for the whole run: opening one (its migration check) would stall the
        # fake Discord's event loop when it runs in this process, and bunch its requests.
        store = await Store.open(url)
        per_channel = math.ceil(posts / channels)
        queued = await queue_posts(
            store, address.guild_id, address.channel_ids, [article(n) for n in range(per_channel)]
        )
        fake = endpoint(address)
        with tempfile.TemporaryDirectory() as tmp:
            procs = [
                BotProcess(fake, url, Path(tmp), f"s{n}", instance_name=f"s{n}", roles='["sender"]')
                for n in range(senders)
            ]
            for proc in procs:
                await proc.start()
            try:
                while await store.pending_count():  # noqa: ASYNC110 - polls the DB
                    await asyncio.sleep(0.5)
                sent = len(await store.list_deliveries(status="sent"))
            finally:
                for proc in procs:
                    await proc.stop()
                await store.close()
        figures = await server.finish(address)
    finally:
        if isinstance(server, RemoteFake):
            await server.close()
        await drop(handle)
    stamps, limit = figures.stamps, Limits().global_limit
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    rate = (len(stamps) - 1) / span if span else float("nan")
    where = "its own process" if fake_process else "the benchmark's process"
    # Only the stalls while posts went out: set-up and shutdown bunch no post.
    stalls = [late for at, late in figures.stalls if stamps and stamps[0] <= at <= stamps[-1]]
    print(
        f"{senders} sender(s), fake Discord in {where}: {sent} of {queued} posts over "
        f"{channels} channels in {span:.1f} s: {rate:.1f} posts/s ({rate / limit:.0%} of the "
        f"global {limit}/s); 429s: {figures.hits} ({figures.global_hits} global); "
        f"posted twice: {figures.posted_twice}; busiest second at the server: "
        f"{busiest_second(stamps)} posts; the server's event loop stalled "
        f"{len(stalls)} times over {STALL * 1000:.0f} ms while posting "
        f"(longest {max(stalls, default=0) * 1000:.0f} ms)",
        flush=True,
    )


def endpoint(address: Address) -> FakeDiscord:
    """The fake as ``BotProcess`` sees it: it reads only the token, the URLs and the guild."""
    return cast(
        FakeDiscord,
        SimpleNamespace(
            token=address.token,
            api_base=address.api_base,
            gateway_url=address.gateway_url,
            guild=SimpleNamespace(id=address.guild_id),
        ),
    )


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
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--fake-process",
        dest="fake_process",
        action="store_true",
        default=False,
        help="run the fake Discord in a process of its own",
    )
    where.add_argument(
        "--in-process",
        dest="fake_process",
        action="store_false",
        help="run the fake Discord in the benchmark's own event loop (the default)",
    )
    args = parser.parse_args()
    for senders in args.senders:
        asyncio.run(run(args.posts, args.channels, senders, fake_process=args.fake_process))


if __name__ == "__main__":
    main()
