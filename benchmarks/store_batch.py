"""Store benchmark: a first poll's writes of N feeds x 20 items, per feed and in batches.

    .venv/bin/python benchmarks/store_batch.py --feeds 10000
    PYTHONPATH=/path/to/older/checkout .venv/bin/python benchmarks/store_batch.py --modes per-feed

Prints, on SQLite and (when reachable: BRIEFING_TEST_PG_URL or postgres@127.0.0.1:5432/test, in
a scratch schema) PostgreSQL, for each mode: wall time, articles/s, SQL statements executed and
statements per write transaction. "per-feed" is one ``store_articles`` call per feed (what the
poller did before batching; on a checkout without ``store_feed_batch`` it runs the old code);
"batch" is ``store_feed_batch`` with --batch feeds per transaction (the poller's writer).
Each feed has one subscription and the items are stored as a first poll (no deliveries), plus
--deliver feeds stored as a later poll (with deliveries). 1 in 5 items is a story every feed of
its group of 10 carries, so the look-ups find existing articles as well as new ones.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _pg import drop, pg_schema
from sqlalchemy import event

from bot.models import Article, Digest, Entry, KeyPoint
from bot.store import Store

try:
    from bot.store.rows import FeedBatchItem
except ImportError:  # a checkout from before batch writes: only "per-feed" runs there
    FeedBatchItem = None  # type: ignore[assignment,misc]

PER_FEED = 20
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def article(feed: int, i: int) -> Article:
    shared = i % 5 == 0
    key = f"g{feed // 10}-s{i}" if shared else f"f{feed}-{i}"
    body = " ".join(f"w{(zlib.crc32(key.encode()) + k) % 5000}" for k in range(60)) + "."
    title = f"Story {key}"
    entry = Entry(
        id=key,
        link=f"https://news.example/{key}",
        title=title,
        author=None,
        published=T0,
        published_estimated=False,
        summary=body[:200],
        content=body,
        image_url=None,
    )
    digest = Digest((KeyPoint(title, 0, 0, len(title)),), title, ("w",), 60, 1, "en", False)
    return Article(entry=entry, text=body, digest=digest, text_source="feed")


def groups(feed_ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(feed_ids), size):
        yield feed_ids[start : start + size]


async def ticker(lag: list[float]) -> None:
    """Record the longest time the event loop was kept from a 10 ms tick."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        lag[0] = max(lag[0], time.perf_counter() - before - 0.01)


async def setup(store: Store, n: int) -> list[int]:
    opml = [(f"https://site{i}.example/feed.xml", None) for i in range(n)]
    await store.subscribe_many(opml, guild_id=1, channel_id=100)
    return [feed.id for feed in sorted(await store.list_feeds(), key=lambda f: f.id)]


async def run_mode(url: str, mode: str, args: argparse.Namespace) -> None:
    store = await Store.open(url)
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    engine = store._db.engine.sync_engine
    try:
        feed_ids = await setup(store, args.feeds)
        event.listen(engine, "before_cursor_execute", count)
        transactions = 0
        lag = [0.0]
        ticking = asyncio.create_task(ticker(lag))
        start = time.perf_counter()
        for part in groups(feed_ids, args.batch if mode == "batch" else 1):
            deliver = part[0] in feed_ids[: args.deliver]
            pairs = [(fid, [article(fid, i) for i in range(PER_FEED)]) for fid in part]
            if mode == "batch":
                await store.store_feed_batch([FeedBatchItem(f, a, deliver) for f, a in pairs])
            else:
                for fid, articles in pairs:
                    await store.store_articles(fid, articles, deliver=deliver)
            transactions += 1
        elapsed = time.perf_counter() - start
        ticking.cancel()
        event.remove(engine, "before_cursor_execute", count)
        items = args.feeds * PER_FEED
        print(
            f"  {mode:8s}: {elapsed:7.1f} s, {items / elapsed:8.0f} articles/s, "
            f"{statements[0]} statements, {statements[0] / transactions:.1f} per transaction "
            f"({transactions} transactions); event loop blocked up to {lag[0] * 1000:.0f} ms"
        )
    finally:
        await store.close()


async def main(args: argparse.Namespace) -> None:
    modes = [m for m in args.modes.split(",") if m]
    print(f"{args.feeds} feeds x {PER_FEED} items, batch of {args.batch} feeds")
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in args.backends:
            print("sqlite:")
            for mode in modes:
                await run_mode(f"sqlite+aiosqlite:///{Path(tmp) / f'{mode}.db'}", mode, args)
        if "postgresql" in args.backends:
            print("postgresql:")
            for mode in modes:
                pg = await pg_schema()
                if pg is None:
                    break
                try:
                    await run_mode(pg[0], mode, args)
                finally:
                    await drop(pg[1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100, help="feeds per batch transaction")
    parser.add_argument("--deliver", type=int, default=0, help="feeds stored with deliveries")
    parser.add_argument("--modes", default="per-feed,batch")
    parser.add_argument("--backends", default="sqlite,postgresql")
    asyncio.run(main(parser.parse_args()))
