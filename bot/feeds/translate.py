"""Turning aiohttp's exceptions and HTTP error statuses into FetchErrors with human messages."""

from __future__ import annotations

import logging
import os
from http import HTTPStatus

import aiohttp
from yarl import URL

from bot.feeds.errors import FetchError, FetchErrorKind
from bot.feeds.guard import BlockedAddressError
from bot.feeds.http import FetchLimits

log = logging.getLogger(__name__)

_STATUS_HINTS = {
    401: "the feed needs a login",
    403: "the server refuses to serve it",
    404: "nothing at this address",
    410: "the feed was removed for good",
    429: "too many requests",
}


def describe_size(size: int) -> str:
    """A byte count for people: 10 MiB, 512 KiB, 900 bytes."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value.is_integer() else f"{value:.1f} {unit}"
    return f"{size} bytes"


def http_status_error(
    url: URL, status: int, reason: str | None, retry_after: int | None
) -> FetchError:
    """The FetchError for an HTTP error status (transient for 5xx, 408, 425, 429)."""
    try:
        reason = reason or HTTPStatus(status).phrase
    except ValueError:
        reason = reason or "unknown status"
    hint = _STATUS_HINTS.get(status) or ("server error" if status >= 500 else None)
    message = f"HTTP {status} {reason} from {url}" + (f": {hint}" if hint else "")
    if retry_after is not None:
        message += f"; the server asks to retry in {retry_after} s"
    return FetchError(
        FetchErrorKind.HTTP_STATUS,
        message,
        url=str(url),
        status=status,
        retry_after=retry_after,
    )


def _blocked(exc: BaseException) -> BlockedAddressError | None:
    """The SSRF refusal behind an aiohttp connection error, if that is what it is."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BlockedAddressError):
            return current
        todo += [getattr(current, "os_error", None), current.__cause__, current.__context__]
    return None


def _os_reason(exc: aiohttp.ClientConnectorError) -> str:
    """The operating system's words for a failed connect ("Connection refused")."""
    error = exc.os_error
    if error.errno and error.errno > 0:
        return os.strerror(error.errno)
    return error.strerror or str(error) or type(error).__name__


def _summary(exc: BaseException) -> str:
    """aiohttp's explanation on one line, without the caret diagrams of parser errors."""
    if isinstance(exc, aiohttp.ClientPayloadError) and exc.__cause__ is not None:
        exc = exc.__cause__
    text = str(getattr(exc, "message", None) or exc or type(exc).__name__)
    lines = [line.strip() for line in text.splitlines() if line.strip().strip("^")]
    return " ".join(lines)[:300]


def translate_error(exc: BaseException, url: URL, limits: FetchLimits) -> FetchError:
    """The FetchError for an exception raised while requesting ``url``."""
    host, text = url.host or "", str(url)
    blocked = _blocked(exc)
    if blocked is not None:
        return FetchError(FetchErrorKind.REFUSED, str(blocked), url=text)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        message = f"could not connect to {host} within {limits.connect_timeout:g} s"
        return FetchError(FetchErrorKind.TIMEOUT, message, url=text)
    if isinstance(exc, TimeoutError):
        message = f"no complete response from {host} within {limits.total_timeout:g} s"
        return FetchError(FetchErrorKind.TIMEOUT, message, url=text)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        message = f"could not resolve {host}: {_os_reason(exc)}"
        return FetchError(FetchErrorKind.DNS, message, url=text)
    if isinstance(exc, aiohttp.ClientSSLError):
        message = f"the TLS handshake with {host} failed: {_summary(exc.os_error)}"
        return FetchError(FetchErrorKind.TLS, message, url=text)
    if isinstance(exc, aiohttp.ClientConnectorError):
        message = f"could not connect to {host} port {url.port}: {_os_reason(exc)}"
        return FetchError(FetchErrorKind.CONNECTION, message, url=text)
    if isinstance(exc, aiohttp.ClientPayloadError) and "content-encoding" in str(exc).lower():
        message = f"the compressed response from {host} could not be decoded: {_summary(exc)}"
        return FetchError(FetchErrorKind.DECODE, message, url=text)
    if isinstance(exc, aiohttp.ClientPayloadError):
        message = f"the response from {host} was cut short: {_summary(exc)}"
        return FetchError(FetchErrorKind.CONNECTION, message, url=text)
    if isinstance(exc, aiohttp.ClientResponseError):
        message = f"invalid HTTP response from {host}: {_summary(exc)}"
        return FetchError(FetchErrorKind.CONNECTION, message, url=text)
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError | ValueError):
        return FetchError(FetchErrorKind.INVALID_URL, f"cannot request {text}: {exc}", url=text)
    log.debug("connection error for %s", text, exc_info=exc)
    message = f"the connection to {host} failed: {_summary(exc)}"
    return FetchError(FetchErrorKind.CONNECTION, message, url=text)
