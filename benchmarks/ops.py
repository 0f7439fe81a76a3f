"""Operations benchmark: OPML import of thousands of feeds, and a retention prune.

    .venv/bin/python benchmarks/ops.py --feeds 5000 --articles 5000

Prints wall times (median of --repeat runs for the import) on SQLite and, when reachable,
PostgreSQL (BRIEFING_TEST_PG_URL or postgres@127.0.0.1:5432/test, in a scratch schema), and the
SQLite file size before and after the prune and its compaction.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _pg import drop, pg_schema
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.models import Article, Digest, Entry, KeyPoint
from bot.opml import OpmlFeed, import_opml, write_opml
from bot.store import Store


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def opml_file(n: int) -> bytes:
    feeds = [
        OpmlFeed(f"https://site{i}.example/feed.xml", f"Site {i}", category=(f"Folder {i % 20}",))
        for i in range(n)
    ]
    return write_opml(feeds)


def article(n: int, words: int) -> Article:
    body = " ".join(f"w{(n * 7 + k) % 5000}" for k in range(words)) + "."
    title = f"Story {n}"
    entry = Entry(
        id=f"e{n}",
        link=f"https://news.example/{n}",
        title=title,
        author=None,
        published=datetime(2026, 1, 1, tzinfo=UTC),
        published_estimated=False,
        summary=body[:200],
        content=body,
        image_url=None,
    )
    digest = Digest((KeyPoint(title, 0, 0, len(title)),), title, ("w",), words, 1, "en", False)
    return Article(entry=entry, text=body, digest=digest, text_source="feed")


async def bench_import(url: str, data: bytes, repeat: int) -> list[float]:
    times = []
    for run in range(repeat):
        store = await Store.open(url)
        try:
            start = time.perf_counter()
            result = await import_opml(store, data, guild_id=1, channel_id=100 + run)
            times.append(time.perf_counter() - start)
            assert result.subscribed == result.feeds
        finally:
            await store.close()
    return times


async def bench_prune(url: str, n: int, words: int) -> None:
    clock = Clock()
    store = await Store.open(url, clock=clock)
    try:
        feed = await store.add_feed("https://news.example/feed")
        for start in range(0, n, 500):
            batch = [article(i, words) for i in range(start, min(n, start + 500))]
            await store.store_articles(feed.id, batch, deliver=False)
        before = await store.database_bytes()
        t = time.perf_counter()
        await store.compact()  # what a daily prune of a few articles costs: the FTS merge
        print(
            f"  compact with nothing to free ({n} articles stored): {time.perf_counter() - t:.2f} s"
        )
        clock.now += timedelta(days=91)
        t0 = time.perf_counter()
        pruned = await store.prune(timedelta(days=90), compact=False)
        t1 = time.perf_counter()
        vacuumed = await store.compact()
        t2 = time.perf_counter()
        after = await store.database_bytes()
        size = f"{before / 1e6:.1f} MB -> {after / 1e6:.1f} MB" if before and after else "n/a"
        print(
            f"  prune {pruned} articles ({words} words each): {t1 - t0:.2f} s; "
            f"compact: {t2 - t1:.2f} s (vacuumed: {vacuumed}); size {size}"
        )
    finally:
        await store.close()


async def main(args: argparse.Namespace) -> None:
    data = opml_file(args.feeds)
    print(f"OPML file: {args.feeds} feeds, {len(data) / 1e6:.2f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        targets: list[tuple[str, str, tuple[AsyncEngine, str] | None]] = [
            ("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", None)
        ]
        pg = await pg_schema()
        if pg is not None:
            targets.append(("postgresql", pg[0], pg[1]))
        for name, url, handle in targets:
            try:
                times = await bench_import(url, data, args.repeat)
                print(
                    f"{name}: import {args.feeds} feeds: median {statistics.median(times):.2f} s"
                    f" over {len(times)} runs (first, into an empty database: {times[0]:.2f} s)"
                )
                await bench_prune(url.replace("bench.db", "prune.db"), args.articles, args.words)
            finally:
                if handle is not None:
                    await drop(handle)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
