"""Run CPU-heavy pure functions (parsing, extraction, digesting) off the event loop.

Worker *processes*, not threads: feedparser and trafilatura are pure Python and hold the GIL, so
threads would serialise them and stall the event loop (measured in the feed pipeline issue).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# A worker process is replaced after this many jobs so a leak in a parser cannot grow forever.
MAX_TASKS_PER_CHILD = 500
# No job may hold up its caller longer than this (extraction's own bounds keep the worst page
# at a few seconds; this is the backstop).
DEFAULT_TIMEOUT = 60.0


class Workers:
    """A pool running picklable functions in worker processes (a thread if ``processes=0``)."""

    def __init__(self, processes: int = 2, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._timeout = timeout
        self._executor: Executor
        if processes <= 0:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-work")
        else:
            self._executor = ProcessPoolExecutor(
                max_workers=processes,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=MAX_TASKS_PER_CHILD,
            )

    async def run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``func(*args, **kwargs)`` in the pool and await its result.

        Raises :class:`TimeoutError` after the pool's timeout (the job itself cannot be stopped
        inside a worker process, but its caller moves on).
        """
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self._executor, functools.partial(func, *args, **kwargs))
        return await asyncio.wait_for(job, self._timeout)

    def close(self) -> None:
        """Stop the pool, waiting for running jobs."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
