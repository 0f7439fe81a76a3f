"""The code of ``benchmarks/pollers.py`` (see there)."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

import psutil
from _pg import admin_pg_url
from _poll_cycle import FEEDS_PER_HOST, AllLocal, serve
from _reader_side import set_phase
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.feeds.fetch import Fetcher
from bot.feeds.http import FetchLimits, create_session
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.schedule import PollPolicy
from bot.settings import Settings
from bot.store import Store
from bot.workers import Workers

DATABASE = "briefing_bench_pollers"  # its own database: pg_stat_database counts only this


@dataclass
class Job:
    """One poller process's part of a run."""

    url: str
    port: int
    name: str
    workers: int


def poller_child(job: Job, conn: Connection) -> None:
    """A poller process: one cycle when told, a second (a day later) when told again."""
    asyncio.run(_poller(job, conn))


async def _poller(job: Job, conn: Connection) -> None:
    offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    store = await Store.open(job.url, clock=clock)
    statements = [0]

    @event.listens_for(store._db.engine.sync_engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        statements[0] += 1

    await store.register_worker(job.name)
    beat = asyncio.create_task(_heartbeat(store))
    limits = FetchLimits(allow_private=True, total_timeout=120, connect_timeout=60)
    session = create_session(limits, resolver=AllLocal())
    pool = Workers(job.workers)
    try:
        pipeline = Pipeline(
            Fetcher(session, limits), pool, max_entries=Settings().max_entries_per_feed
        )
        policy = PollPolicy(interval=600, minimum=60, maximum=21600, jitter=0.1)
        poller = Poller(store, pipeline, policy, clock=clock, concurrency=64)
        me = psutil.Process()
        conn.send("ready")
        for day in range(2):
            assert conn.recv() == "go"
            offset[0] = timedelta(days=day)
            cpu0, count0 = _cpu(me), statements[0]
            report = await poller.run_cycle()
            conn.send((report.feeds, report.failed, _cpu(me) - cpu0, statements[0] - count0))
    finally:
        beat.cancel()
        await session.close()
        pool.close()
        await store.unregister_worker()
        await store.close()


async def _heartbeat(store: Store) -> None:
    while True:
        await asyncio.sleep(5)
        await store.heartbeat()


def _cpu(process: psutil.Process) -> float:
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


async def _commits(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            stmt = text("SELECT xact_commit FROM pg_stat_database WHERE datname = :d")
            return int(await conn.scalar(stmt, {"d": DATABASE}) or 0)
    finally:
        await engine.dispose()


async def _fresh_schema(feeds: int, port: int) -> str:
    """A new schema in the benchmark's database, holding ``feeds`` feeds; returns its URL."""
    admin = make_url(admin_pg_url())
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DATABASE}
        )
        if not found:
            await conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    await engine.dispose()
    db = admin.set(database=DATABASE)
    engine = create_async_engine(db, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex[:12]}"
    async with engine.connect() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    await engine.dispose()
    url = db.update_query_dict({"search_path": name}).render_as_string(False)
    store = await Store.open(url)
    try:
        for n in range(feeds):
            host = f"feeds{n // FEEDS_PER_HOST}.bench.test"
            await store.add_feed(f"http://{host}:{port}/feed/{n}.xml")
    finally:
        await store.close()
    return url


def run(feeds: int, processes: int, workers: int, port: int) -> list[dict[str, float]]:
    """Both cycles with ``processes`` pollers; the figures of each."""
    set_phase(port, 1)
    url = asyncio.run(_fresh_schema(feeds, port))
    stats_url = make_url(url).set(query={}).render_as_string(False)
    spawn = multiprocessing.get_context("spawn")
    pipes, children = [], []
    for i in range(processes):
        parent, child = spawn.Pipe()
        job = Job(url, port, f"poller-{i}", workers)
        process = spawn.Process(target=poller_child, args=(job, child))
        process.start()
        pipes.append(parent)
        children.append(process)
    for pipe in pipes:
        assert pipe.recv() == "ready"
    cycles = []
    for day in range(2):
        if day == 1:
            set_phase(port, 2)
        commits0 = asyncio.run(_commits(stats_url))
        t0 = time.perf_counter()
        for pipe in pipes:
            pipe.send("go")
        answers = [pipe.recv() for pipe in pipes]
        wall = time.perf_counter() - t0
        time.sleep(1)  # pg_stat_database is updated when a backend's transaction reports
        commits = asyncio.run(_commits(stats_url)) - commits0
        polled = sum(a[0] for a in answers)
        cycles.append(
            {
                "wall": wall,
                "polled": polled,
                "failed": sum(a[1] for a in answers),
                "cpu_ms_per_feed": 1000 * sum(a[2] for a in answers) / max(1, polled),
                "statements": sum(a[3] for a in answers),
                "commits": commits,
                "per_process": statistics.pstdev([a[0] for a in answers]),
            }
        )
    for process in children:
        process.join(120)
    return cycles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=10000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--workers", type=int, default=1, help="parse processes per poller")
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    port_out: multiprocessing.Queue[int] = spawn.Queue()
    changed = set(range(0, args.feeds, 10))  # 10 % get one new item for the steady cycle
    server = spawn.Process(target=serve, args=(port_out, changed, False), daemon=True)
    server.start()
    port = port_out.get(timeout=60)
    print(f"{args.feeds} feeds, {args.workers} parse process(es) per poller; load {_load()}")
    try:
        for n in args.processes:
            cycles = run(args.feeds, n, args.workers, port)
            for label, c in zip(("first", "steady"), cycles, strict=True):
                print(
                    f"{n} poller(s), {label:6}: {c['wall']:7.1f} s wall, "
                    f"{c['cpu_ms_per_feed']:6.1f} ms CPU/feed, {c['statements']:7.0f} statements, "
                    f"{c['commits']:6.0f} commits, {c['polled']:.0f} polled "
                    f"({c['failed']:.0f} failed, spread {c['per_process']:.0f}); load {_load()}"
                )
    finally:
        server.kill()


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in psutil.getloadavg())
