"""Caching and rate-limit hints read from response headers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from multidict import CIMultiDict

from bot.feeds.headers import freshness_seconds, parse_http_date, retry_after_seconds

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
DATE = "Sun, 01 Mar 2026 12:00:00 GMT"  # == NOW
SKEWED_DATE = "Sun, 01 Mar 2026 11:00:00 GMT"  # the server's clock is an hour behind


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 01 Mar 2026 12:00:00 GMT", NOW),  # IMF-fixdate
        ("Sunday, 01-Mar-26 12:00:00 GMT", NOW),  # RFC 850
        ("Sun Mar  1 12:00:00 2026", NOW),  # asctime
        ("Sun, 01 Mar 2026 13:00:00 +0100", NOW),
        ("0", None),
        ("tomorrow", None),
        ("", None),
        (None, None),
    ],
)
def test_http_dates(value: str | None, expected: datetime | None) -> None:
    assert parse_http_date(value) == expected


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "120"}, 120),
        ({"retry-after": " 0 "}, 0),
        ({"Retry-After": "Sun, 01 Mar 2026 12:01:30 GMT"}, 90),
        ({"Retry-After": "Sun, 01 Mar 2026 12:01:30 GMT", "Date": DATE}, 90),
        # Measured against the server's own Date, so its clock skew does not matter.
        ({"Retry-After": "Sun, 01 Mar 2026 11:01:30 GMT", "Date": SKEWED_DATE}, 90),
        ({"Retry-After": "Sun, 01 Mar 2026 11:00:00 GMT"}, 0),  # in the past
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], seconds: int | None) -> None:
    assert retry_after_seconds(CIMultiDict(headers), NOW) == seconds


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Cache-Control": "max-age=300"}, 300),
        ({"Cache-Control": 'public, MAX-AGE="600", must-revalidate'}, 600),
        ({"Cache-Control": "max-age=300", "Expires": "Sun, 01 Mar 2026 13:00:00 GMT"}, 300),
        ({"Cache-Control": "no-cache"}, 0),
        ({"Cache-Control": "no-store, max-age=300"}, 0),
        ({"Cache-Control": "public", "Expires": "Sun, 01 Mar 2026 12:10:00 GMT"}, 600),
        ({"Expires": "Sun, 01 Mar 2026 12:10:00 GMT", "Date": DATE}, 600),
        ({"Expires": "Sun, 01 Mar 2026 11:10:00 GMT", "Date": SKEWED_DATE}, 600),
        ({"Expires": "Sun, 01 Mar 2026 11:00:00 GMT"}, 0),  # already expired
        ({"Expires": "0"}, 0),  # invalid means expired (RFC 9111)
        ({"Cache-Control": "max-age=abc"}, None),
        ({}, None),
    ],
)
def test_freshness(headers: dict[str, str], seconds: int | None) -> None:
    assert freshness_seconds(CIMultiDict(headers), NOW) == seconds
