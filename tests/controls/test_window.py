"""Quiet hours: the window across midnight, on the days clocks change, and what users may type."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.controls import ControlError, QuietHours, local_day, parse_hhmm
from bot.controls.window import next_day_start, quiet_setting

NIGHT = QuietHours(time(22, 0), time(7, 0), "Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (utc(2026, 1, 15, 20, 59), False),  # 21:59 CET
        (utc(2026, 1, 15, 21, 0), True),  # 22:00: the start is inside
        (utc(2026, 1, 15, 23, 30), True),  # 00:30 the next day: across midnight
        (utc(2026, 1, 16, 5, 59), True),  # 06:59
        (utc(2026, 1, 16, 6, 0), False),  # 07:00: the end is outside
        (utc(2026, 1, 16, 12, 0), False),
    ],
)
def test_a_night_window_crosses_midnight_in_the_channels_zone(
    moment: datetime, quiet: bool
) -> None:
    assert NIGHT.contains(moment) is quiet


def test_a_day_window_does_not_wrap() -> None:
    lunch = QuietHours(time(12, 0), time(13, 30), "UTC")
    assert lunch.contains(utc(2026, 1, 15, 12, 0))
    assert lunch.contains(utc(2026, 1, 15, 13, 29))
    assert not lunch.contains(utc(2026, 1, 15, 13, 30))
    assert not lunch.contains(utc(2026, 1, 15, 23, 0))
    assert lunch.ends_after(utc(2026, 1, 15, 12, 10)) == utc(2026, 1, 15, 13, 30)
    assert lunch.ends_after(utc(2026, 1, 15, 14, 0)) == utc(2026, 1, 16, 13, 30)


def test_the_end_is_the_next_local_end_after_the_moment() -> None:
    assert NIGHT.ends_after(utc(2026, 1, 15, 21, 0)) == utc(2026, 1, 16, 6, 0)
    assert NIGHT.ends_after(utc(2026, 1, 16, 3, 0)) == utc(2026, 1, 16, 6, 0)


def test_spring_forward_night_is_an_hour_shorter_in_utc() -> None:
    # 29 March 2026, Berlin: 02:00 CET becomes 03:00 CEST.
    start = utc(2026, 3, 28, 21, 0)  # 22:00 CET
    assert NIGHT.contains(start)
    end = NIGHT.ends_after(start)
    assert end == utc(2026, 3, 29, 5, 0)  # 07:00 CEST
    assert (end - start).total_seconds() == 8 * 3600
    assert NIGHT.contains(utc(2026, 3, 29, 4, 59))
    assert not NIGHT.contains(utc(2026, 3, 29, 5, 0))


def test_fall_back_night_is_an_hour_longer_and_the_repeated_hour_stays_quiet() -> None:
    # 25 October 2026, Berlin: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
    start = utc(2026, 10, 24, 20, 0)  # 22:00 CEST
    end = NIGHT.ends_after(start)
    assert end == utc(2026, 10, 25, 6, 0)  # 07:00 CET
    assert (end - start).total_seconds() == 10 * 3600
    assert NIGHT.contains(utc(2026, 10, 25, 0, 30))  # 02:30 CEST
    assert NIGHT.contains(utc(2026, 10, 25, 1, 30))  # 02:30 CET, the second time


def test_an_end_skipped_by_the_clock_change_falls_after_the_gap() -> None:
    # Quiet until 02:30 on the night 02:00-03:00 does not exist in Berlin.
    short = QuietHours(time(23, 0), time(2, 30), "Europe/Berlin")
    end = short.ends_after(utc(2026, 3, 28, 22, 30))
    assert end == utc(2026, 3, 29, 1, 30)  # 03:30 CEST: the first moment past 02:30
    assert not short.contains(end)


def test_the_local_day_and_its_end_follow_the_channels_zone() -> None:
    late = utc(2026, 3, 2, 23, 30)
    assert local_day(late, "UTC") == "2026-03-02"
    assert local_day(late, "Europe/Berlin") == "2026-03-03"
    assert local_day(late, "America/New_York") == "2026-03-02"
    assert next_day_start(late, "Europe/Berlin") == utc(2026, 3, 3, 23, 0)
    assert next_day_start(utc(2026, 3, 28, 12, 0), "Europe/Berlin") == utc(2026, 3, 28, 23, 0)
    assert next_day_start(utc(2026, 3, 29, 12, 0), "Europe/Berlin") == utc(2026, 3, 29, 22, 0)


@pytest.mark.parametrize(
    ("start", "end", "stored"),
    [
        ("22:00", "07:00", ("22:00", "07:00")),
        ("7:05", "9:00", ("07:05", "09:00")),
        ("off", None, None),
    ],
)
def test_typed_quiet_hours_are_stored_as_hh_mm(
    start: str, end: str | None, stored: tuple[str, str] | None
) -> None:
    assert quiet_setting(start, end) == stored


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("22", "07:00", "`22` is not a time"),
        ("22:00", "24:00", "`24:00` is not a time"),
        ("22:00", None, "Give the end"),
        ("08:00", "8:00", "different times"),
    ],
)
def test_bad_quiet_hours_get_a_one_line_reason(start: str, end: str | None, message: str) -> None:
    with pytest.raises(ControlError, match=message) as caught:
        quiet_setting(start, end)
    assert "\n" not in str(caught.value)


def test_parse_hhmm_reads_times() -> None:
    assert parse_hhmm(" 07:30 ") == time(7, 30)
    with pytest.raises(ControlError):
        parse_hhmm("7.30")
