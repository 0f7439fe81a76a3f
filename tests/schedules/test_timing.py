"""Parsing "at", checking time zones and computing the next run, DST included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.schedules import (
    ScheduleError,
    check_timezone,
    describe,
    due_schedules,
    next_run,
    parse_at,
)
from bot.store import ScheduleRow


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "cron"),
    [
        ("07:30", "30 7 * * *"),
        ("7:30", "30 7 * * *"),
        (" 07:30 ", "30 7 * * *"),
        ("0:00", "0 0 * * *"),
        ("23:59", "59 23 * * *"),
        ("0 8 * * mon-fri", "0 8 * * mon-fri"),
        ("0  8 * *   1-5", "0 8 * * 1-5"),
        ("*/30 6-22 * * *", "*/30 6-22 * * *"),
        ("15 9 1 * *", "15 9 1 * *"),
        ("0 18 * * 0,6", "0 18 * * 0,6"),
    ],
)
def test_valid_at(at: str, cron: str) -> None:
    assert parse_at(at) == cron


@pytest.mark.parametrize(
    ("at", "hint"),
    [
        ("24:00", "HH:MM"),
        ("7:60", "HH:MM"),
        ("07:5", "HH:MM"),
        ("7.30", "HH:MM"),
        ("every morning", "HH:MM"),
        ("0 8 * *", "HH:MM"),
        ("0 8 * * * *", "HH:MM"),
        ("61 * * * *", "not a valid cron"),
        ("0 25 * * *", "not a valid cron"),
        ("0 8 * * 8", "not a weekday"),
        ("0 8 * * funday", "not a weekday"),
        ("0 8 * * 5-1", "empty weekday range"),
        ("0 8 * * */0", "invalid step"),
        ("0 8 30 2 *", "never fires"),
        ("0 8 1 * mon", "keep one of them"),
    ],
)
def test_invalid_at_says_what_to_do(at: str, hint: str) -> None:
    with pytest.raises(ScheduleError, match=hint):
        parse_at(at)


@pytest.mark.parametrize("name", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"])
def test_known_time_zones(name: str) -> None:
    assert check_timezone(name) == name


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "Europe/Pariss", "../etc/passwd", " "])
def test_unknown_time_zones(name: str) -> None:
    with pytest.raises(ScheduleError, match="IANA"):
        check_timezone(name)


@pytest.mark.parametrize(
    ("cron", "zone", "after", "expected"),
    [
        # daily, in a time zone; strictly after
        ("30 7 * * *", "Europe/Paris", utc(2026, 11, 25, 3), utc(2026, 11, 25, 6, 30)),
        ("30 7 * * *", "Europe/Paris", utc(2026, 11, 25, 6, 30), utc(2026, 11, 26, 6, 30)),
        (
            "30 7 * * *",
            "UTC",
            datetime(2026, 11, 25, 7, 29, 59, 500000, UTC),
            utc(2026, 11, 25, 7, 30),
        ),
        ("0 7 * * *", "Asia/Kolkata", utc(2026, 11, 25, 3), utc(2026, 11, 26, 1, 30)),
        # spring forward: 02:30 does not exist on 29 March in Paris; it fires an hour later
        ("30 2 * * *", "Europe/Paris", utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 30)),
        ("30 2 * * *", "Europe/Paris", utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)),
        # fall back: 02:30 happens twice on 25 October; it fires once
        ("30 2 * * *", "Europe/Paris", utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 30)),
        ("30 2 * * *", "Europe/Paris", utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)),
        ("*/15 * * * *", "Europe/Paris", utc(2026, 10, 25, 0, 50), utc(2026, 10, 25, 2, 0)),
        # the same local time moves in UTC across New York's DST change
        ("0 8 * * *", "America/New_York", utc(2026, 3, 7, 0), utc(2026, 3, 7, 13)),
        ("0 8 * * *", "America/New_York", utc(2026, 3, 8, 0), utc(2026, 3, 8, 12)),
        # weekdays as cron numbers them (0 and 7 are Sunday), not as APScheduler does
        ("0 9 * * 1-5", "UTC", utc(2026, 11, 28, 12), utc(2026, 11, 30, 9)),  # Sat -> Mon
        ("0 9 * * 0", "UTC", utc(2026, 11, 25, 12), utc(2026, 11, 29, 9)),  # Wed -> Sun
        ("0 9 * * 7", "UTC", utc(2026, 11, 25, 12), utc(2026, 11, 29, 9)),
        ("0 9 * * fri-sun", "UTC", utc(2026, 11, 29, 12), utc(2026, 12, 4, 9)),  # Sun -> Fri
        ("0 9 * * */2", "UTC", utc(2026, 11, 29, 12), utc(2026, 12, 1, 9)),  # Sun -> Tue
        ("0 9 * * mon,3", "UTC", utc(2026, 11, 30, 12), utc(2026, 12, 2, 9)),  # Mon -> Wed
    ],
)
def test_next_run(cron: str, zone: str, after: datetime, expected: datetime) -> None:
    assert next_run(cron, zone, after) == expected


def test_next_run_of_a_schedule_that_never_fires() -> None:
    assert next_run("0 8 31 4 *", "UTC", utc(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("cron", "text"),
    [
        ("30 7 * * *", "daily at 07:30"),
        ("0 0 * * *", "daily at 00:00"),
        ("0 8 * * mon-fri", "cron `0 8 * * mon-fri`"),
        ("*/30 * * * *", "cron `*/30 * * * *`"),
    ],
)
def test_describe(cron: str, text: str) -> None:
    assert describe(cron) == text


def schedule(schedule_id: int, next_run_at: datetime | None) -> ScheduleRow:
    return ScheduleRow(
        id=schedule_id,
        guild_id=1,
        channel_id=100 + schedule_id,
        cron="0 8 * * *",
        timezone="UTC",
        last_run_at=None,
        next_run_at=next_run_at,
        created_by=None,
        created_at=utc(2026, 1, 1),
    )


def test_due_schedules_most_overdue_first() -> None:
    now = utc(2026, 3, 2, 9)
    rows = [
        schedule(1, utc(2026, 3, 2, 8)),
        schedule(2, utc(2026, 3, 2, 10)),  # not yet
        schedule(3, None),  # never fires
        schedule(4, datetime(2026, 3, 2, 9)),  # naive, as SQLite returns it: exactly now
        schedule(5, utc(2026, 3, 1, 8)),
    ]
    assert [s.id for s in due_schedules(rows, now)] == [5, 1, 4]
