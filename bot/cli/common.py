"""What every sub-command needs: settings from the command line's config, logging, errors."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import BriefingError
from bot.logs import configure_logging

if TYPE_CHECKING:  # pydantic's import is heavy: the digest command does without settings
    from bot.settings import Settings

EXAMPLE_CONFIG = Path("config/briefing.example.toml")

log = logging.getLogger(__name__)


class CommandError(BriefingError):
    """A failure the user can act on: printed as one line, exit status 1."""


def settings_from(args: argparse.Namespace) -> Settings:
    """Load ``--config``; by default config/briefing.toml, else the bundled example."""
    from bot.settings import DEFAULT_CONFIG, SettingsError, load_settings  # noqa: PLC0415

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
    setup_logging(settings.log_level, settings.log_format, _secrets(settings))
    return settings


def setup_logging(level: str, fmt: str = "text", secrets: Iterable[str] = ()) -> None:
    """Logs on stderr, human-readable or JSON, with tokens and secrets redacted."""
    configure_logging(level, fmt, secrets=secrets)


def _secrets(settings: Settings) -> list[str]:
    try:
        token = settings.token()
    except OSError:  # reported by the command that needs the token
        return []
    return [token] if token else []
