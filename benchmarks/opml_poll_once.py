"""The command line at volume: ``opml import`` of N feeds, then ``poll-once`` twice.

    cd benchmarks && ../.venv/bin/python opml_poll_once.py --feeds 10000

What a self-hoster runs, as separate ``python -m bot`` processes on a fresh SQLite database in a
temporary data directory, against one local feed server (20 items per feed, not counted):
``opml import`` of every feed into one channel, a first ``poll-once`` (every feed's first poll),
then, once the feeds are due again, a second ``poll-once`` where ~90 % answer 304 and ~10 % carry
one new item. Each command must exit on its own with status 0. Prints each command's wall time
and the peak PSS of its whole process tree (worker processes included).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from _poll_cycle import serve
from _reader_side import set_phase
from _sampler import _pss

ROOT = Path(__file__).resolve().parent.parent
# Feeds are due again this long after their first poll (the shortest interval allowed).
INTERVAL = 60


def peak_pss(pid: int, stop: threading.Event, out: list[int]) -> None:
    """Sample the PSS of ``pid`` and its descendants until ``stop``; the peak in ``out``."""
    root = psutil.Process(pid)
    while not stop.is_set():
        total = 0
        try:
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(OSError, psutil.Error):
                    total += _pss(process.pid)
        except psutil.Error:
            break
        out[0] = max(out[0], total)
        time.sleep(0.1)


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Run ``python -m bot ARGS``: wall seconds, exit status, peak PSS (MB), last output."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=peak_pss, args=(process.pid, stop, peak))
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    tail = "\n".join(output.strip().splitlines()[-2:])
    return wall, process.returncode, peak[0] >> 20, tail


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=10_000)
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = spawn.Queue()
    changed = set(range(0, args.feeds, 10))  # ~10 % carry one new item when due again
    server = spawn.Process(target=serve, args=(ports, changed, False), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            opml = Path(tmp) / "feeds.opml"
            outlines = "".join(
                f'<outline type="rss" text="Feed {n}" '
                f'xmlUrl="http://127.0.0.1:{port}/feed/{n}.xml"/>'
                for n in range(args.feeds)
            )
            opml.write_text(
                f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>'
            )
            env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
            env |= {
                "BRIEFING_DATA_DIR": str(Path(tmp) / "data"),
                "BRIEFING_ALLOW_PRIVATE_URLS": "true",
                "BRIEFING_POLL_INTERVAL_SECONDS": str(INTERVAL),
                "BRIEFING_MIN_POLL_INTERVAL_SECONDS": str(INTERVAL),
                "BRIEFING_LOG_LEVEL": "WARNING",
                "COLUMNS": "200",  # one line per summary
            }
            steps = [
                (
                    "opml import",
                    ["opml", "import", str(opml), "--guild", "1", "--channel", "2"],
                ),
                ("poll-once (first poll)", ["poll-once"]),
            ]
            for name, command in steps:
                wall, status, pss, tail = run(command, env)
                print(f"{name:24} {wall:7.1f} s  exit {status}  peak PSS {pss:4d} MB  | {tail}")
                if status != 0:
                    raise SystemExit(f"{name} failed")
            set_phase(port, 2)
            time.sleep(INTERVAL * 1.15)  # every feed due again (the interval, its jitter)
            wall, status, pss, tail = run(["poll-once"], env)
            name = "poll-once (steady)"
            print(f"{name:24} {wall:7.1f} s  exit {status}  peak PSS {pss:4d} MB  | {tail}")
    finally:
        server.kill()


if __name__ == "__main__":
    main()
