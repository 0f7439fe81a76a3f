"""Claim benchmark: how long one claim of due feeds and of pending posts takes, by table size.

    .venv/bin/python benchmarks/claims.py --feeds 5000 --posts 10000 [--pg URL]

A registered worker claims batches (100 feeds; 100 posts, at most 10 per channel) until nothing
is due; half of the rows were first claimed by a worker that then went silent, so the claim
also takes over a dead worker's rows. Prints the median and 95th percentile of one claim (ms)
on SQLite, and on PostgreSQL when a URL is given (an empty database or schema).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.digest import summarize  # noqa: E402
from bot.models import Article, Entry  # noqa: E402
from bot.store import Store  # noqa: E402

CHANNELS = 100
STALE = 15.0


class Clock:
    """Now, moved by hand past the dead worker's stale limit."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def fill(store: Store, feeds: int, posts: int) -> None:
    """``feeds`` due feeds, and ``posts`` pending posts over CHANNELS channels."""
    for n in range(feeds):
        await store.add_feed(f"http://feeds{n // 50}.bench.test/{n}.xml")
    source = await store.add_feed("http://source.bench.test/feed.xml")
    for channel in range(CHANNELS):
        await store.subscribe(source.id, 1, 1000 + channel, mode="instant", added_by=None)
    text = "A sentence about the news. " * 20
    digest = summarize(text)
    articles = [
        Article(
            entry=Entry(
                id=f"item-{k}",
                link=f"http://site.bench.test/{k}",
                title=f"Item {k}",
                author=None,
                published=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=k),
                published_estimated=False,
                summary=text,
                content="",
            ),
            text=text,
            digest=digest,
            text_source="feed",
        )
        for k in range(posts // CHANNELS)
    ]
    await store.store_articles(source.id, articles, deliver=True)


async def timed(claim: Callable[[], Awaitable[int]]) -> list[float]:
    """Milliseconds of each claim until one comes back empty."""
    times: list[float] = []
    while True:
        started = time.perf_counter()
        got = await claim()
        times.append((time.perf_counter() - started) * 1000)
        if not got:
            return times


async def run(url: str, feeds: int, posts: int) -> None:
    clock = Clock()
    dead, live = await Store.open(url, clock=clock), await Store.open(url, clock=clock)
    try:
        await fill(dead, feeds, posts)
        await dead.register_worker("bench-dead", stale_seconds=STALE)
        await dead.claim_due_feeds(clock(), limit=feeds // 2, lease_seconds=300)
        await dead.claim_pending_deliveries(clock(), limit=posts // 2, lease_seconds=120)
        await live.register_worker("bench-live", stale_seconds=STALE)
        clock.now += timedelta(seconds=STALE + 1)  # the first worker is silent: dead
        await live.heartbeat()

        async def feeds_claim() -> int:
            return len(await live.claim_due_feeds(clock(), limit=100, lease_seconds=300))

        async def posts_claim() -> int:
            rows = await live.claim_pending_deliveries(
                clock(), limit=100, lease_seconds=120, per_channel=10
            )
            await live.mark_sent_many([r.id for r in rows], None)
            return len(rows)

        for what, claim in (("feeds", feeds_claim), ("posts", posts_claim)):
            times = await timed(claim)
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
            print(
                f"{live.dialect:10} {what}: {len(times) - 1} claims, "
                f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
            )
    finally:
        await dead.close()
        await live.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--pg", help="an async PostgreSQL URL of an empty database or schema")
    args = parser.parse_args()
    print(f"{args.feeds} feeds, {args.posts} posts over {CHANNELS} channels")
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.feeds, args.posts))
    if args.pg:
        asyncio.run(run(args.pg, args.feeds, args.posts))


if __name__ == "__main__":
    main()
