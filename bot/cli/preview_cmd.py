"""``briefing preview URL``: the digests of a feed's newest items, nothing stored."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.cli.common import CommandError, settings_from
from bot.cli.terminal import print_digest
from bot.models import Article
from bot.pipeline import FeedUnavailable
from bot.runtime import open_reader


def register(commands: Any) -> None:
    """Add the ``preview`` sub-command."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "preview",
        help="print the digests of a feed's newest items (nothing is stored)",
        description="Fetch a feed (or a page that advertises one) and digest its newest items.",
    )
    parser.add_argument("url", help="feed URL, or a web page with a <link rel=alternate> feed")
    parser.add_argument("--limit", type=int, default=3, help="how many items (1-20, default 3)")
    parser.add_argument("--json", action="store_true", help="JSON output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Preview a feed; returns the exit status."""
    if not 1 <= args.limit <= 20:
        raise CommandError("--limit must be between 1 and 20")
    settings = settings_from(args)
    return asyncio.run(_preview(settings, args.url, args.limit, as_json=args.json))


async def _preview(settings: Any, url: str, limit: int, *, as_json: bool) -> int:
    async with open_reader(settings) as reader:
        try:
            read = await reader.pipeline.read_feed(url)
        except FeedUnavailable as exc:
            raise CommandError(f"cannot read {url}: {exc}") from None
        assert read.parsed is not None  # no validators were sent, so no 304
        newest = sorted(read.parsed.entries, key=lambda e: e.published, reverse=True)[:limit]
        articles = await reader.pipeline.prepare(newest)
    if as_json:
        payload = {
            "feed": {"url": read.url, "title": read.parsed.title, "format": read.parsed.format},
            "items": [article_json(a) for a in articles],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{read.parsed.title or read.url} ({read.url}): {len(read.parsed.entries)} items\n")
    for article in articles:
        print_digest(article.digest, title=article.entry.title, link=article.entry.link)
    return 0


def article_json(article: Article) -> dict[str, Any]:
    """An article as printed by ``--json`` outputs."""
    entry = article.entry
    return {
        "id": entry.id,
        "title": entry.title,
        "link": entry.link,
        "published": entry.published.isoformat(),
        "text_source": article.text_source,
        "extraction_note": article.extraction_note,
        **(article.digest.to_dict() if article.digest is not None else {}),
    }
