"""The poll-cycle benchmark's code; run it as ``python benchmarks/poll.py`` (see there)."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from _sampler import Sampler
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.digest import summarize
from bot.feeds.fetch import Fetcher
from bot.feeds.http import FetchLimits, create_session
from bot.models import Article, Entry
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.schedule import PollPolicy
from bot.store import Store
from bot.workers import Workers

FEEDS_PER_HOST = 20
ITEMS_PER_FEED = 20
WORDS = [
    "government",
    "minister",
    "council",
    "city",
    "report",
    "market",
    "energy",
    "price",
    "school",
    "hospital",
    "police",
    "court",
    "election",
    "vote",
    "budget",
    "water",
    "storm",
    "road",
    "rail",
    "climate",
    "company",
    "workers",
    "union",
    "health",
    "study",
    "science",
    "river",
    "coast",
    "farm",
    "festival",
    "museum",
    "league",
    "match",
    "season",
    "coach",
    "player",
    "club",
    "fans",
]


def paragraph(seed: int, words: int) -> str:
    """Deterministic pseudo-news text of about ``words`` words."""
    out: list[str] = []
    n = seed
    while len(out) < words:
        sentence = []
        for _ in range(12):
            n = (n * 1103515245 + 12345) % 2**31
            sentence.append(WORDS[n % len(WORDS)])
        out.extend([sentence[0].capitalize(), *sentence[1:-1], sentence[-1] + "."])
    return " ".join(out)


def feed_xml(feed: int, version: int, *, teaser_base: str | None = None) -> bytes:
    """An RSS document of ITEMS_PER_FEED items; ``version`` 2 adds one new item on top."""
    items = []
    for k in range(ITEMS_PER_FEED + (1 if version >= 2 else 0)):
        item_id = f"{feed}-{k}" if k < ITEMS_PER_FEED else f"{feed}-new"
        link = (
            f"{teaser_base}/{item_id}"
            if teaser_base and k == ITEMS_PER_FEED
            else (f"http://site.example/{item_id}")
        )
        text = (
            "Short teaser."
            if teaser_base and k == ITEMS_PER_FEED
            else paragraph(hash(item_id) % 997, 180)
        )
        published = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=k)
        items.append(
            f"<item><guid>{item_id}</guid><title>Item {item_id}</title><link>{link}</link>"
            f"<description>{text}</description>"
            f"<pubDate>{published:%a, %d %b %Y %H:%M:%S} +0000</pubDate></item>"
        )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Feed {feed}</title>"
        f"<link>http://site.example/</link>{''.join(reversed(items))}</channel></rss>"
    ).encode()


def page_html(item: str) -> bytes:
    """An article page with navigation noise around ~600 words of text."""
    body = "".join(f"<p>{paragraph(hash(item) % 991 + i, 100)}</p>" for i in range(6))
    return (
        f"<html><head><title>{item}</title></head><body><nav><a href='/'>Home</a> News Sport</nav>"
        f"<article><h1>Item {item}</h1>{body}</article><footer>Copyright</footer></body></html>"
    ).encode()


def serve(port_out: multiprocessing.Queue[int], changed: set[int], teaser: bool) -> None:
    """The feed server process: version 1 until /phase/2, then changed feeds move to version 2."""
    state = {"phase": 1}
    cache: dict[tuple[int, int], bytes] = {}

    async def feed(request: web.Request) -> web.StreamResponse:
        n = int(request.match_info["n"])
        version = 2 if state["phase"] == 2 and n in changed else 1
        etag = f'"{n}-{version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        key = (n, version)
        if key not in cache:
            base = f"http://{request.host}/page" if teaser else None
            cache[key] = feed_xml(n, version, teaser_base=base)
        return web.Response(
            body=cache[key], headers={"ETag": etag, "Content-Type": "application/rss+xml"}
        )

    async def page(request: web.Request) -> web.StreamResponse:
        return web.Response(body=page_html(request.match_info["item"]), content_type="text/html")

    async def phase(request: web.Request) -> web.StreamResponse:
        state["phase"] = int(request.match_info["p"])
        return web.Response(text="ok")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        app.router.add_get("/page/{item}", page)
        app.router.add_post("/phase/{p}", phase)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        port_out.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


class AllLocal(AbstractResolver):
    """Every benchmark host name resolves to 127.0.0.1 (distinct names, distinct host pools)."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


async def prime(store: Store, n_feeds: int, port: int, now: datetime) -> None:
    """Set up the store as after a first poll of every feed (not measured).

    Each feed has its ITEMS_PER_FEED entries recorded and the validators of version 1 stored, so
    the measured cycle sends conditional GETs. The old entries share a few stored articles:
    what matters to the measured cycle is that their entry ids are known.
    """
    shared = [
        Article(
            entry=Entry(
                id=f"shared-{k}",
                link=f"http://site.example/shared-{k}",
                title=f"Item {k}",
                author=None,
                published=now,
                published_estimated=False,
                summary=paragraph(k, 180),
                content="",
            ),
            text=paragraph(k, 180),
            digest=summarize(paragraph(k, 180)),
            text_source="feed",
        )
        for k in range(ITEMS_PER_FEED)
    ]
    for n in range(n_feeds):
        host = f"feeds{n // FEEDS_PER_HOST}.bench.test"
        feed = await store.add_feed(f"http://{host}:{port}/feed/{n}.xml")
        known = [replace(a, entry=replace(a.entry, id=f"{n}-{k}")) for k, a in enumerate(shared)]
        await store.store_articles(feed.id, known, deliver=False)
        await store.mark_baseline_done(feed.id)
        await store.record_success(feed.id, etag=f'"{n}-1"', last_modified=None, next_poll_at=now)


@dataclass
class Result:
    feeds: int
    wall: float
    cpu: float
    peak_mb: float
    changed: int
    new_articles: int


async def run_size(
    n_feeds: int, share_changed: float, workers: int, *, teaser: bool = False
) -> Result:
    changed = (
        set(range(0, n_feeds, round(1 / share_changed)))
        if share_changed < 1
        else set(range(n_feeds))
    )
    spawn = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[int] = spawn.Queue()
    server = spawn.Process(target=serve, args=(queue, changed, teaser), daemon=True)
    server.start()
    port = queue.get(timeout=30)
    server_proc = psutil.Process(server.pid)
    clock_offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + clock_offset[0]

    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", clock=clock)
        limits = FetchLimits(allow_private=True, total_timeout=60, connect_timeout=30)
        session = create_session(limits, resolver=AllLocal())
        pool = Workers(workers)
        try:
            await prime(store, n_feeds, port, clock())
            pipeline = Pipeline(Fetcher(session, limits), pool)
            policy = PollPolicy(interval=600, minimum=60, maximum=21600, jitter=0.1)
            poller = Poller(
                store, pipeline, policy, clock=clock, concurrency=limits.global_concurrency
            )
            async with session.post(f"http://127.0.0.1:{port}/phase/2") as response:
                assert response.status == 200
            clock_offset[0] = timedelta(days=1)  # every feed due again
            server_cpu0 = sum(server_proc.cpu_times()[:2])
            with Sampler(exclude=server.pid or 0) as sampler:
                cpu0, t0 = sampler.cpu(), time.perf_counter()
                report = await poller.run_cycle()
                wall, cpu = time.perf_counter() - t0, sampler.cpu() - cpu0
            server_cpu = sum(server_proc.cpu_times()[:2]) - server_cpu0
            assert report.feeds == n_feeds, report
            assert report.failed == 0, report.errors
            print(
                f"    (poller process peak RSS {sampler.peak_parent / 2**20:.0f} MB; "
                f"server process CPU {server_cpu:.1f} s, not counted)"
            )
            return Result(
                n_feeds, wall, cpu, sampler.peak / 2**20, report.changed, report.new_articles
            )
        finally:
            await session.close()
            pool.close()
            await store.close()
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--changed-share", type=float, default=0.1)
    parser.add_argument("--path-items", type=int, default=300, help="items for the per-item paths")
    args = parser.parse_args()
    print(f"poll cycle, {args.workers} worker processes, {args.changed_share:.0%} of feeds changed")
    for n in args.feeds:
        r = asyncio.run(run_size(n, args.changed_share, args.workers))
        print(
            f"  {n:>6} feeds: {r.wall:6.2f} s wall, {n / r.wall:7.0f} requests/s, "
            f"{r.cpu:6.2f} s CPU, peak RSS {r.peak_mb:5.0f} MB; "
            f"{r.changed} changed, {r.new_articles} new articles"
        )
    m = args.path_items
    full = asyncio.run(run_size(m, 1.0, args.workers))
    print(
        f"  changed-feed path (fetch + parse {ITEMS_PER_FEED}-item feed + digest + store): "
        f"{full.wall / full.new_articles * 1000:.1f} ms per new item (wall), "
        f"{full.cpu / full.new_articles * 1000:.1f} ms CPU"
    )
    teaser = asyncio.run(run_size(m, 1.0, args.workers, teaser=True))
    print(
        f"  teaser path (as above + page fetch + extraction): "
        f"{teaser.wall / teaser.new_articles * 1000:.1f} ms per new item (wall), "
        f"{teaser.cpu / teaser.new_articles * 1000:.1f} ms CPU"
    )


if __name__ == "__main__":
    main()
