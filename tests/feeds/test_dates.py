"""Feed dates: formats real feeds use, and the guards against absurd ones."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.feeds.dates import from_struct, parse_date, settle

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-30T10:00:00Z", datetime(2024, 4, 30, 10, tzinfo=UTC)),
        ("2024-04-30T10:00:00.5+02:00", datetime(2024, 4, 30, 8, 0, 0, 500000, tzinfo=UTC)),
        ("2024-04-30", datetime(2024, 4, 30, tzinfo=UTC)),
        ("Tue, 30 Apr 2024 10:00:00 GMT", datetime(2024, 4, 30, 10, tzinfo=UTC)),
        ("30 Apr 2024 10:00 -0500", datetime(2024, 4, 30, 15, tzinfo=UTC)),
        ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)),
        ("mer, 16 nov 2022 00:38:15 +0100", datetime(2022, 11, 15, 23, 38, 15, tzinfo=UTC)),
        ("Di, 5 Dez. 2023 08:00:00 +0100", datetime(2023, 12, 5, 7, tzinfo=UTC)),
        ("lun., 3 févr. 2025 09:30 +0100", datetime(2025, 2, 3, 8, 30, tzinfo=UTC)),
        ("5 Okt 23 08:00:00 GMT", datetime(2023, 10, 5, 8, tzinfo=UTC)),
        ("", None),
        ("   ", None),
        (None, None),
        ("yesterday", None),
        ("32 Foo 2024 10:00:00", None),
        ("2024-13-45T99:00:00Z", None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_parse_date_without_zone_is_utc() -> None:
    assert parse_date("2024-04-30T10:00:00") == datetime(2024, 4, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("published", "expected", "estimated"),
    [
        (None, NOW, True),
        (datetime(2024, 4, 30, tzinfo=UTC), datetime(2024, 4, 30, tzinfo=UTC), False),
        (NOW + timedelta(days=1), NOW + timedelta(days=1), False),
        (NOW + timedelta(days=3), NOW, True),
        (datetime(1970, 1, 1, tzinfo=UTC), NOW, True),
        (
            datetime(2024, 4, 30, 12, tzinfo=timezone(timedelta(hours=2))),
            datetime(2024, 4, 30, 10, tzinfo=UTC),
            False,
        ),
        (datetime(2024, 4, 30, 12), datetime(2024, 4, 30, 12, tzinfo=UTC), False),
    ],
)
def test_settle(published: datetime | None, expected: datetime, estimated: bool) -> None:
    value, was_estimated = settle(published, NOW)
    assert (value, was_estimated) == (expected, estimated)
    assert value.tzinfo is UTC


def test_from_struct() -> None:
    assert from_struct(time.gmtime(0)) == datetime(1970, 1, 1, tzinfo=UTC)
    assert from_struct(None) is None
