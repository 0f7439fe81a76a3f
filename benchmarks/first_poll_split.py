"""Where a first poll's CPU goes: the worker's jobs per feed, and the main process's profile.

    .venv/bin/python benchmarks/first_poll_split.py                  # worker side only
    cd benchmarks && ../.venv/bin/python first_poll_split.py --split 1000 [--profile]

Worker side: one 20-item feed of ``benchmarks/_poll_cycle.py`` (the feeds ``poll_vs_reader``
serves) parsed, then prepared with its digests (as before) and without (a first poll's
backlog now), and what crosses the process boundary. ``--split N`` runs Briefing's first poll
(and steady cycle) of N local feeds and prints the CPU of each main-process thread (the event
loop, SQLite's thread...), the workers' CPU and each process's peak PSS; ``--profile`` adds
cProfile on the main thread (its overhead inflates the figures above).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import pickle
import pstats
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
from _poll_cycle import ITEMS_PER_FEED, feed_xml

FEEDS = 60


def _cpu_ms(step: Callable[[], Any], repeat: int) -> float:
    """CPU milliseconds per call of ``step``."""
    step()  # warm: imports, the language model
    started = time.process_time()
    for _ in range(repeat):
        step()
    return (time.process_time() - started) / repeat * 1000


def worker_side() -> None:
    """Print the worker's CPU per first-polled feed, digest included and left out."""
    from bot.feeds.parse import parse_feed  # noqa: PLC0415  (timed here, not at import)
    from bot.prepare import prepare_articles  # noqa: PLC0415

    bodies = [feed_xml(n, 1) for n in range(FEEDS)]
    parsed = [parse_feed(b, url=f"http://bench.test/{n}.xml") for n, b in enumerate(bodies)]
    it = iter(range(10**9))

    def parse() -> None:
        n = next(it) % FEEDS
        parse_feed(bodies[n], url=f"http://bench.test/{n}.xml")

    def prepare(digest: bool) -> Callable[[], Any]:
        return lambda: prepare_articles(parsed[next(it) % FEEDS].entries, digest=digest)

    done = prepare_articles(parsed[0].entries)
    moved = pickle.dumps(parsed[0]) + pickle.dumps(done)
    figures = {
        "parse": _cpu_ms(parse, FEEDS),
        "prepare with digests": _cpu_ms(prepare(True), FEEDS),
        "prepare without digests": _cpu_ms(prepare(False), FEEDS),
        "pickle both ways": _cpu_ms(lambda: pickle.loads(pickle.dumps(done)), FEEDS),
    }
    print(f"worker CPU per {ITEMS_PER_FEED}-item feed ({len(moved) // 1024} KB crossing):")
    for name, ms in figures.items():
        print(f"  {name:24} {ms:6.2f} ms")
    before = figures["parse"] + figures["prepare with digests"]
    after = figures["parse"] + figures["prepare without digests"]
    print(f"  first poll, all digested: {before:.1f} ms; backlog undigested: {after:.1f} ms")


def _watch_pss(server: int, peaks: dict[str, int], stop: threading.Event) -> None:
    """Each process's peak PSS (this one "main", its children by pid), the server left out."""
    from _sampler import _pss  # noqa: PLC0415

    me = psutil.Process()
    while not stop.wait(0.1):
        for process in [me, *me.children(recursive=True)]:
            if process.pid == server:
                continue
            name = "main" if process is me else f"child {process.pid}"
            with contextlib.suppress(OSError, psutil.Error):
                peaks[name] = max(peaks.get(name, 0), _pss(process.pid))


def main_side(feeds: int, *, profiled: bool) -> None:
    """One first poll of ``feeds`` local feeds: CPU by thread and process, PSS by process."""
    import multiprocessing  # noqa: PLC0415

    from _poll_cycle import serve  # noqa: PLC0415
    from _reader_side import Job  # noqa: PLC0415
    from _vs_reader import _briefing  # noqa: PLC0415

    spawn = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = spawn.Queue()
    server = spawn.Process(target=serve, args=(ports, set(), False), daemon=True)
    server.start()
    peaks: dict[str, int] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_pss, args=(server.pid or 0, peaks, stop))
    watcher.start()
    try:
        job = Job("briefing", feeds, ports.get(timeout=30), 2, 16)
        profile = cProfile.Profile() if profiled else None
        times = psutil.Process().cpu_times()
        cpu0 = (times.user + times.system, time.thread_time())
        if profile is not None:
            result = profile.runcall(asyncio.run, _briefing(job))
        else:
            result = asyncio.run(_briefing(job))
    finally:
        stop.set()
        watcher.join()
        server.kill()
    first = result["first"]
    print(f"first poll of {feeds} feeds: {first['wall']:.1f} s wall, {first['cpu']:.1f} s CPU")
    print("peak PSS per process: " + ", ".join(f"{k} {v / 2**20:.0f} MB" for k, v in peaks.items()))
    _cpu_split(cpu0)
    if profile is None:
        return
    stats = pstats.Stats(profile)
    print("main process, by own time (both cycles):")
    stats.sort_stats("tottime").print_stats(15)
    print("main process, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(25)


def _cpu_split(cpu0: tuple[float, float]) -> None:
    """CPU seconds of both cycles: the main process's event loop, its other threads, workers."""
    me = psutil.Process()
    times = me.cpu_times()
    loop = time.thread_time() - cpu0[1]
    process = times.user + times.system - cpu0[0]
    workers = times.children_user + times.children_system
    print(
        f"CPU (s): event loop {loop:.1f}, main process's other threads (SQLite, resolver, "
        f"sampler) {process - loop:.1f}, workers (all jobs, start-up included) {workers:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", type=int, metavar="FEEDS", help="split a first poll's CPU")
    parser.add_argument("--profile", action="store_true", help="and cProfile the main process")
    args = parser.parse_args()
    if args.split:  # first: the worker side would load the digest engine in this process
        main_side(args.split, profiled=args.profile)
    worker_side()


if __name__ == "__main__":
    main()
