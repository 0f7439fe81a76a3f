"""How late the fake's own event loop runs: a stall bunches requests that arrived spread out.

The fake shares its event loop with the test (and, in the suite, two test processes share two
cores with the bots under test). While that loop is stalled, requests that reached the socket
evenly spaced wait in the kernel and are then counted within milliseconds of each other, so the
fake's one-second global window can see more than the bot sent in any second. The rate limiter
asks this watch how long the loop was stalled lately, and marks a global 429 given right after
such a stall as one the fake may have caused itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

TICK = 0.01  # seconds between the watch's wake-ups
KEEP = 10.0  # seconds of stalls remembered


class LoopWatch:
    """Records every time the loop woke the watch ``threshold`` seconds or more late."""

    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = threshold
        self.stalls: deque[tuple[float, float]] = deque()  # (ended at, seconds late)
        self._last = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start watching the running loop."""
        self._last = time.monotonic()
        self._task = asyncio.create_task(self._run(), name="fake-discord-loop-watch")

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def longest_within(self, seconds: float) -> float:
        """The longest stall that ended within the last ``seconds``, or is going on now (a
        request handled first after a stall runs before the watch itself wakes)."""
        now = time.monotonic()
        ongoing = now - self._last - TICK
        ended = (late for end, late in self.stalls if end >= now - seconds)
        return max(ongoing, *ended, 0.0)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            late = now - self._last - TICK
            self._last = now
            if late >= self.threshold:
                self.stalls.append((now, late))
            while self.stalls and self.stalls[0][0] < now - KEEP:
                self.stalls.popleft()
