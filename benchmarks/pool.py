"""What the worker pool costs: jobs per second and peak memory against a plain process pool.

Usage: python benchmarks/pool.py [--jobs N] [--processes P] [--items K] [--max-jobs M ...]

Runs N small parse-like jobs (``parse_feed`` of a K-item RSS document, a few KB) from asyncio,
the way the poller does, through

* ``Workers`` (this project's pool), once per ``--max-jobs`` recycle limit given (0: never), and
* ``concurrent.futures.ProcessPoolExecutor`` (spawn, no ``max_tasks_per_child``, which hangs on
  Python 3.11) with every job handed over at once, as ``run_in_executor`` callers do.

Prints, per pool: wall time, jobs per second, the worker processes started, and the peak RSS of
the whole process tree (this process plus its children, sampled every 20 ms). The machine may
be shared: compare figures from the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial

import psutil

from bot.feeds.parse import parse_feed
from bot.models import ParsedFeed
from bot.workers import Workers


@dataclass
class Figures:
    """What one pool did."""

    name: str
    seconds: float
    jobs: int
    started: int | str
    peak_mib: float


class TreeRss:
    """Samples the RSS of this process and its children in a thread; keeps the peak."""

    def __init__(self, every: float = 0.02) -> None:
        self.peak = 0
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self._every):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)


def document(items: int) -> bytes:
    """A small RSS document of ``items`` items."""
    body = "".join(
        f"<item><guid>item-{n}</guid><title>Item number {n}</title>"
        f"<link>http://example.org/{n}</link><description>Some text about item {n}, "
        f"long enough to look like a summary of a story.</description>"
        "<pubDate>Mon, 02 Mar 2026 09:00:00 +0000</pubDate></item>"
        for n in range(items)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Bench</title>"
        f"<link>http://example.org/</link>{body}</channel></rss>"
    ).encode()


async def through_workers(workers: Workers, jobs: int, body: bytes) -> None:
    """Every job as its own caller, waiting for room in the pool as the poller does."""

    async def one() -> ParsedFeed:
        return await workers.run(parse_feed, body, url="http://example.org/feed.xml")

    await asyncio.gather(*(one() for _ in range(jobs)))


async def through_executor(executor: ProcessPoolExecutor, jobs: int, body: bytes) -> None:
    """Every job handed to the executor at once, as ``run_in_executor`` callers do."""
    loop = asyncio.get_running_loop()
    job = partial(parse_feed, body, url="http://example.org/feed.xml")
    await asyncio.gather(*(loop.run_in_executor(executor, job) for _ in range(jobs)))


def measure(name: str, run: Callable[[], Awaitable[None]], jobs: int) -> tuple[float, float]:
    """Wall seconds and peak tree RSS (MiB) of ``run``."""
    with TreeRss() as rss:
        started = time.perf_counter()
        asyncio.run(_call(run))
        seconds = time.perf_counter() - started
    print(f"  {name}: done in {seconds:.1f} s", flush=True)
    return seconds, rss.peak / 2**20


async def _call(run: Callable[[], Awaitable[None]]) -> None:
    await run()


def bench_workers(args: argparse.Namespace, body: bytes, max_jobs: int) -> Figures:
    """Figures for this project's pool with the given recycle limit."""
    with Workers(args.processes, max_jobs=max_jobs or 2**62) as workers:
        seconds, peak = measure(
            f"Workers(max_jobs={max_jobs})",
            lambda: through_workers(workers, args.jobs, body),
            args.jobs,
        )
        started = workers.workers_started
    recycle = f"recycle every {max_jobs}" if max_jobs else "no recycling"
    return Figures(f"Workers, {recycle}", seconds, args.jobs, started, peak)


def bench_executor(args: argparse.Namespace, body: bytes) -> Figures:
    """Figures for a plain ProcessPoolExecutor (spawn, no recycling)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.processes, mp_context=context) as executor:
        seconds, peak = measure(
            "ProcessPoolExecutor", lambda: through_executor(executor, args.jobs, body), args.jobs
        )
    return Figures("ProcessPoolExecutor, no recycling", seconds, args.jobs, args.processes, peak)


def main() -> None:
    """Run both pools over the same jobs and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--items", type=int, default=5, help="items in each parsed document")
    parser.add_argument(
        "--max-jobs", type=int, nargs="+", default=[0, 500, 50], help="recycle limits; 0: never"
    )
    args = parser.parse_args()
    body = document(args.items)
    print(
        f"{args.jobs} jobs of parse_feed({len(body)} bytes, {args.items} items), "
        f"{args.processes} processes, psutil tree RSS",
        flush=True,
    )
    rows = [bench_executor(args, body)]
    rows += [bench_workers(args, body, max_jobs) for max_jobs in args.max_jobs]
    print(f"\n{'pool':36} {'wall s':>8} {'jobs/s':>8} {'workers':>8} {'peak MiB':>9}")
    for row in rows:
        print(
            f"{row.name:36} {row.seconds:8.1f} {row.jobs / row.seconds:8.0f} "
            f"{row.started!s:>8} {row.peak_mib:9.0f}"
        )


if __name__ == "__main__":
    main()
