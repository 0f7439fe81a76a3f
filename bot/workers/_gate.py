"""A counting gate awaited from any event loop and released from any thread.

``asyncio.Semaphore`` binds itself to one loop; the pool outlives loops (tests share one pool
across them) and frees room from its dispatcher threads, so it needs this small variant.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque


class Gate:
    """At most ``capacity`` holders at once; waiters are served first come, first served."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a gate needs room for at least one holder")
        self._lock = threading.Lock()
        self._capacity = capacity
        self._free = capacity
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    @property
    def held(self) -> int:
        """How many holders have room now."""
        return self._capacity - self._free

    @property
    def waiting(self) -> int:
        """How many callers are waiting for room."""
        return len(self._waiters)

    async def acquire(self) -> None:
        """Wait (without blocking the loop) until there is room, and take it."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return
            waiter = (loop, loop.create_future())
            self._waiters.append(waiter)
        try:
            await waiter[1]
        except asyncio.CancelledError:
            with self._lock:
                granted = waiter not in self._waiters
                if not granted:
                    self._waiters.remove(waiter)
            if granted:  # room was handed over as the caller gave up: pass it on
                self.release()
            raise

    def release(self) -> None:
        """Give back one holder's room (callable from any thread)."""
        while True:
            with self._lock:
                if not self._waiters:
                    self._free += 1
                    return
                loop, future = self._waiters.popleft()
            try:
                loop.call_soon_threadsafe(_grant, future)
                return
            except RuntimeError:  # that waiter's loop is closed: serve the next one
                continue


def _grant(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
