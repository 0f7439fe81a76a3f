"""Whether an instant post may go out now, and why one waits: quiet hours or the daily cap."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.controls.window import QuietHours, local_day, next_day_start, parse_hhmm
from bot.store.rows import ChannelControlsRow, DeliveryRow

log = logging.getLogger(__name__)

QUIET = "quiet"  # held until the quiet hours end, then posted in one catch-up digest
CAP = "cap"  # over the daily cap: the next digest carries it, or a "N more" line


class ControlsStore(Protocol):
    """What the gate needs of the store."""

    async def take_cap_slot(
        self, delivery_id: int, channel_id: int, day: str, cap: int
    ) -> bool: ...

    async def cap_count(self, channel_id: int, day: str) -> int: ...

    async def get_controls(self, channel_id: int) -> ChannelControlsRow | None: ...

    async def delivery_for(self, article_id: int, channel_id: int) -> DeliveryRow | None: ...


@dataclass(frozen=True, slots=True)
class Hold:
    """Why a post waits and until when (UTC)."""

    reason: str  # QUIET or CAP
    until: datetime

    def describe(self) -> str:
        """One line for a reply: what holds the post and when it goes out."""
        stamp = f"<t:{int(self.until.timestamp())}:f>"
        if self.reason == QUIET:
            return f"the channel's quiet hours; it goes out in a catch-up digest at {stamp}"
        return (
            "the channel's daily cap is reached: it goes into the channel's next digest, or onto "
            f'its "N more" line after {stamp}'
        )


def quiet_hours(controls: ChannelControlsRow) -> QuietHours | None:
    """The channel's quiet hours, or None when it has none."""
    if controls.quiet_start is None or controls.quiet_end is None:
        return None
    start, end = parse_hhmm(controls.quiet_start), parse_hhmm(controls.quiet_end)
    return QuietHours(start, end, controls.timezone)


def is_quiet(controls: ChannelControlsRow | None, now: datetime) -> bool:
    """True when the channel is inside its quiet hours at ``now``."""
    quiet = quiet_hours(controls) if controls is not None else None
    return quiet is not None and quiet.contains(now)


def hold_of(controls: ChannelControlsRow, now: datetime, *, posted_today: int) -> Hold | None:
    """What would hold a new instant post at ``now``, given the posts counted today."""
    quiet = quiet_hours(controls)
    if quiet is not None and quiet.contains(now):
        return Hold(QUIET, quiet.ends_after(now))
    if controls.daily_cap is not None and posted_today >= controls.daily_cap:
        return Hold(CAP, next_day_start(now, controls.timezone))
    return None


async def admit(
    store: ControlsStore, controls: ChannelControlsRow, row: DeliveryRow, now: datetime
) -> str | None:
    """None when the post may go out now (counted in today's cap), else why it is held."""
    quiet = quiet_hours(controls)
    if quiet is not None and quiet.contains(now):
        return QUIET
    if controls.daily_cap is None:
        return None
    day = local_day(now, controls.timezone)
    if await store.take_cap_slot(row.id, row.channel_id, day, controls.daily_cap):
        return None
    return CAP


async def explain(
    store: ControlsStore, article_id: int, channel_id: int, now: datetime
) -> Hold | None:
    """Whether the article is held for the channel, and why; None when it is not."""
    row = await store.delivery_for(article_id, channel_id)
    if row is None or row.status != "pending":
        return None
    controls = await store.get_controls(channel_id)
    if controls is None:
        return None
    if row.held == CAP:
        return Hold(CAP, next_day_start(now, controls.timezone))
    if row.kind != "instant" and row.held is None:
        return None  # a digest-mode post waits for its schedule, not for the controls
    today = local_day(now, controls.timezone)
    if row.held is None and row.cap_day == today:
        return None  # already counted in today's cap: it goes out
    posted = await store.cap_count(channel_id, today)
    hold = hold_of(controls, now, posted_today=0 if row.held == QUIET else posted)
    if row.held == QUIET and hold is None:
        return None  # quiet hours are over: the catch-up digest is on its way
    return hold
