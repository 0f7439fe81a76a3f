"""A cog's recurring job that a shutdown does not cut in the middle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


class ShieldedJob:
    """Runs ``work`` at each tick, never twice at once, shielded from the scheduler's shutdown.

    APScheduler cancels running jobs when it shuts down; a poll cycle or a digest run cut inside a
    database call can hang the store's close. The run goes on instead, and the cog waits for it
    (within a bound) in ``cog_unload`` with :meth:`finish`.
    """

    def __init__(self, work: Callable[[], Awaitable[Any]], name: str) -> None:
        self._work = work
        self._name = name
        self._running: asyncio.Task[Any] | None = None

    async def tick(self) -> None:
        """Start a run unless one is under way, and wait for it."""
        if self._running is not None and not self._running.done():
            return
        self._running = asyncio.ensure_future(self._work())
        try:
            await asyncio.shield(self._running)
        except asyncio.CancelledError:
            log.info("%s continues while the bot shuts down", self._name)

    async def finish(self, timeout: float) -> None:  # noqa: ASYNC109
        """Wait up to ``timeout`` seconds for a run under way, then cancel it."""
        running = self._running
        if running is None or running.done():
            return
        done, _ = await asyncio.wait({running}, timeout=timeout)
        if not done:
            log.warning("%s still running after %.0f s: cancelled", self._name, timeout)
            running.cancel()
