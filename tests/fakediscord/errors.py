"""Discord-shaped JSON responses and errors (Content-Type exactly ``application/json``)."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)


class DiscordError(Exception):
    """An API error with Discord's JSON error body ``{"message", "code"[, "errors"]}``."""

    def __init__(
        self, status: int, code: int, message: str, *, bare: bool = False, **extra: Any
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.bare = bare  # an HTML page from a proxy or CDN edge in front of the API
        self.extra = extra

    def response(self) -> web.Response:
        """The HTTP response Discord would send (or the edge in front of it, when bare)."""
        if self.bare:
            page = f"<html><body><h1>{self.status} {self.message}</h1></body></html>"
            return web.Response(status=self.status, text=page, content_type="text/html")
        return json_response(
            {"message": self.message, "code": self.code, **self.extra}, self.status
        )


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with Content-Type exactly application/json (discord.py parses nothing else)."""
    body = json.dumps(data, separators=(",", ":")).encode()
    response = web.Response(body=body, status=status, headers=headers)
    response.content_type = "application/json"
    return response


def no_content() -> web.Response:
    """An empty 204 response."""
    return web.Response(status=204)


# The real API's errors, named for readability in handlers.
def unknown_channel() -> DiscordError:
    """404 Unknown Channel (10003)."""
    return DiscordError(404, 10003, "Unknown Channel")


def unknown_message() -> DiscordError:
    """404 Unknown Message (10008)."""
    return DiscordError(404, 10008, "Unknown Message")


def unknown_guild() -> DiscordError:
    """404 Unknown Guild (10004)."""
    return DiscordError(404, 10004, "Unknown Guild")


def unknown_webhook() -> DiscordError:
    """404 Unknown Webhook (10015)."""
    return DiscordError(404, 10015, "Unknown Webhook")


def unknown_interaction() -> DiscordError:
    """404 Unknown interaction (10062): wrong id/token or answered too late."""
    return DiscordError(404, 10062, "Unknown interaction")


def missing_access() -> DiscordError:
    """403 Missing Access (50001): the bot cannot see the channel."""
    return DiscordError(403, 50001, "Missing Access")


def missing_permissions() -> DiscordError:
    """403 Missing Permissions (50013)."""
    return DiscordError(403, 50013, "Missing Permissions")


def thread_archived() -> DiscordError:
    """400 (50083): the thread is archived (and locked, for whoever may not moderate it)."""
    return DiscordError(400, 50083, "Thread is archived")
