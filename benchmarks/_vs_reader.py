"""The code of ``benchmarks/poll_vs_reader.py`` (see there)."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import queue
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _poll_cycle import FEEDS_PER_HOST, AllLocal, serve
from _reader_side import Job, Phase, Result, figures, reader_child, set_phase
from _sampler import LoopWatch, Sampler

from bot.feeds.fetch import Fetcher
from bot.feeds.http import FetchLimits, create_session
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.schedule import PollPolicy
from bot.settings import Settings
from bot.store import Store
from bot.workers import Workers

SYSTEMS = ("briefing", "reader")
# A run that has not finished after this long has hung: the benchmark stops rather than wait.
RUN_DEADLINE = 3 * 3600


def run_briefing(job: Job) -> Result:
    """Briefing: the real poller (store, HTTP, worker pool) over the same feeds, twice."""
    return asyncio.run(_briefing(job))


async def _briefing(job: Job) -> Result:
    offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    defaults = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", clock=clock)
        limits = FetchLimits(allow_private=True, total_timeout=60, connect_timeout=30)
        session = create_session(limits, resolver=AllLocal())
        pool = Workers(job.workers)
        try:
            for n in range(job.feeds):
                host = f"feeds{n // FEEDS_PER_HOST}.bench.test"
                await store.add_feed(f"http://{host}:{job.port}/feed/{n}.xml")
            pipeline = Pipeline(
                Fetcher(session, limits), pool, max_entries=defaults.max_entries_per_feed
            )
            policy = PollPolicy(interval=600, minimum=60, maximum=21600, jitter=0.1)
            poller = Poller(store, pipeline, policy, clock=clock, concurrency=64)
            first = await _cycle(poller, job.feeds)
            set_phase(job.port, 2)
            offset[0] = timedelta(days=1)  # every feed due again
            steady = await _cycle(poller, job.feeds)
        finally:
            await session.close()
            pool.close()
            await store.close()
    return {"first": first, "steady": steady}


async def _cycle(poller: Poller, feeds: int) -> Phase:
    with Sampler(exclude=0) as sampler:
        cpu0, t0 = sampler.cpu(), time.perf_counter()
        async with LoopWatch() as loop:
            report = await poller.run_cycle()
        phase = figures(sampler, cpu0, t0)
    phase.update(loop_busy=loop.busy, loop_worst=loop.worst_busy, loop_late=loop.worst_late)
    assert report.feeds == feeds, report
    assert report.failed == 0, report.errors
    return phase


def briefing_child(job: Job, out: multiprocessing.Queue[Result]) -> None:
    """Entry point of one Briefing run's process."""
    out.put(run_briefing(job))


def run_once(job: Job) -> Result:
    """One run in a fresh process (not a daemon: Briefing's pool spawns processes of its own)."""
    set_phase(job.port, 1)
    spawn = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[Result] = spawn.Queue()
    target = reader_child if job.system == "reader" else briefing_child
    process = spawn.Process(target=target, args=(job, out))
    process.start()
    deadline = time.monotonic() + RUN_DEADLINE
    while time.monotonic() < deadline:
        try:
            result = out.get(timeout=1)
        except queue.Empty:
            if not process.is_alive():
                raise SystemExit(
                    f"the {job.system} run died (exit code {process.exitcode})"
                ) from None
            continue
        process.join(60)
        return result
    process.kill()
    raise SystemExit(f"the {job.system} run did not finish within {RUN_DEADLINE} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each system (median)")
    parser.add_argument("--workers", type=int, default=2, help="Briefing's worker processes")
    parser.add_argument("--reader-workers", type=int, default=16, help="reader's threads")
    parser.add_argument("--only", choices=SYSTEMS, help="run one system only")
    args = parser.parse_args()
    systems = [args.only] if args.only else list(SYSTEMS)
    spawn = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = spawn.Queue()
    changed_every = 10  # ~10 % of feeds carry one new item in the steady-state cycle
    for n in args.feeds:
        changed = set(range(0, n, changed_every))
        server = spawn.Process(target=serve, args=(ports, changed, False), daemon=True)
        server.start()
        port = ports.get(timeout=30)
        try:
            _compare(n, port, systems, args)
        finally:
            server.kill()


def _compare(n: int, port: int, systems: list[str], args: argparse.Namespace) -> None:
    results: dict[str, list[Result]] = {s: [] for s in systems}
    for run in range(args.runs):
        for system in systems:  # alternately, so drifting machine load hits both alike
            job = Job(system, n, port, args.workers, args.reader_workers)
            result = run_once(job)
            results[system].append(result)
            print(f"  run {run + 1} {system:8} {n} feeds: {_line(result)}", flush=True)
    print(f"{n} feeds, medians of {args.runs} run(s):")
    for phase in ("first", "steady"):
        for system in systems:
            rows = [r[phase] for r in results[system]]
            med = {k: statistics.median(row[k] for row in rows) for k in rows[0]}
            print(
                f"  {phase:6} {system:8} wall {med['wall']:7.2f} s  CPU {med['cpu']:7.2f} s  "
                f"peak PSS {med['pss']:5.0f} MB (RSS sum {med['rss']:5.0f} MB){_loop(med)}"
            )
        if len(systems) == 2:
            ours = statistics.median(r[phase]["wall"] for r in results["briefing"])
            theirs = statistics.median(r[phase]["wall"] for r in results["reader"])
            print(f"  {phase:6} Briefing / reader wall time: {ours / theirs:.2f}x")


def _line(result: Result) -> str:
    return "; ".join(
        f"{phase} {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, "
        f"PSS {r['pss']:.0f} MB (RSS {r['rss']:.0f} MB; at the peak "
        f"{r['peak_processes']:.0f} processes, main {r['peak_main']:.0f} MB, "
        f"largest child {r['peak_child']:.0f} MB){_loop(r)}"
        for phase, r in result.items()
    )


def _loop(figures: dict[str, float]) -> str:
    """The event loop's figures (Briefing only): busy CPU apart from lateness."""
    if "loop_busy" not in figures:
        return ""
    worst, late = figures["loop_worst"] * 1000, figures["loop_late"] * 1000
    return (
        f"; loop busy {figures['loop_busy']:.1f} s CPU, most in one 50 ms tick "
        f"{worst:.0f} ms, worst lateness {late:.0f} ms"
    )
