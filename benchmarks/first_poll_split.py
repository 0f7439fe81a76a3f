"""Where a first poll's CPU goes: the worker's jobs per feed, and the main process's profile.

    .venv/bin/python benchmarks/first_poll_split.py                  # worker side only
    .venv/bin/python benchmarks/first_poll_split.py --profile 1000   # + main process, 1,000 feeds

Worker side: one 20-item feed of ``benchmarks/_poll_cycle.py`` (the feeds ``poll_vs_reader``
serves) parsed, then prepared with its digests (as before) and without (a first poll's
backlog now), and what crosses the process boundary. ``--profile N`` runs Briefing's first
poll of N local feeds with cProfile on the main process (the workers are not profiled: their
share is the worker side above) and prints the main process's heaviest functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pickle
import pstats
import time
from collections.abc import Callable
from typing import Any

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


def main_side(feeds: int) -> None:
    """Profile the main process through one first poll of ``feeds`` local feeds."""
    import multiprocessing  # noqa: PLC0415

    from _poll_cycle import serve  # noqa: PLC0415
    from _reader_side import Job  # noqa: PLC0415
    from _vs_reader import _briefing  # noqa: PLC0415

    spawn = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = spawn.Queue()
    server = spawn.Process(target=serve, args=(ports, set(), False), daemon=True)
    server.start()
    try:
        job = Job("briefing", feeds, ports.get(timeout=30), 2, 16)
        profile = cProfile.Profile()
        result = profile.runcall(asyncio.run, _briefing(job))
    finally:
        server.kill()
    first = result["first"]
    print(f"first poll of {feeds} feeds: {first['wall']:.1f} s wall, {first['cpu']:.1f} s CPU")
    stats = pstats.Stats(profile)
    print("main process, by own time (both cycles):")
    stats.sort_stats("tottime").print_stats(15)
    print("main process, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", type=int, metavar="FEEDS", help="profile a first poll")
    args = parser.parse_args()
    worker_side()
    if args.profile:
        main_side(args.profile)


if __name__ == "__main__":
    main()
