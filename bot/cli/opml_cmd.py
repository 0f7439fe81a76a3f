"""``briefing opml import|export``: subscription lists to and from other feed readers."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import CommandError, settings_from
from bot.cli.failures import open_store_or_explain
from bot.opml import OpmlError, export_opml, import_opml
from bot.settings import Settings
from bot.store.subscriptions import MODES

log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    """Add the ``opml`` sub-command with its ``import`` and ``export`` actions."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "opml", help="import or export subscriptions as OPML", description=__doc__
    )
    actions = parser.add_subparsers(dest="opml_action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="subscribe a channel to every feed of an OPML file",
        description="Add every feed of FILE and subscribe the channel to it, in one "
        "transaction. Nothing is fetched now: the running bot polls the new feeds.",
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--guild", type=int, required=True, metavar="ID", help="server id")
    imp.add_argument("--channel", type=int, required=True, metavar="ID", help="channel id")
    imp.add_argument("--mode", choices=MODES, default="instant", help="default: instant")
    imp.set_defaults(handler=run_import)
    exp = actions.add_parser(
        "export",
        help="write the subscribed feeds as OPML 2.0",
        description="Write the feeds of one server (or every feed) to FILE ('-': stdout).",
    )
    exp.add_argument("file", metavar="FILE")
    exp.add_argument("--guild", type=int, default=None, metavar="ID", help="only this server")
    exp.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace) -> int:
    """Import an OPML file; prints what was added."""
    settings = settings_from(args)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    return asyncio.run(_import(settings, args, data))


async def _import(settings: Settings, args: argparse.Namespace, data: bytes) -> int:
    store = await open_store_or_explain(settings)
    try:
        result = await import_opml(
            store,
            data,
            guild_id=args.guild,
            channel_id=args.channel,
            mode=args.mode,
            allow_private=settings.allow_private_urls,
        )
    except OpmlError as exc:
        raise CommandError(f"{args.file}: {exc} (nothing imported)") from None
    finally:
        await store.close()
    print(
        f"{result.feeds} feeds in {args.file}: {result.subscribed} subscribed "
        f"({result.feeds_created} new to this database), {result.already_subscribed} "
        "already subscribed"
    )
    for url, reason in result.skipped:
        print(f"skipped {url}: {reason}", file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export subscriptions as OPML to a file or stdout."""
    settings = settings_from(args)
    data = asyncio.run(_export(settings, args.guild))
    if args.file == "-":
        sys.stdout.buffer.write(data)
        return 0
    try:
        Path(args.file).write_bytes(data)
    except OSError as exc:
        raise CommandError(f"cannot write {args.file}: {exc.strerror}") from None
    print(f"wrote {args.file}", file=sys.stderr)
    return 0


async def _export(settings: Settings, guild_id: int | None) -> bytes:
    store = await open_store_or_explain(settings)
    try:
        return await export_opml(store, guild_id)
    finally:
        await store.close()
