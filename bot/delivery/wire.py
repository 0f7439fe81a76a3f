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

import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import aiohttp

log = logging.getLogger(__name__)


class RepeatRefused(aiohttp.ClientError):
    """A request without a nonce was about to be sent again by discord.py (after a 5xx or a
    dropped connection), though Discord may have acted on the first: the outbox decides."""


@dataclass
class _Once:
    sent: bool = False
    may_repeat: bool = True


_ONCE: contextvars.ContextVar[_Once | None] = contextvars.ContextVar("once", default=None)


@contextlib.contextmanager
def sent_at_most_once() -> Iterator[None]:
    """Within the block, discord.py's own repeat of a request is refused (raising
    :class:`RepeatRefused`), unless Discord answered the first with a 429 (it did nothing).

    For requests Discord takes no nonce for (a forum post, a webhook's message): discord.py
    repeats a request answered 500, 502 or 504, and Discord may have made the post before
    failing, so a repeat could post twice. The outbox's next attempt looks for the post first.
    """
    token = _ONCE.set(_Once())
    try:
        yield
    finally:
        _ONCE.reset(token)


def charging_trace(acquire: Callable[[], Awaitable[None]]) -> aiohttp.TraceConfig:
    """A trace config (for ``discord.Client(http_trace=...)``) that awaits ``acquire`` before
    each request that carries a bot token, and refuses repeats where they could post twice."""
    trace = aiohttp.TraceConfig()

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        once = _ONCE.get()
        if once is not None:
            if once.sent and not once.may_repeat:
                raise RepeatRefused(f"{params.method} {params.url.path} not sent twice")
            once.sent, once.may_repeat = True, False
        if charged(params.headers.get("Authorization")):
            await acquire()

    async def on_request_end(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        once = _ONCE.get()
        if once is not None and params.response.status == 429:
            once.may_repeat = True  # refused before Discord acted: a repeat posts once

    trace.on_request_start.append(on_request_start)
    trace.on_request_end.append(on_request_end)
    return trace


def charged(authorization: str | None) -> bool:
    """True for a request Discord counts against the bot's global limit."""
    return bool(authorization) and str(authorization).startswith("Bot ")
