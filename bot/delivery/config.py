"""The delivery worker's knobs, with Discord's limits (and a safety margin) as defaults."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """How fast and how hard the worker posts."""

    rate_per_second: int = 45  # Discord allows 50 requests/s per bot: leave room for the rest
    rate_window_seconds: float = 1.0
    channel_messages: int = 5  # Discord: 5 messages per 5 s per channel
    channel_window_seconds: float = 5.0
    webhook_messages: int = 5  # Discord: 5 executes per 2 s per webhook (besides the channel's)
    webhook_window_seconds: float = 2.0
    batch: int = 100  # rows held in memory at once (claimed, not yet posted)
    # Rows one claim takes per channel: a channel posts 5 per 5 s, so more would only wait in
    # memory while other channels' posts wait in the database.
    channel_batch: int = 10
    lease_seconds: float = 120.0  # a claimed row is hidden this long (a dead worker's rows return)
    idle_seconds: float = 1.0  # how often to look for new rows when there are none
    retry_base_seconds: float = 10.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 12
    key_points: int = 3
    notice_after: timedelta = timedelta(hours=24)  # a feed failing this long gets a notice...
    notice_every: timedelta = timedelta(hours=24)  # ...at most this often
    notice_check_seconds: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryConfig:
        """The config the settings ask for; Discord's limits and the safety margins elsewhere."""
        return cls(
            rate_per_second=settings.delivery_rate_per_second,
            lease_seconds=settings.delivery_lease_seconds,
            idle_seconds=settings.delivery_idle_seconds,
            key_points=settings.key_points,
        )
