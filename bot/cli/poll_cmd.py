"""``briefing poll-once``: one poll cycle over the configured database."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Any

from rich.console import Console

from bot.cli.common import settings_from
from bot.cli.failures import open_runtime_or_explain
from bot.cli.terminal import print_digest
from bot.models import Article
from bot.settings import Settings
from bot.store import FeedRow

ROLE = "poll-once"


def register(commands: Any) -> None:
    """Add the ``poll-once`` sub-command."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "poll-once",
        help="run one poll cycle over the configured database and print what would be delivered",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Poll the due feeds once; exit status 1 when any feed failed."""
    return asyncio.run(poll_once(settings_from(args)))


async def poll_once(settings: Settings) -> int:
    """One cycle: new articles are printed with the number of channels they go to."""
    console = Console(highlight=False)

    async def show(feed: FeedRow, articles: Sequence[Article], baseline: bool) -> None:
        if baseline:
            console.print(f"{feed.url}: first poll, {len(articles)} existing item(s) recorded")
            return
        for article in articles:
            print_digest(
                article.digest,
                title=article.entry.title,
                link=article.entry.link,
                source=feed.title or feed.url,
                console=console,
            )

    async with AsyncExitStack() as stack:
        # A worker of its own: beside a running bot it must not replace the bot's worker row.
        runtime = await open_runtime_or_explain(stack, settings, role=ROLE)
        report = await runtime.poller(on_articles=show).run_cycle()
        pending = await runtime.store.pending_count()
    console.print(
        f"{report.feeds} feed(s) polled: {report.not_modified} unchanged, "
        f"{report.changed} changed, {report.failed} failed; {report.new_articles} new article(s), "
        f"{report.deliveries} delivery(ies) queued, {pending} pending in all"
    )
    for url, error in report.errors.items():
        console.print(f"[red]{url}: {error}[/red]")
    return 1 if report.failed else 0
