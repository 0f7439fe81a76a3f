"""The command line: one sub-command per module, dispatched from :func:`main`."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.cli import (
    ask_cmd,
    check_cmd,
    digest_cmd,
    healthcheck_cmd,
    invite_cmd,
    opml_cmd,
    poll_cmd,
    preview_cmd,
    run_cmd,
)
from bot.errors import BriefingError
from bot.logs import redact

log = logging.getLogger(__name__)

DEBUG_HINT = 'set log_level = "DEBUG" (BRIEFING_LOG_LEVEL=DEBUG) to see the traceback'

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Briefing: news feeds turned into digests people actually read.",
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="TOML config file (default: config/briefing.toml)"
    )
    run_cmd.add_arguments(parser)  # `briefing` alone runs the bot
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run_cmd.register(commands)
    digest_cmd.register(commands)
    preview_cmd.register(commands)
    poll_cmd.register(commands)
    ask_cmd.register(commands)
    check_cmd.register(commands)
    invite_cmd.register(commands)
    opml_cmd.register(commands)
    healthcheck_cmd.register(commands)
    return parser


def main(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit status."""
    parser = build_parser()
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
