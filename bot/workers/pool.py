"""Run CPU-heavy pure functions (parsing, extraction, digesting) off the event loop.

Worker *processes*, not threads: feedparser and trafilatura are pure Python and hold the GIL, so
threads would serialise them and stall the event loop (measured in the feed pipeline issue).

The pool is its own rather than ``ProcessPoolExecutor(max_tasks_per_child=...)``: on CPython
3.11 a worker retiring at that limit while jobs are queued is never replaced (gh-115634), and the
executor can neither stop a job that runs too long nor tell one crashed job from a broken pool.
Here one dispatcher thread owns each worker process: it recycles the worker after ``max_jobs``
jobs, kills and replaces it when a job outlives its timeout or when it dies, and fails only the
job that was running. (pebble 5.2.3's ProcessPool was tried too: after a worker was SIGKILLed,
a job's future never resolved and the pool's join hung, in 3 of 11 runs of 20 kills each.)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import queue
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from bot.workers._gate import Gate
from bot.workers._slot import Job, Slot
from bot.workers.errors import PoolClosed

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# A worker process is replaced after this many jobs so a leak in a parser cannot grow forever.
# High enough that re-importing the parsers (about a second each time) stays rare.
MAX_JOBS_PER_WORKER = 2_000
# No job may run longer than this (extraction's own bounds keep the worst page at a few
# seconds; this is the backstop). Time spent waiting for a worker is not counted.
DEFAULT_TIMEOUT = 60.0
# How long ``close`` lets running jobs finish before killing their workers.
CLOSE_GRACE = 2.0


class Workers:
    """A pool running picklable functions in worker processes (a thread if ``processes=0``).

    ``run`` waits for room before handing a job over, so at most ``max_pending`` jobs (by
    default twice the processes) are running or queued: a caller with thousands of jobs holds
    the rest itself instead of piling them into the pool.
    """

    def __init__(
        self,
        processes: int = 2,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_jobs: int = MAX_JOBS_PER_WORKER,
        max_pending: int | None = None,
    ) -> None:
        if timeout <= 0 or max_jobs < 1:
            raise ValueError("a worker pool needs a positive timeout and max_jobs")
        self._timeout = timeout
        self._closed = False
        self._gate = Gate(max_pending or 2 * max(1, processes))
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: ThreadPoolExecutor | None = None
        self._slots: list[Slot] = []
        if processes <= 0:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-work")
            return
        context = multiprocessing.get_context("spawn")
        self._slots = [
            Slot(self._jobs, context, timeout=timeout, max_jobs=max_jobs, index=i)
            for i in range(processes)
        ]

    @property
    def pending(self) -> int:
        """Jobs handed to the pool and not finished yet (running or queued)."""
        return self._gate.held

    @property
    def waiting(self) -> int:
        """Callers of :meth:`run` waiting for room in the pool."""
        return self._gate.waiting

    @property
    def workers_started(self) -> int:
        """Worker processes started so far (first starts, recycling and replacements)."""
        return sum(slot.started for slot in self._slots)

    async def run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``func(*args, **kwargs)`` in the pool and await its result.

        Raises :class:`TimeoutError` when the job itself runs longer than the pool's timeout (its
        worker is killed and replaced), :class:`WorkerCrashed` when its worker dies, and
        :class:`PoolClosed` after :meth:`close`; otherwise whatever ``func`` raised. In thread
        mode (``processes=0``) a timed-out job cannot be stopped: only its caller moves on.
        """
        if self._closed:
            raise PoolClosed("the worker pool is closed")
        await self._gate.acquire()
        try:
            future = self._submit(func, args, kwargs)
        except BaseException:
            self._gate.release()
            raise
        future.add_done_callback(lambda _: self._gate.release())
        if self._thread is not None:
            return await asyncio.wait_for(asyncio.wrap_future(future), self._timeout)
        return await asyncio.wrap_future(future)

    def _submit(
        self, func: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[T]:
        if self._closed:
            raise PoolClosed("the worker pool is closed")
        if self._thread is not None:
            return self._thread.submit(functools.partial(func, *args, **kwargs))
        job = Job(func, args, kwargs)
        self._jobs.put(job)
        return job.future

    def close(self, grace: float = CLOSE_GRACE) -> None:
        """Stop the pool: queued jobs fail, running ones get ``grace`` seconds, then are killed."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._thread.shutdown(wait=True, cancel_futures=True)
            return
        self._fail_queued()
        for slot in self._slots:
            slot.closing = True
            self._jobs.put(None)
        deadline = time.monotonic() + grace
        for slot in self._slots:
            slot.join(max(0.0, deadline - time.monotonic()))
        for slot in self._slots:
            slot.kill_worker()
        for slot in self._slots:
            if not slot.join(CLOSE_GRACE * 5):
                log.warning("a worker pool thread did not stop")

    def _fail_queued(self) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None and job.future.set_running_or_notify_cancel():
                job.future.set_exception(PoolClosed("the worker pool was closed first"))

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
