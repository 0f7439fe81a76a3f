"""Once-only jobs: run by the one process that holds the leader lock, moved when it dies.

Every process that may lead (``scheduler`` among its roles) tries to take the lock every
``leader_check_seconds``; the one holding it runs the registered jobs, each at once when it
becomes the leader and then every ``every`` seconds. A leader whose lock's connection fails
stops its jobs at once (another process may be the leader a few seconds later).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.store.leader import LeaderLock

log = logging.getLogger(__name__)


@dataclass
class OnceJob:
    """A job of the leader: ``work`` every ``every`` seconds."""

    name: str
    every: float
    work: Callable[[], Awaitable[object]]
    next_run: float = 0.0  # monotonic; 0: at once


class Leadership:
    """Holds (or waits for) the leader lock and runs the once-only jobs while it holds it."""

    def __init__(self, lock: LeaderLock, *, check_seconds: float, eligible: bool = True) -> None:
        self._lock = lock
        self.check_seconds = check_seconds
        self.eligible = eligible
        self.is_leader = False
        self._jobs: dict[str, OnceJob] = {}
        self._running: asyncio.Task[None] | None = None

    def add_job(self, name: str, every: float, work: Callable[[], Awaitable[object]]) -> None:
        """Run ``work`` on the leader: when it becomes the leader, then every ``every`` s."""
        self._jobs[name] = OnceJob(name, every, work)

    def job_names(self) -> list[str]:
        """The registered jobs' names."""
        return list(self._jobs)

    def remove_job(self, name: str) -> None:
        """Stop running the job ``name`` (a run under way finishes)."""
        self._jobs.pop(name, None)

    async def check(self) -> bool:
        """Take or keep the lock; start due jobs when leading, stop them when no longer."""
        if not self.eligible:
            return False
        try:
            leading = await self._lock.try_take()
        except Exception as exc:
            log.warning("leader lock: cannot be taken (%s: %s)", type(exc).__name__, exc)
            leading = False
        if leading != self.is_leader:
            self.is_leader = leading
            log.info(
                "leader: %s", "this process runs the once-only jobs" if leading else "no longer"
            )
            if leading:
                for job in self._jobs.values():
                    job.next_run = 0.0
            else:
                await self._stop_jobs()
        if leading and (self._running is None or self._running.done()):
            self._running = asyncio.create_task(self._run_due(), name="once-only-jobs")
        return leading

    async def _run_due(self) -> None:
        for job in list(self._jobs.values()):
            if time.monotonic() < job.next_run:
                continue
            job.next_run = time.monotonic() + job.every
            try:
                await job.work()
            except Exception:
                log.exception("once-only job %s failed", job.name)

    async def run(self) -> None:
        """Check every ``check_seconds`` until cancelled."""
        while True:
            await self.check()
            await asyncio.sleep(self.check_seconds)

    async def _stop_jobs(self) -> None:
        running, self._running = self._running, None
        if running is not None and not running.done():
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running

    async def close(self) -> None:
        """Stop the jobs and give the lock back for good (another process takes it next)."""
        self.eligible = False
        await self._stop_jobs()
        self.is_leader = False
        await self._lock.release()


@asynccontextmanager
async def lead(
    lock: LeaderLock, *, check_seconds: float, eligible: bool
) -> AsyncIterator[Leadership]:
    """A :class:`Leadership` checking in the background while inside; the lock given back after."""
    leadership = Leadership(lock, check_seconds=check_seconds, eligible=eligible)
    await leadership.check()  # a single process is the leader from its first moment
    task = asyncio.create_task(leadership.run(), name="leader-check")
    try:
        yield leadership
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await leadership.close()
