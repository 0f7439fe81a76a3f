"""A channel's controls in words, for ``/channel show`` and the replies that change them."""

from __future__ import annotations

import logging

from bot.store.rows import ChannelControlsRow

log = logging.getLogger(__name__)


def describe_controls(row: ChannelControlsRow | None, *, posted_today: int = 0) -> list[str]:
    """One line per control: quiet hours, daily cap (with today's count), digest maximum."""
    if row is None or row.quiet_start is None or row.quiet_end is None:
        quiet = "Quiet hours: none"
    else:
        quiet = f"Quiet hours: {row.quiet_start}-{row.quiet_end} ({row.timezone})"
    if row is None or row.daily_cap is None:
        cap = "Daily cap: none"
    else:
        cap = f"Daily cap: {row.daily_cap} posts a day ({posted_today} today, {row.timezone})"
    if row is None or row.digest_max is None:
        size = "Digest size: every article"
    else:
        size = f'Digest size: at most {row.digest_max} articles, the rest named as "N more"'
    return [quiet, cap, size]
