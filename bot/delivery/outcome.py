"""What a post's result means: nonces, error classes and retry delays. Pure functions."""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
from collections.abc import Iterable

import aiohttp
import discord

log = logging.getLogger(__name__)

NONCE_LIMIT = 25
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
UNKNOWN_CHANNEL = 10003
ALREADY_CROSSPOSTED = 40033  # "This message has already been crossposted"
THREAD_ARCHIVED = 50083  # "Operation cannot be performed on an archived thread"


class Action(enum.Enum):
    """What to do with a delivery after a failed attempt."""

    RETRY = "retry"  # transient: 5xx, network, a 429 discord.py gave up on
    PAUSE = "pause"  # 403: the bot may not post there; the subscription waits for a fix
    REMOVE_CHANNEL = "remove_channel"  # 404 unknown channel: forget it
    FAIL = "fail"  # the request itself is wrong (400...): never retried


def base36(n: int) -> str:
    """``n`` (>= 0) in base 36."""
    digits = ""
    while True:
        n, rest = divmod(n, 36)
        digits = _DIGITS[rest] + digits
        if n == 0:
            return digits


def nonce_for(prefix: str, row_id: int, *parts: object) -> str:
    """A deterministic nonce of at most 25 characters: prefix, base36 id, short hash of parts.

    Discord deduplicates nonces per author across channels, so the hash of what the message
    is for (article and channel) keeps nonces apart even if row ids were ever reused.
    """
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()
    return (prefix + base36(row_id) + digest)[:NONCE_LIMIT]


def delivery_nonce(row_id: int, article_id: int, channel_id: int) -> str:
    """The nonce of an instant post: its outbox row."""
    return nonce_for("b", row_id, article_id, channel_id)


def digest_nonce(channel_id: int, delivery_ids: Iterable[int]) -> str:
    """The nonce of a digest message: the outbox rows it carries, in any order.

    A run repeated after a crash composes the same messages from the same rows, so each gets
    the nonce of its first attempt and Discord answers with the message already posted.
    """
    ids = sorted(delivery_ids)
    if not ids:
        raise ValueError("a digest message carries at least one outbox row")
    return nonce_for("d", ids[0], channel_id, ids)


def notice_nonce(feed_id: int, day: int, channel_id: int) -> str:
    """The nonce of a failing-feed notice: one per feed, channel and day."""
    return nonce_for("n", feed_id, day, channel_id)


def classify(exc: BaseException) -> Action:
    """The action a failed send calls for."""
    if isinstance(exc, discord.Forbidden):
        return Action.PAUSE
    if isinstance(exc, discord.NotFound):
        # Only "Unknown Channel" means the channel is gone: another 404 (unknown message, a
        # route a Discord-compatible server lacks) must not cost a server its subscriptions.
        # A bare 404 (no JSON body) is a proxy or CDN edge in front of Discord: a passing fault.
        if not _from_discord(exc):
            return Action.RETRY
        return Action.REMOVE_CHANNEL if exc.code == UNKNOWN_CHANNEL else Action.FAIL
    if isinstance(exc, discord.DiscordServerError):
        return Action.RETRY
    if isinstance(exc, discord.HTTPException):
        return Action.RETRY if exc.status == 429 else Action.FAIL
    if isinstance(exc, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return Action.RETRY
    return Action.FAIL


def _from_discord(exc: discord.HTTPException) -> bool:
    """The error came with Discord's JSON body (an error code), not a page from something else."""
    headers = getattr(exc.response, "headers", None)
    if headers is None:  # built without a response (the errors discord.py raises have one)
        return True
    return "application/json" in str(headers.get("Content-Type", ""))


def backoff(attempts: int, *, base: float, maximum: float) -> float:
    """Seconds before the next try after ``attempts`` tries: doubling from ``base``, capped."""
    return float(min(maximum, base * 2 ** max(0, min(attempts - 1, 30))))


def describe(exc: BaseException) -> str:
    """A short, user-readable reason for an error (shown in ``/feed status``)."""
    if isinstance(exc, discord.HTTPException):
        text = exc.text or exc.response.reason or ""
        return f"Discord {exc.status} ({exc.code}): {text}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]
