"""``briefing digest``: key points of a text or HTML file, stdin, or a JSON-lines batch."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from bot.digest import summarize
from bot.models import Digest

MAX_INPUT_BYTES = 20 * 1024 * 1024


def register(commands: Any) -> None:
    """Add the ``digest`` sub-command."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "digest",
        help="print the key points of an article (text or HTML file, or - for stdin)",
        description="Print the key points of an article. HTML is reduced to its main text first.",
    )
    parser.add_argument("path", nargs="?", help="text or HTML file, or - for stdin")
    parser.add_argument("--points", type=int, default=3, help="number of key points (1-10)")
    parser.add_argument("--title", default=None, help="the article's title, if known")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the digest as JSON")
    output.add_argument(
        "--jsonl",
        type=Path,
        metavar="FILE",
        help='batch: JSON lines {"id", "text", "title"?} in, JSON lines out (- for stdin)',
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Digest one article or a batch; returns the exit status."""
    if not 1 <= args.points <= 10:
        print("briefing digest: --points must be between 1 and 10", file=sys.stderr)
        return 2
    if args.jsonl is not None:
        if args.path is not None:
            print("briefing digest: give either PATH or --jsonl FILE, not both", file=sys.stderr)
            return 2
        return _run_batch(args.jsonl, args.points)
    if args.path is None:
        print("briefing digest: give a PATH (or - for stdin) or --jsonl FILE", file=sys.stderr)
        return 2
    try:
        raw = _read_input(args.path)
    except OSError as exc:
        print(f"briefing digest: cannot read {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    text, title = _article_text(raw, args.path)
    digest = summarize(text, title=args.title or title, max_points=args.points)
    if args.json:
        json.dump(
            _json_digest(digest, args.title or title), sys.stdout, ensure_ascii=False, indent=2
        )
        sys.stdout.write("\n")
    else:
        from bot.cli.terminal import print_digest  # noqa: PLC0415  (rich: only for a terminal)

        print_digest(digest, title=args.title or title)
    return 0


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES)
    with open(path, "rb") as handle:
        return handle.read(MAX_INPUT_BYTES)


def _looks_like_html(raw: bytes, path: str) -> bool:
    if path.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = raw[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def _article_text(raw: bytes, path: str) -> tuple[str, str | None]:
    """The article's text (main text of an HTML page) and its title when the page has one."""
    if _looks_like_html(raw, path):
        # Imported here: trafilatura takes a while to import and only HTML input needs it.
        from bot.feeds.extract import ExtractionError, extract_article  # noqa: PLC0415

        try:
            extraction = extract_article(raw)
        except ExtractionError as exc:
            print(f"briefing digest: {path}: {exc}; using the page's whole text", file=sys.stderr)
        else:
            if extraction is not None:
                return extraction.text, extraction.title
    return raw.decode("utf-8", errors="replace"), None


def _json_digest(digest: Digest, title: str | None) -> dict[str, Any]:
    return {"title": title, **digest.to_dict()}


def _run_batch(path: Path, points: int) -> int:
    """Stream digests of a JSON-lines file; bad lines are reported by number and skipped."""
    failures = 0
    try:
        handle: IO[bytes] = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    except OSError as exc:
        print(f"briefing digest: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    with handle:
        for number, line in _numbered_lines(handle, path):
            try:
                item = _parse_batch_line(line)
            except ValueError as exc:
                failures += 1
                print(f"briefing digest: {path}:{number}: {exc}", file=sys.stderr)
                continue
            digest = summarize(item["text"], title=item.get("title"), max_points=points)
            record = {
                "id": item["id"],
                "key_points": [point.text for point in digest.key_points],
                "tldr": digest.tldr,
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if failures:
        print(f"briefing digest: {failures} line(s) skipped", file=sys.stderr)
    return 1 if failures else 0


def _numbered_lines(handle: IO[bytes], path: Path) -> Iterator[tuple[int, bytes]]:
    if not sys.stderr.isatty():  # no progress bar: rich need not be imported
        yield from ((n, line) for n, line in enumerate(handle, start=1) if line.strip())
        return
    from bot.cli.terminal import progress_over  # noqa: PLC0415

    total = path.stat().st_size if str(path) != "-" and path.is_file() else None
    with progress_over(total, enabled=True) as advance:
        for number, line in enumerate(handle, start=1):
            advance(len(line))
            if line.strip():
                yield number, line


def _parse_batch_line(line: bytes) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(item, dict):
        raise ValueError("expected a JSON object with 'id' and 'text'")
    if "id" not in item:
        raise ValueError("missing 'id'")
    if not isinstance(item.get("text"), str):
        raise ValueError("'text' must be a string")
    if item.get("title") is not None and not isinstance(item["title"], str):
        raise ValueError("'title' must be a string")
    return item
