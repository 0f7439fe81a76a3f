"""``briefing run`` (the default): the bot, or console mode when no Discord token is set."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from rich.console import Console

from bot.cli.common import CommandError, settings_from
from bot.cli.failures import open_runtime_or_explain
from bot.cli.stacks import install_stack_dump
from bot.cli.terminal import print_digest
from bot.errors import StartError
from bot.feeds.identity import normalize_url
from bot.models import Article, Digest
from bot.runtime import Runtime
from bot.settings import Settings
from bot.store import FeedRow

log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    """Add the ``run`` sub-command."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run Briefing (console mode when no Discord token is configured)",
        description="Run Briefing. Without a Discord token, polls the configured feeds and "
        "prints the digests it would post.",
    )
    add_arguments(parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``run`` options (also accepted by ``briefing`` with no sub-command)."""
    parser.add_argument(
        "--feed", action="append", default=[], metavar="URL", help="also poll this feed"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run until interrupted; returns the exit status."""
    settings = settings_from(args)
    try:
        token = settings.token()
    except OSError as exc:
        raise CommandError(f"cannot read discord_token_file: {exc}") from None
    if token:
        return asyncio.run(discord_mode(settings, token))
    feeds = [*settings.console.feeds, *args.feed]
    if not feeds:
        raise CommandError(
            "console mode has no feeds: list them under [console] feeds in the config file "
            "or pass --feed URL"
        )
    return asyncio.run(console_mode(settings, feeds))


async def discord_mode(settings: Settings, token: str) -> int:
    """Run the bot on Discord (or the Discord-compatible server the settings name)."""
    # Imported here: discord.py is only needed when there is a token.
    from bot.app import BriefingBot, start_problem, use_discord_endpoints  # noqa: PLC0415

    use_discord_endpoints(settings.discord_api_base, settings.discord_gateway_url)
    async with AsyncExitStack() as stack:
        runtime = await open_runtime_or_explain(
            stack, settings, may_lead="scheduler" in settings.roles
        )
        bot = BriefingBot(runtime)
        log.info("roles: %s", ", ".join(settings.roles))
        async with bot:
            if "gateway" in settings.roles:
                start = asyncio.ensure_future(bot.start(token))
            else:  # REST only (posting): log in, never connect to the gateway
                start = asyncio.ensure_future(_rest_only(bot, token))
            _close_on_signals(bot, start)
            try:
                await start
            except asyncio.CancelledError:
                if not start.cancelled():
                    raise
            except Exception as exc:
                problem = start_problem(exc, settings.discord_api_base)
                if problem is None:
                    raise
                raise StartError(problem) from exc
    log.info("stopped")
    return 0


async def _rest_only(bot: Any, token: str) -> None:
    """Log in (which loads the cogs) and run until cancelled by a signal."""
    await bot.login(token)
    await asyncio.Future()


def _close_on_signals(bot: Any, start: asyncio.Future[None]) -> None:
    """First SIGTERM/SIGINT: close gracefully (the cogs stop their work); second: exit at once."""
    stopping: list[asyncio.Future[None]] = []  # a reference keeps the task from being collected
    _on_signals(lambda: stopping.append(asyncio.ensure_future(_stop(bot, start))))


async def _stop(bot: Any, start: asyncio.Future[None]) -> None:
    """Close a ready bot; cancel the start of one that is not ready yet, until it has ended.

    discord.py retries a shard connection that a close cut short, forever; and a cancellation
    can be lost when it meets a connection completing (``asyncio.wait_for`` before 3.12), so
    this looks again every second.
    """
    while not start.done():
        if bot.is_ready():
            await bot.close()
        else:
            start.cancel()
        await asyncio.wait({start}, timeout=1.0)


def _on_signals(first: Callable[[], object]) -> None:
    """Call ``first`` on the first SIGINT or SIGTERM; exit at once on the second. SIGUSR1
    logs what every task and thread is doing (:mod:`bot.cli.stacks`)."""
    loop = asyncio.get_running_loop()
    received: list[signal.Signals] = []

    def on_signal(sig: signal.Signals) -> None:
        if received:
            log.warning("%s again: exiting at once", sig.name)
            os._exit(1)
        received.append(sig)
        log.info("%s: shutting down (send it again to exit at once)", sig.name)
        first()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)
    install_stack_dump()


async def console_mode(settings: Settings, feeds: Sequence[str]) -> int:
    """Poll ``feeds`` and print what would be posted, until SIGINT or SIGTERM.

    The signals are handled from the start: Ctrl-C while the first poll runs stops as cleanly
    as Ctrl-C later (the work is cancelled, the runtime closed), with exit status 0.
    """
    console = Console(highlight=False)
    console.print(
        f"[bold]Briefing console mode[/bold]: {len(feeds)} feed(s), polled every "
        f"{settings.poll_interval_seconds} s. No Discord token: printing what would be posted."
    )
    stop = asyncio.Event()
    _on_signals(stop.set)
    work = asyncio.ensure_future(_console(settings, feeds, console))
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({work, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if work.done():
        return work.result()  # a failed start: its error
    work.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await work
    print("", file=sys.stderr)  # end the line the terminal's ^C is on
    console.print("stopped")
    return 0


async def _console(settings: Settings, feeds: Sequence[str], console: Console) -> int:
    """Console mode's work: the first poll, the newest items, then polling until cancelled."""
    async with AsyncExitStack() as stack:
        runtime = await open_runtime_or_explain(stack, settings)
        rows = [await runtime.store.add_feed(normalize_url(url)) for url in feeds]
        printer = ConsolePrinter(console)
        poller = runtime.poller(on_articles=printer)
        await poller.run_cycle()  # the first cycle records each new feed's items
        await _print_newest(runtime, rows, settings.console.newest, printer)
        printer.live = True
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            poller.run_cycle,
            "interval",
            seconds=max(1, min(30, settings.min_poll_interval_seconds)),
            max_instances=1,
            coalesce=True,
        )
        scheduler.start()
        try:
            await asyncio.Future()  # until cancelled by a signal
        finally:
            scheduler.shutdown(wait=False)
    return 0


class ConsolePrinter:
    """Prints new articles as the bot would post them (after the start-up listing)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = False

    async def __call__(self, feed: FeedRow, articles: Sequence[Article], baseline: bool) -> None:
        """Print the articles that arrived in a poll (not a new feed's existing items)."""
        if not self.live or baseline:
            return
        for article in articles:
            entry = article.entry
            self.print(feed, entry.title, entry.link, entry.published, article.digest)

    def print(
        self,
        feed: FeedRow,
        title: str,
        link: str | None,
        published: datetime,
        digest: Digest | None,
    ) -> None:
        """Print one article's digest with its feed, time and link."""
        source = f"{feed.title or feed.url} · {published:%Y-%m-%d %H:%M} UTC"
        print_digest(digest, title=title, link=link, source=source, console=self.console)


async def _print_newest(
    runtime: Runtime, feeds: Sequence[FeedRow], newest: int, printer: ConsolePrinter
) -> None:
    for row in feeds:
        feed = await runtime.store.get_feed(row.id) or row
        if feed.last_error and not feed.last_success_at:
            printer.console.print(f"[red]{feed.url}: {feed.last_error}[/red]\n")
            continue
        rows = await runtime.store.recent_articles(None, feed_id=feed.id, limit=newest)
        for article in await runtime.backlog().complete(rows):
            printer.print(feed, article.title, article.url, article.published, article.digest)
