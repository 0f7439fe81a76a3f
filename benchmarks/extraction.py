"""Article extraction benchmark: bot.feeds.extract over the 181 pages of ../shared/extraction.

Scores like ../shared/extraction/DATA.md (upstream evaluate.py of scrapinghub/article-extraction-
benchmark): 4-word shingles over \\w+ tokens, per-page TP/FP/FN normalised, precision and recall
macro-averaged (pages with no predicted / no gold shingles left out of P / R), F1 from mean P and R,
accuracy = identical token lists. A failed extraction scores as an empty prediction.

    .venv/bin/python benchmarks/extraction.py             # the project's settings
    .venv/bin/python benchmarks/extraction.py --compare   # and the alternatives
    .venv/bin/python benchmarks/extraction.py --stress    # memory and time on hostile pages
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.feeds.extract import ExtractionError, ExtractOptions, extract_article  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("BRIEFING_SHARED_DIR", ROOT.parent / "shared")) / "extraction"
_TOKEN = re.compile(r"\w+")
PROJECT = ExtractOptions()
ALTERNATIVES: dict[str, ExtractOptions] = {
    "project (favor_precision, metadata)": PROJECT,
    "favor_precision, no metadata": replace(PROJECT, with_metadata=False),
    "favor_precision, no tables": replace(PROJECT, include_tables=False),
    "default (balanced)": replace(PROJECT, favor_precision=False),
    "fast": replace(PROJECT, favor_precision=False, fast=True),
    "fast + favor_precision": replace(PROJECT, fast=True),
    "favor_recall": replace(PROJECT, favor_precision=False, favor_recall=True),
}


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Counts of n-token shingles (a text shorter than n is one shingle)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def page_counts(gold: str, pred: str) -> tuple[float, float, float]:
    """Normalised TP, FP, FN of one page."""
    true, guess = shingles(gold), shingles(pred)
    tp = sum((true & guess).values())
    fp = sum((guess - true).values())
    fn = sum((true - guess).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Macro precision, recall, and F1 from them."""

    def ratio(tp: float, wrong: float, other: float) -> float:
        if wrong == other == 0:
            return 1.0
        return 0.0 if tp == wrong == 0 else tp / (tp + wrong)

    precision = statistics.mean(ratio(tp, fp, fn) for tp, fp, fn in counts if tp + fp > 0)
    recall = statistics.mean(ratio(tp, fn, fp) for tp, fp, fn in counts if tp + fn > 0)
    return 2 * precision * recall / (precision + recall), precision, recall


def load_pages(data: Path, limit: int | None) -> list[tuple[str, bytes, str]]:
    """(url, html bytes, gold text) of each page, in id order."""
    rows = [json.loads(line) for line in (data / "data.jsonl").read_text("utf-8").splitlines()]
    pages = [(r["url"], gzip.decompress((data / r["html"]).read_bytes()), r["gold"]) for r in rows]
    return pages[:limit] if limit else pages


def run(
    name: str, extract: Callable[[bytes, str], str], pages: list[tuple[str, bytes, str]]
) -> None:
    """Extract every page, print F1/P/R, accuracy, failures and ms/page."""
    extract(pages[0][1], pages[0][0])  # warm up imports and caches
    counts, times, same, failures = [], [], 0, Counter[str]()
    for url, html, gold in pages:
        start = time.perf_counter()
        try:
            pred = extract(html, url)
        except ExtractionError as exc:
            pred = ""
            failures[str(exc).split(":")[0]] += 1
        times.append((time.perf_counter() - start) * 1000)
        counts.append(page_counts(gold, pred))
        same += _TOKEN.findall(gold) == _TOKEN.findall(pred)
    f1, precision, recall = score(counts)
    failed = ", ".join(f"{n} {why}" for why, n in failures.items()) or "none"
    print(
        f"{name:<38} F1 {f1:.3f}  P {precision:.3f}  R {recall:.3f}  acc {same / len(pages):.3f}"
        f"  ms/page mean {statistics.mean(times):5.1f} median {statistics.median(times):5.1f}"
        f"  failed: {failed}"
    )


def with_options(options: ExtractOptions) -> Callable[[bytes, str], str]:
    """An extractor running the project's code with ``options``."""
    return lambda html, url: extract_article(html, url=url, options=options).text


def plain_trafilatura(html: bytes, url: str) -> str:
    """Upstream's own call (trafilatura.extract, include_comments=False), as a scoring check."""
    import trafilatura  # noqa: PLC0415

    return trafilatura.extract(html.decode("utf-8"), include_comments=False) or ""


_MIB = 10 * 1024 * 1024
_ARTICLE = (
    "<article>"
    + "".join(f"<p>Sentence {i} of the real story.</p>" for i in range(40))
    + "</article>"
)


def _fill(unit: str, count: int | None = None) -> str:
    """A page whose body repeats ``unit`` (``{}`` numbered; ``count`` times, or to ~10 MiB)."""
    count = count if count is not None else (_MIB - 100) // len(unit)
    body = "".join(unit.format(i) for i in range(count)) if "{}" in unit else unit * count
    return "<html><body><article>" + body + "</article></body></html>"


# Hostile pages: far beyond the bounds (refused cheaply) and just under them (the real worst case).
STRESS: dict[str, Callable[[], str]] = {
    "10 MiB of <b>x</b> (1.3 M elements)": lambda: _fill("<b>x</b>"),
    "10 MiB of nested <div>": lambda: _fill("<div>"),
    "10 MiB of 200-word paragraphs": lambda: _fill(
        "<p>{} " + "lorem ipsum dolor sit " * 50 + "</p>"
    ),
    "9.5 MB JSON script + article": lambda: (
        "<html><body><script type='application/json'>"
        + '{"k": "v"}, ' * (9_500_000 // 12)  # libxml2 truncates text nodes > 10 M chars
        + "</script>"
        + _ARTICLE
        + "</body></html>"
    ),
    "markup just under the limit": lambda: _fill("<b>x</b>", PROJECT.max_markup // 2 - 50),
    "elements just under the limit (table)": lambda: _fill(
        "<tr><td>a b {}</td><td>c d</td></tr>", PROJECT.max_elements // 3 - 50
    ),
    "elements just under the limit (<p>)": lambda: _fill(
        "<div><p>word {} two three four five</p></div>", PROJECT.max_elements // 2 - 50
    ),
    "text just under the limit": lambda: _fill(
        "<p>{} " + "lorem ipsum dolor sit " * 50 + "</p>", PROJECT.max_text_chars // 1110 - 50
    ),
}


def stress_one(name: str) -> None:
    """Extract one hostile page (run in a fresh process) and print time, peak RSS and outcome."""
    page = STRESS[name]().encode()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        outcome = f"{extract_article(page).word_count} words"
    except ExtractionError as exc:
        outcome = f"refused: {exc}"
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    print(f"{name:<40} {time.perf_counter() - start:6.2f} s  peak +{peak:5.0f} MB  {outcome}")


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="extraction folder")
    parser.add_argument("--compare", action="store_true", help="also run the alternatives")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--stress", action="store_true", help="hostile 10 MiB pages instead")
    parser.add_argument("--stress-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stress_one:
        stress_one(args.stress_one)
        return
    if args.stress:
        print("peak = extra max RSS while extracting the page (the page itself excluded)")
        for name in STRESS:
            subprocess.run([sys.executable, __file__, "--stress-one", name], check=True)
        return
    if not (args.data / "data.jsonl").is_file():
        print(f"skipped: {args.data}/data.jsonl is absent (pass --data or BRIEFING_SHARED_DIR)")
        return
    pages = load_pages(args.data, args.limit)
    print(f"{len(pages)} pages from {args.data}")
    if not args.compare:
        run("project (favor_precision, metadata)", with_options(PROJECT), pages)
        return
    for name, options in ALTERNATIVES.items():
        run(name, with_options(options), pages)
    run("trafilatura.extract as upstream runs it", plain_trafilatura, pages)


if __name__ == "__main__":
    main()
