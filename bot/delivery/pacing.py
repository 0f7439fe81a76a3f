"""Client-side rate limiting: never more than N requests in any window of W seconds."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.delivery.config import DeliveryConfig

log = logging.getLogger(__name__)

OUTAGE_MAX_BACKOFF = 2.0  # seconds between tries while the budget's database is away


class SlidingWindow:
    """An async limiter: at most ``limit`` acquisitions in any ``window`` seconds, FIFO.

    Discord counts requests in windows that open on a first request; a client that keeps at
    most N in *every* sliding window can never exceed N in any of Discord's windows.
    """

    def __init__(
        self, limit: int, window: float, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._monotonic = monotonic
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()  # FIFO: waiters are served in order

    async def acquire(self) -> None:
        """Wait until one more request fits, then count it."""
        async with self._lock:
            while (delay := self._delay()) > 0:  # noqa: ASYNC110 - sleep to a known deadline
                await asyncio.sleep(delay)
            self._times.append(self._monotonic())

    def _delay(self) -> float:
        now = self._monotonic()
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[0] + self.window - now

    def idle(self) -> bool:
        """True when nothing was counted within the last window (the limiter can be dropped)."""
        return not self._times or self._monotonic() - self._times[-1] >= self.window


class SharedBudget:
    """The global limit shared by every process: tokens reserved in batches in the database.

    A batch is reserved only when a request waits, no larger than the requests waiting; the
    database says how long to wait before the batch is covered. Tokens not used within ``hold``
    seconds of that are dropped, so a process never spends old tokens in a burst on top of the
    other processes' new ones.
    """

    def __init__(
        self,
        reserve: Callable[[int], Awaitable[float]],
        *,
        batch: int = 5,
        hold: float = 0.1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._reserve = reserve
        self.batch = batch
        self.hold = hold
        self._monotonic = monotonic
        self._tokens = 0
        self._valid_from = 0.0
        self._waiting = 0
        self._lock = asyncio.Lock()  # FIFO: waiters are served in order
        self.reservations = 0  # database statements made (for benchmarks)

    async def acquire(self) -> None:
        """Wait until the shared budget covers one more request."""
        self._waiting += 1
        try:
            async with self._lock:
                if not self._take():
                    want = max(1, min(self.batch, self._waiting))
                    wait = await self._reserve_when_reachable(want)
                    await asyncio.sleep(wait)
                    self._tokens, self._valid_from = want - 1, self._monotonic()
        finally:
            self._waiting -= 1

    async def _reserve_when_reachable(self, want: int) -> float:
        """Reserve ``want`` tokens, waiting out a database outage.

        A request sent without the budget could break the cluster's limit, and failing it
        would leave its claimed post hidden until the lease ends; so it waits for the database,
        as claiming does, and goes out as soon as the database is back.
        """
        failures = 0
        while True:
            self.reservations += 1
            try:
                wait = await self._reserve(want)
            except Exception as exc:  # the database is unreachable (any driver's error)
                failures += 1
                if failures == 1:
                    log.warning(
                        "the shared rate budget is unreachable (%s); posts wait for the database",
                        type(exc).__name__,
                    )
                await asyncio.sleep(min(OUTAGE_MAX_BACKOFF, 0.25 * 2.0 ** min(failures - 1, 8)))
                continue
            if failures:
                log.info("the shared rate budget is reachable again after %d tries", failures)
            return wait

    def _take(self) -> bool:
        if self._tokens and self._monotonic() - self._valid_from <= self.hold:
            self._tokens -= 1
            return True
        self._tokens = 0
        return False


class Pacer:
    """The global limiter plus one sliding window per channel."""

    def __init__(self, config: DeliveryConfig, *, shared: SharedBudget | None = None) -> None:
        self.config = config
        self.global_limit: SlidingWindow | SharedBudget = shared or SlidingWindow(
            config.rate_per_second, config.rate_window_seconds
        )
        self._channels: dict[int, SlidingWindow] = {}

    async def acquire(self, channel_id: int) -> None:
        """Wait for the channel's window, then for the global one (taken last: it is shared)."""
        window = self._channels.get(channel_id)
        if window is None:
            window = SlidingWindow(self.config.channel_messages, self.config.channel_window_seconds)
            self._channels[channel_id] = window
        await window.acquire()
        await self.global_limit.acquire()

    def forget_idle(self) -> None:
        """Drop the windows of channels that have been quiet for a whole window."""
        for channel_id in [c for c, w in self._channels.items() if w.idle()]:
            del self._channels[channel_id]
