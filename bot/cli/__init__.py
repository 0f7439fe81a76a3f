"""The command line: one sub-command per module, dispatched from :func:`main`.

Sub-command modules are imported when the parser is built, not with this package: ``briefing
digest`` (batch digests of plain text) then loads only what digesting needs, not the bot's
HTTP, database and scheduler stack.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from bot.errors import BriefingError
from bot.logs import redact

log = logging.getLogger(__name__)

DEBUG_HINT = 'set log_level = "DEBUG" (BRIEFING_LOG_LEVEL=DEBUG) to see the traceback'

Handler = Callable[[argparse.Namespace], int]
COMMANDS = (
    "run_cmd",
    "digest_cmd",
    "preview_cmd",
    "poll_cmd",
    "ask_cmd",
    "check_cmd",
    "invite_cmd",
    "opml_cmd",
    "healthcheck_cmd",
)


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"bot.cli.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered (or just the one ``only`` names)."""
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Briefing: news feeds turned into digests people actually read.",
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="TOML config file (default: config/briefing.toml)"
    )
    if only is None:
        _command("run_cmd").add_arguments(parser)  # `briefing` alone runs the bot
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        _command(name).register(commands)
    return parser


def main(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit status."""
    # The digest command alone is often run in bulk: skip importing the others.
    parser = build_parser("digest_cmd" if list(argv[:1]) == ["digest"] else None)
    args = parser.parse_args(list(argv))
    handler: Handler = args.handler
    try:
        return handler(args)
    except BriefingError as exc:
        _traceback_when_debugging(exc)
        print(f"briefing: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("", file=sys.stderr)  # end the line the terminal's ^C is on
        return 130
    except Exception as exc:  # a bug: one line, the traceback only when debugging
        _traceback_when_debugging(exc)
        text = redact(str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
        print(f"briefing: unexpected {type(exc).__name__}: {text} ({DEBUG_HINT})", file=sys.stderr)
        return 1


def _traceback_when_debugging(error: BaseException) -> None:
    """Print the traceback behind ``error`` when the log level is DEBUG."""
    if logging.getLogger().isEnabledFor(logging.DEBUG):
        traceback.print_exception(error, file=sys.stderr)
