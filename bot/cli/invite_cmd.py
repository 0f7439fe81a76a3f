"""``briefing invite``: the URL that adds the bot to a server with exactly the rights it needs."""

from __future__ import annotations

import argparse
import logging
from typing import Any
from urllib.parse import urlencode

from bot.delivery import permissions

log = logging.getLogger(__name__)

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
SCOPES = ("bot", "applications.commands")


def permissions_integer() -> int:
    """The permissions Briefing asks for, as Discord's integer."""
    return permissions.integer(permissions.INVITE)


def invite_url(application_id: int) -> str:
    """The OAuth2 URL that invites the application's bot with its permissions and commands."""
    if application_id <= 0:
        raise ValueError("the application id is a positive number")
    query = {
        "client_id": str(application_id),
        "scope": " ".join(SCOPES),
        "permissions": str(permissions_integer()),
    }
    return f"{AUTHORIZE_URL}?{urlencode(query)}"


def _application_id(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an application id (the number under General Information in the "
            "Discord developer portal)"
        )
    return int(value)


def register(commands: Any) -> None:
    """Add the ``invite`` sub-command."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "invite",
        help="print the URL that adds the bot to a server",
        description="Print the invite URL: scopes bot and applications.commands, permissions "
        f"{permissions.labels(permissions.INVITE)}.",
    )
    parser.add_argument(
        "--application-id", type=_application_id, required=True, metavar="ID", help="the app id"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the invite URL."""
    print(invite_url(args.application_id))
    return 0
