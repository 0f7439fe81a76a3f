"""How long parse_feed takes per feed over the real-world corpus, against bare feedparser.

Usage: python benchmarks/parse_speed.py [--repeat N] [--corpus DIR]

Prints, for the corpus as a whole and for its largest files: milliseconds per feed for
``bot.feeds.parse.parse_feed`` (feedparser plus our normalisation) and for ``feedparser.parse``
alone on the same bytes with its default (sanitising) settings, as a reference. Single process;
each file is parsed N times and the median taken, both wall-clock and CPU (the machine may be
shared, so CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import io
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import feedparser

from bot.feeds.parse import FeedParseError, parse_feed

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "feeds" / "files"


@dataclass
class Row:
    """Figures for one corpus file."""

    name: str
    size: int
    entries: int
    ours_ms: float
    ours_cpu_ms: float
    bare_ms: float
    bare_cpu_ms: float


def _median_ms(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _bare_feedparser(body: bytes) -> None:
    if body.startswith(b"\x1f\x8b"):
        body = gzip.decompress(body)
    feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/xml"})


def _quiet_parse(body: bytes, url: str) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed(body, url=url)


def _measure(path: Path, repeat: int) -> Row:
    body = path.read_bytes()
    url = f"https://corpus.example/{path.name}"
    try:
        entries = len(parse_feed(body, url=url).entries)
    except FeedParseError:
        entries = 0
    ours = _median_ms(functools.partial(_quiet_parse, body, url), repeat)
    bare = _median_ms(functools.partial(_bare_feedparser, body), repeat)
    return Row(path.name, len(body), entries, *ours, *bare)


def _summary(label: str, wall: list[float], cpu: list[float], entries: int) -> str:
    return (
        f"{label:16} wall {sum(wall):7.1f} ms total, {sum(wall) / len(wall):5.2f} ms/feed mean, "
        f"{statistics.median(wall):4.2f} median | CPU {sum(cpu):7.1f} ms total, "
        f"{sum(cpu) / len(cpu):5.2f} ms/feed, {sum(cpu) / max(entries, 1):5.3f} ms/entry"
    )


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description="parse_feed speed over the feed corpus")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus {args.corpus} is absent")
        return 1
    rows = [_measure(p, args.repeat) for p in sorted(args.corpus.iterdir()) if p.is_file()]
    entries = sum(row.entries for row in rows)
    size = sum(row.size for row in rows)
    print(
        f"corpus: {len(rows)} files, {size / 1e6:.2f} MB, {entries} entries, repeat {args.repeat}"
    )
    ours_cpu = [row.ours_cpu_ms for row in rows]
    bare_cpu = [row.bare_cpu_ms for row in rows]
    print(_summary("parse_feed", [row.ours_ms for row in rows], ours_cpu, entries))
    print(_summary("feedparser alone", [row.bare_ms for row in rows], bare_cpu, entries))
    print(f"parse_feed CPU vs feedparser alone: {100 * (sum(ours_cpu) / sum(bare_cpu) - 1):+.1f} %")
    print(
        "\nlargest files:                          KB  entries  parse_feed ms  feedparser ms (CPU)"
    )
    for row in sorted(rows, key=lambda r: -r.size)[:8]:
        print(
            f"  {row.name:38.38} {row.size / 1024:7.1f} {row.entries:7d}"
            f" {row.ours_cpu_ms:13.1f} {row.bare_cpu_ms:14.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
