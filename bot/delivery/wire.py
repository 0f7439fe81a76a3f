"""Every request the bot makes to Discord is charged to the global limit as it goes out.

Discord counts its global limit (50 requests/s per token) at the server, over every request
that carries the bot's token: posts, publishes, forum threads, look-ups, and the retries
discord.py makes on its own after a 429 or a 5xx. A budget taken only before ``channel.send``
misses the retries and the look-ups, and a token taken there may be spent late (discord.py
can still wait for the channel's bucket), bunching requests into one of Discord's windows. So
the budget is taken in aiohttp's request-start signal, which discord.py's public
``http_trace`` option installs on its session: at the last moment before the request is sent,
once for every attempt.

Requests without the bot's token (interaction replies, webhooks, the gateway's WebSocket) are
not charged: Discord does not count them against the global limit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import SimpleNamespace

import aiohttp

log = logging.getLogger(__name__)


def charging_trace(acquire: Callable[[], Awaitable[None]]) -> aiohttp.TraceConfig:
    """A trace config (for ``discord.Client(http_trace=...)``) that awaits ``acquire`` before
    each request that carries a bot token."""
    trace = aiohttp.TraceConfig()

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        if charged(params.headers.get("Authorization")):
            await acquire()

    trace.on_request_start.append(on_request_start)
    return trace


def charged(authorization: str | None) -> bool:
    """True for a request Discord counts against the bot's global limit."""
    return bool(authorization) and str(authorization).startswith("Bot ")
