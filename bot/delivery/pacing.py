"""Client-side rate limiting: never more than N requests in any window of W seconds."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)


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
