"""The fetcher's limits and the process's one aiohttp session (built by the composition root)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from aiohttp.abc import AbstractResolver

from bot.feeds.guard import GuardedResolver, socket_factory

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = (
    "Briefing/0.1 (+https://github.com/briefing-bot/briefing; self-hosted feed reader)"
)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Bounds on every request the fetcher makes."""

    per_host_concurrency: int = 2
    global_concurrency: int = 64
    connect_timeout: float = 10.0  # resolving, connecting and the TLS handshake
    total_timeout: float = 30.0  # one request, headers and whole body (each redirect hop anew)
    max_body_bytes: int = 10 * 1024 * 1024  # decoded bytes
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    allow_private: bool = False  # lift the SSRF guard (self-hosted local feeds, tests)
    dns_cache_seconds: int = 300

    def __post_init__(self) -> None:
        if min(self.per_host_concurrency, self.global_concurrency, self.max_body_bytes) < 1:
            raise ValueError("concurrency limits and max_body_bytes must be at least 1")
        if self.connect_timeout <= 0 or self.total_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects must not be negative")

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchLimits:
        """The limits the settings ask for."""
        return cls(
            per_host_concurrency=settings.per_host_concurrency,
            global_concurrency=settings.global_concurrency,
            connect_timeout=settings.connect_timeout_seconds,
            total_timeout=settings.read_timeout_seconds,
            max_body_bytes=settings.max_body_bytes,
            user_agent=settings.user_agent,
            allow_private=settings.allow_private_urls,
        )


def create_session(
    limits: FetchLimits, *, resolver: AbstractResolver | None = None
) -> aiohttp.ClientSession:
    """The process's HTTP session for feeds and pages, with the SSRF guard in its connector.

    Call it inside the running event loop and close the session at shutdown. ``resolver``
    replaces the system resolver (the guard still wraps it); tests use it to map names.
    """
    base_resolver = resolver if resolver is not None else aiohttp.ThreadedResolver()
    connector = aiohttp.TCPConnector(
        # With allow_private the guard still refuses metadata and link-local addresses.
        resolver=GuardedResolver(base_resolver, allow_private=limits.allow_private),
        socket_factory=socket_factory(allow_private=limits.allow_private),
        # The fetcher's own semaphores bound requests; this is a backstop on sockets.
        limit=limits.global_concurrency,
        ttl_dns_cache=limits.dns_cache_seconds,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None, connect=limits.connect_timeout),
        headers={"User-Agent": limits.user_agent},
        # Feeds are fetched for many guilds: no cookie state shared between them.
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        auto_decompress=True,
    )
