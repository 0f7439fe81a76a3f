"""What every sub-command needs: settings from the command line's config, logging, errors."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.settings import DEFAULT_CONFIG, Settings, SettingsError, load_settings

EXAMPLE_CONFIG = Path("config/briefing.example.toml")

log = logging.getLogger(__name__)


class CommandError(Exception):
    """A failure the user can act on: printed as one line, exit status 1."""


def settings_from(args: argparse.Namespace) -> Settings:
    """Load ``--config``; by default config/briefing.toml, else the bundled example."""
    path: Path | None = args.config
    if path is None and not DEFAULT_CONFIG.is_file() and EXAMPLE_CONFIG.is_file():
        print(
            f"briefing: using {EXAMPLE_CONFIG} (copy it to {DEFAULT_CONFIG} to make it yours)",
            file=sys.stderr,
        )
        path = EXAMPLE_CONFIG
    try:
        settings = load_settings(path)
    except SettingsError as exc:
        raise CommandError(str(exc)) from None
    setup_logging(settings.log_level)
    return settings


def setup_logging(level: str) -> None:
    """Human-readable logs on stderr."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    # Libraries are noisy at INFO; their warnings still show.
    for name in ("apscheduler", "trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
