"""Reading caching and rate-limit hints from HTTP response headers.

Header mappings must be case-insensitive (aiohttp's ``CIMultiDictProxy``, ``CIMultiDict``).
Dates are compared with the response's own ``Date`` when it has one, so a skewed server clock
does not distort the result; otherwise with ``now``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date (RFC 9110: IMF-fixdate, RFC 850 or asctime) as aware UTC, or None if invalid."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _seconds_until(value: str, headers: Mapping[str, str], now: datetime) -> int | None:
    """Seconds from the response's Date (or ``now``) until the HTTP date ``value``, or None."""
    when = parse_http_date(value)
    if when is None:
        return None
    base = parse_http_date(headers.get("Date")) or now
    return max(0, int((when - base).total_seconds()))


def retry_after_seconds(headers: Mapping[str, str], now: datetime) -> int | None:
    """The wait a ``Retry-After`` header asks for (delta seconds or HTTP date), or None."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    return _seconds_until(value, headers, now)


def _max_age(cache_control: str) -> int | None:
    """``max-age`` of a Cache-Control value (0 for no-cache/no-store), or None when absent."""
    max_age: int | None = None
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-cache", "no-store"):
            return 0
        if name == "max-age":
            value = value.strip().strip('"')
            if value.isdigit():
                max_age = int(value)
    return max_age


def freshness_seconds(headers: Mapping[str, str], now: datetime) -> int | None:
    """How long the response stays fresh: Cache-Control max-age, else Expires; None when unsaid."""
    cache_control = headers.get("Cache-Control")
    if cache_control:
        max_age = _max_age(cache_control)
        if max_age is not None:
            return max_age
    expires = headers.get("Expires")
    if expires is None:
        return None
    seconds = _seconds_until(expires, headers, now)
    return 0 if seconds is None else seconds  # an invalid Expires means "already expired"
