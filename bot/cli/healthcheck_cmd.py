"""``briefing healthcheck``: exit 0 when the running bot's ``/healthz`` says healthy (Docker)."""

from __future__ import annotations

import argparse
import logging
import sys
import urllib.error
import urllib.request
from typing import Any

from bot.cli.common import CommandError, settings_from

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
# A server bound to every address is reached on loopback.
_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def register(commands: Any) -> None:
    """Add the ``healthcheck`` sub-command."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "healthcheck",
        help="ask the running bot's /healthz (exit 0 when healthy)",
        description="GET /healthz of the running bot (health_host, health_port); exit status 0 "
        "when healthy, 1 otherwise. For container health checks.",
    )
    parser.add_argument("--url", default=None, help="the /healthz URL (default: from settings)")
    parser.set_defaults(handler=run)


def healthz_url(host: str, port: int) -> str:
    """The ``/healthz`` URL of a server bound to ``host``:``port``."""
    host = _ANY.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def run(args: argparse.Namespace) -> int:
    """Fetch /healthz and print its body; 0 when healthy."""
    url = args.url
    if url is None:
        settings = settings_from(args)
        if settings.health_port is None:
            raise CommandError("health_port is not set: the health server is off")
        url = healthz_url(settings.health_host, settings.health_port)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            print(response.read().decode("utf-8", "replace"))
            return 0
    except urllib.error.HTTPError as exc:
        print(exc.read().decode("utf-8", "replace"))
        return 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"briefing: {url}: {getattr(exc, 'reason', exc)}", file=sys.stderr)
        return 1
