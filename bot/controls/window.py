"""Quiet hours as local wall-clock times in a channel's time zone, and the channel's local day."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import BriefingError

log = logging.getLogger(__name__)

_HHMM = re.compile(r"(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)")


class ControlError(BriefingError, ValueError):
    """A channel control the user must correct; the message says what to write instead."""


def parse_hhmm(text: str) -> time:
    """The wall-clock time of "HH:MM" (00:00 to 23:59), or a ControlError."""
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        raise ControlError(f"`{text}` is not a time: write HH:MM, e.g. 22:00 or 07:30.")
    return time(int(match["h"]), int(match["m"]))


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From ``start`` (included) to ``end`` (excluded), local time; crosses midnight if start > end.

    Wall-clock times: on a day the clocks change, 22:00-07:00 lasts an hour more or less.
    """

    start: time
    end: time
    timezone: str

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ControlError("Quiet hours must start and end at different times.")

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` (aware) falls inside the quiet hours."""
        local = moment.astimezone(ZoneInfo(self.timezone)).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime) -> datetime:
        """The first end of quiet hours after ``moment``, in UTC.

        An end time that a spring-forward skips falls on the first moment after the gap.
        """
        zone = ZoneInfo(self.timezone)
        day = moment.astimezone(zone).date()
        for offset in range(3):
            candidate = datetime.combine(day + timedelta(days=offset), self.end, zone)
            utc = candidate.astimezone(UTC)
            if utc > moment:
                return utc
        raise AssertionError("an end of quiet hours falls within three days")  # pragma: no cover

    def describe(self) -> str:
        """How the window reads in replies: "22:00-07:00 (Europe/Berlin)"."""
        return f"{self.start:%H:%M}-{self.end:%H:%M} ({self.timezone})"


def local_day(moment: datetime, timezone: str) -> str:
    """The date of ``moment`` in ``timezone`` as YYYY-MM-DD: the day a daily cap counts in."""
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


def next_day_start(moment: datetime, timezone: str) -> datetime:
    """When the day after ``moment``'s local day starts, in UTC (a daily cap resets then)."""
    zone = ZoneInfo(timezone)
    tomorrow = moment.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0, 0), zone).astimezone(UTC)


def quiet_setting(start: str, end: str | None) -> tuple[str, str] | None:
    """The stored quiet hours ("HH:MM", "HH:MM") of what was typed; None for "off"."""
    if start.strip().lower() in {"off", "none", "-"}:
        return None
    if end is None:
        raise ControlError("Give the end of the quiet hours too, e.g. `start:22:00 end:07:00`.")
    first, last = parse_hhmm(start), parse_hhmm(end)
    if first == last:
        raise ControlError("Quiet hours must start and end at different times.")
    return f"{first:%H:%M}", f"{last:%H:%M}"
