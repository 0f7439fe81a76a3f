"""Polite, bounded HTTP GETs of feeds and article pages: the only stage that speaks HTTP.

A :class:`Fetcher` wraps the process's session (see :func:`bot.feeds.http.create_session`),
follows redirects itself so each hop is counted, vetted by the SSRF guard and checked for
loops, bounds concurrency per host and overall, and caps the decoded body while streaming.
Every failure is a :class:`~bot.feeds.errors.FetchError`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import aiohttp
from aiohttp import hdrs
from aiohttp.abc import AbstractResolver
from yarl import URL

from bot.feeds.errors import FetchError, FetchErrorKind
from bot.feeds.guard import check_url
from bot.feeds.headers import freshness_seconds, retry_after_seconds
from bot.feeds.http import FetchLimits, create_session
from bot.feeds.translate import describe_size, http_status_error, translate_error

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, text/html;q=0.5, */*;q=0.3"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch (2xx, or 304 when the validators still match)."""

    url: str  # final URL, after redirects
    status: int
    body: bytes  # decoded (gzip/deflate undone); b"" on 304
    not_modified: bool
    etag: str | None  # validators to send next time (on 304: the response's, else those sent)
    last_modified: str | None
    content_type: str  # media type, lower case, "" when the server gave none; never enforced
    charset: str | None  # charset parameter of Content-Type, a hint for the parser
    permanent_url: str | None  # set when every redirect hop was 301/308: store this URL instead
    fresh_for: int | None  # seconds, from Cache-Control max-age or Expires
    redirects: int = 0

    @property
    def content_header(self) -> str | None:
        """The Content-Type as a header value (media type and charset), for parsers."""
        if not self.content_type:
            return f"text/plain; charset={self.charset}" if self.charset else None
        return f"{self.content_type}; charset={self.charset}" if self.charset else self.content_type


@dataclass(frozen=True, slots=True)
class _Redirect:
    status: int
    location: str | None


class HostSlots:
    """Per-host semaphores, created on demand and dropped when idle, so many hosts cost nothing."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    def __len__(self) -> int:
        return len(self._slots)

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        """Wait for one of ``host``'s slots and hold it for the block."""
        entry = self._slots.get(host)
        if entry is None:
            entry = self._slots[host] = (asyncio.Semaphore(self._per_host), [0])
        semaphore, users = entry
        users[0] += 1
        try:
            async with semaphore:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._slots[host]


class Fetcher:
    """Fetches feeds and pages through one shared session, within :class:`FetchLimits`."""

    def __init__(self, session: aiohttp.ClientSession, limits: FetchLimits) -> None:
        self._session = session
        self._limits = limits
        self._hosts = HostSlots(limits.per_host_concurrency)
        self._global = asyncio.Semaphore(limits.global_concurrency)

    @property
    def limits(self) -> FetchLimits:
        """The limits this fetcher enforces."""
        return self._limits

    @property
    def hosts_tracked(self) -> int:
        """How many hosts currently have requests in flight or waiting (semaphores alive)."""
        return len(self._hosts)

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET ``url``, conditionally when validators are given; ``FetchError`` on failure."""
        current = check_url(url, allow_private=self._limits.allow_private)
        headers: dict[str, str] = {hdrs.ACCEPT: accept}
        if etag:
            headers[hdrs.IF_NONE_MATCH] = etag
        if last_modified:
            headers[hdrs.IF_MODIFIED_SINCE] = last_modified
        seen = {str(current)}
        hops: list[int] = []
        while True:
            outcome = await self._hop(current, headers)
            if isinstance(outcome, FetchResult):
                return _finish(outcome, etag, last_modified, hops)
            hops.append(outcome.status)
            current = self._follow(current, outcome, len(hops), seen)

    async def fetch_page(self, url: str) -> FetchResult:
        """GET an article page (HTML) with the same caps and guard as feeds."""
        return await self.fetch(url, accept=PAGE_ACCEPT)

    def _follow(self, current: URL, redirect: _Redirect, hops: int, seen: set[str]) -> URL:
        """The next URL of a redirect chain, vetted, counted and checked for loops."""
        if hops > self._limits.max_redirects:
            raise FetchError(
                FetchErrorKind.TOO_MANY_REDIRECTS,
                f"more than {self._limits.max_redirects} redirects, the last from {current}",
                url=str(current),
            )
        if not redirect.location:
            raise FetchError(
                FetchErrorKind.HTTP_STATUS,
                f"HTTP {redirect.status} redirect without a Location header from {current}",
                url=str(current),
                status=redirect.status,
                transient=False,
            )
        try:
            target = current.join(URL(redirect.location))
        except ValueError:
            target = None
        if target is None or not target.is_absolute():
            raise FetchError(
                FetchErrorKind.INVALID_URL,
                f"{current} redirects to an invalid URL: {redirect.location!r}",
                url=str(current),
            )
        target = check_url(target, allow_private=self._limits.allow_private)
        if str(target) in seen:
            raise FetchError(
                FetchErrorKind.REDIRECT_LOOP,
                f"redirect loop: {current} leads back to {target} after {hops} redirects",
                url=str(current),
            )
        seen.add(str(target))
        return target

    async def _hop(self, url: URL, headers: Mapping[str, str]) -> FetchResult | _Redirect:
        """One request: a redirect to follow, or the final result; failures become FetchError."""
        try:
            async with (
                self._hosts.hold(url.host or ""),
                self._global,
                asyncio.timeout(self._limits.total_timeout),
                self._session.get(url, headers=headers, allow_redirects=False) as response,
            ):
                if response.status in REDIRECT_STATUSES:
                    return _Redirect(response.status, response.headers.get(hdrs.LOCATION))
                return await self._response(url, response)
        except FetchError:
            raise
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            raise translate_error(exc, url, self._limits) from exc

    async def _response(self, url: URL, response: aiohttp.ClientResponse) -> FetchResult:
        """The final response as a result (body read within the cap), or its error status raised."""
        status = response.status
        if status != 304 and not 200 <= status < 300:
            retry_after = None
            if status in (429, 503):
                retry_after = retry_after_seconds(response.headers, datetime.now(UTC))
            raise http_status_error(url, status, response.reason, retry_after)
        body = b"" if status == 304 else await self._read_body(url, response)
        log.debug("GET %s -> %s, %d bytes", url, status, len(body))
        has_type = hdrs.CONTENT_TYPE in response.headers
        return FetchResult(
            url=str(url),
            status=status,
            body=body,
            not_modified=status == 304,
            etag=response.headers.get(hdrs.ETAG),
            last_modified=response.headers.get(hdrs.LAST_MODIFIED),
            content_type=response.content_type if has_type else "",
            charset=response.charset.lower() if response.charset else None,
            permanent_url=None,
            fresh_for=freshness_seconds(response.headers, datetime.now(UTC)),
        )

    async def _read_body(self, url: URL, response: aiohttp.ClientResponse) -> bytes:
        """Stream the decoded body, aborting as soon as it outgrows the cap."""
        cap = self._limits.max_body_bytes
        encoding = response.headers.get(hdrs.CONTENT_ENCODING, "identity").strip().lower()
        declared = response.content_length
        if encoding in ("", "identity") and declared is not None and declared > cap:
            response.close()
            raise _too_large(url, cap, f"it declares {describe_size(declared)}")
        body = bytearray()
        async for chunk in response.content.iter_any():
            body += chunk
            if len(body) > cap:
                response.close()  # drop the connection: never drain the rest
                raise _too_large(url, cap, "stopped reading there")
        return bytes(body)


def _too_large(url: URL, cap: int, detail: str) -> FetchError:
    return FetchError(
        FetchErrorKind.TOO_LARGE,
        f"the response from {url} is larger than the {describe_size(cap)} limit ({detail})",
        url=str(url),
    )


def _finish(
    result: FetchResult, etag: str | None, last_modified: str | None, hops: list[int]
) -> FetchResult:
    """Fill in what only the whole chain knows: redirects, permanence, validators kept on 304."""
    permanent = bool(hops) and all(status in PERMANENT_REDIRECTS for status in hops)
    return replace(
        result,
        etag=result.etag or (etag if result.not_modified else None),
        last_modified=result.last_modified or (last_modified if result.not_modified else None),
        permanent_url=result.url if permanent else None,
        redirects=len(hops),
    )


@asynccontextmanager
async def open_fetcher(
    limits: FetchLimits, *, resolver: AbstractResolver | None = None
) -> AsyncIterator[Fetcher]:
    """A fetcher with its own session, closed on exit: for the CLI and scripts, not the bot."""
    async with create_session(limits, resolver=resolver) as session:
        yield Fetcher(session, limits)
