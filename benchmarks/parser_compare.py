"""Do fastfeedparser and feedparser-rs yield the same entries as feedparser, and how fast are they?

Over every file of ../shared/feeds/files/: feedparser 6.0 is called as bot/feeds/parse.py calls it
(BytesIO, an XML media type, no Content-Location, relative URIs resolved, HTML sanitised); the
other two get the same bytes (gunzipped, leading whitespace stripped) with their defaults. Compared
per entry, in order: id, link, title, date (published, else updated, as UTC to the second), and the
entry count. JSON Feed files are listed but not scored: feedparser 6.0 reads none of them (the
project has its own reader). The two candidates are not project dependencies:

    .venv/bin/pip install fastfeedparser feedparser-rs
    .venv/bin/python benchmarks/parser_compare.py [--runs 7] [--files DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import gzip
import io
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = Path(os.environ.get("BRIEFING_SHARED_DIR", ROOT.parent / "shared")) / "feeds/files"
FIELDS = ("id", "link", "title", "date")
Row = tuple[Any, ...]  # (id, link, title, date) of one entry


def read_body(path: Path) -> bytes:
    """The bytes a parser gets: gunzipped, whitespace before the XML declaration removed."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.lstrip()


def run_feedparser(body: bytes) -> Any:
    """feedparser as bot/feeds/parse.py calls it."""
    import feedparser  # noqa: PLC0415

    return feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": "application/xml"},
        resolve_relative_uris=True,
        sanitize_html=True,
    )


def run_fastfeedparser(body: bytes) -> Any:
    """fastfeedparser with its defaults (bytes: never mistaken for a URL)."""
    import fastfeedparser  # noqa: PLC0415

    return fastfeedparser.parse(body)


def run_feedparser_rs(body: bytes) -> Any:
    """feedparser-rs with its defaults (sanitize_html and resolve_relative_uris on)."""
    import feedparser_rs  # noqa: PLC0415

    return feedparser_rs.parse(body)


PARSERS: dict[str, Callable[[bytes], Any]] = {
    "feedparser": run_feedparser,
    "fastfeedparser": run_fastfeedparser,
    "feedparser-rs": run_feedparser_rs,
}


def _get(obj: Any, key: str) -> Any:
    # dict.get on feedparser's dict: its .get("updated") silently falls back to "published".
    return dict.get(obj, key) if isinstance(obj, dict) else obj.get(key)


def _date(entry: Any) -> datetime | None:
    """The entry's date as the project reads it: parsed published, else updated, in UTC."""
    for key in ("published", "updated"):
        parsed = _get(entry, f"{key}_parsed")
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        raw = _get(entry, key)
        if raw:
            try:  # fastfeedparser gives ISO 8601 strings only
                value = datetime.fromisoformat(raw)
            except (TypeError, ValueError):
                continue
            value = value.replace(microsecond=0)  # feedparser's struct_time has whole seconds
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def entries(result: Any) -> list[Row]:
    """(id, link, title, date) of each entry, in document order."""
    rows = []
    for entry in _get(result, "entries") or []:
        rows.append((_get(entry, "id"), _get(entry, "link"), _get(entry, "title"), _date(entry)))
    return rows


def outcome(parser: Callable[[bytes], Any], body: bytes) -> tuple[list[Row], str | None]:
    """The entries, or no entries and the error the parser raised."""
    try:
        return entries(parser(body)), None
    except Exception as exc:
        return [], f"{type(exc).__name__}: {str(exc)[:60]}"


def differences(reference: list[Row], other: list[Row]) -> Counter[str]:
    """Which fields differ (entry pairs in order), plus "count" when the numbers differ."""
    diff: Counter[str] = Counter()
    if len(reference) != len(other):
        diff["count"] += 1
    for ref, got in zip(reference, other, strict=False):
        for name, a, b in zip(FIELDS, ref, got, strict=True):
            diff[name] += a != b
    return +diff


def median_ms(parser: Callable[[bytes], Any], body: bytes, runs: int) -> float:
    """Median wall time of one parse, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # a failure costs time too: timed like a success
            parser(body)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def describe(diff: Counter[str], error: str | None) -> str:
    """'same', or what differs."""
    if not diff and not error:
        return "same"
    text = " ".join(f"{k}x{v}" for k, v in diff.items())
    return (text + (f" [{error}]" if error else "")).strip()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=Path, default=DEFAULT_FILES, help="feed corpus folder")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per file and parser")
    parser.add_argument("--verbose", action="store_true", help="show the first differing entry")
    args = parser.parse_args()
    if not args.files.is_dir():
        print(f"skipped: {args.files} is absent (pass --files or BRIEFING_SHARED_DIR)")
        return
    others = [name for name in PARSERS if name != "feedparser"]
    agree: Counter[str] = Counter()
    fields: dict[str, Counter[str]] = {name: Counter() for name in others}
    times: dict[str, list[float]] = {name: [] for name in PARSERS}
    scored = 0
    print(f"{'file':<42} {'n':>4} " + " ".join(f"{n:<22}" for n in others) + "  ms: fp / ffp / rs")
    for path in sorted(args.files.iterdir()):
        body = read_body(path)
        reference, ref_error = outcome(run_feedparser, body)
        is_json = path.suffix == ".json"
        cells = []
        for name in others:
            got, error = outcome(PARSERS[name], body)
            diff = differences(reference, got)
            if not is_json:
                agree[name] += not diff
                fields[name].update(diff)
            cells.append(describe(diff, error) if not is_json else "(JSON: not scored)")
            if args.verbose and diff and not is_json:
                pair = next(((r, g) for r, g in zip(reference, got, strict=False) if r != g), None)
                print(f"    {name}: feedparser {pair[0] if pair else reference[:1]}")
                print(f"    {' ' * len(name)}  other      {pair[1] if pair else got[:1]}")
        scored += not is_json
        ms = [median_ms(PARSERS[name], body, args.runs) for name in PARSERS]
        for name, value in zip(PARSERS, ms, strict=True):
            times[name].append(value)
        note = f" [feedparser: {ref_error}]" if ref_error else ""
        print(
            f"{path.name[:42]:<42} {len(reference):>4} "
            + " ".join(f"{c[:22]:<22}" for c in cells)
            + "  "
            + " / ".join(f"{v:.2f}" for v in ms)
            + note
        )
    print(f"\nfiles: {len(times['feedparser'])}, scored (not JSON Feed): {scored}")
    for name in others:
        detail = ", ".join(f"{k} {v}" for k, v in fields[name].most_common()) or "none"
        print(
            f"{name:<15} agrees fully on {agree[name]}/{scored} files; entries differing: {detail}"
        )
    base = sum(times["feedparser"])
    for name, values in times.items():
        total = sum(values)
        print(
            f"{name:<15} corpus {total:8.1f} ms  median {statistics.median(values):6.2f} ms/feed"
            f"  mean {statistics.mean(values):6.2f} ms/feed  speed-up x{base / total:5.1f}"
        )


if __name__ == "__main__":
    main()
