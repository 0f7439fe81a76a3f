"""Cogs' recurring jobs: one way to add and remove them, and runs a shutdown does not cut."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)


def add_interval_job(
    scheduler: BaseScheduler,
    job_id: str,
    work: Callable[[], Awaitable[Any]],
    seconds: float,
    *,
    first_run: datetime | None = None,
) -> None:
    """Run ``work`` every ``seconds``: never two runs at once, missed runs folded into one, and
    a cog loaded again replaces its job rather than adding a second one."""
    options: dict[str, Any] = {"next_run_time": first_run} if first_run is not None else {}
    scheduler.add_job(
        work,
        "interval",
        seconds=seconds,
        id=job_id,
        max_instances=1,
        coalesce=True,
        replace_existing=True,
        **options,
    )


def remove_job(scheduler: BaseScheduler, job_id: str) -> None:
    """Remove the job if it is there (a cog unloaded twice, or after a failed load)."""
    if scheduler.get_job(job_id):
        scheduler.remove_job(job_id)


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
