"""A writer task that gathers polled feeds' results into batches and stores each in one write.

The poll workers hand finished feeds to a bounded queue and go back to fetching: the writes of
one batch overlap the fetching and parsing of the next. A batch is written when it holds
``max_feeds`` feeds or ``max_articles`` articles, or ``max_delay`` seconds after its first feed,
so memory stays bounded (a full queue makes the workers wait) and nothing waits long.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.store import Store, StoreResult
from bot.store.rows import FeedBatchItem

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_FEEDS = 100
MAX_ARTICLES = 1_000  # also bounds how long one batch holds the event loop
MAX_DELAY_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class Job(Generic[T]):
    """One feed's batch item and the caller's context (handed back once it is stored)."""

    item: FeedBatchItem
    context: T


Stored = Callable[[Job[T], StoreResult], Awaitable[None]]
Failed = Callable[[Job[T], Exception], Awaitable[None]]


class BatchWriter(Generic[T]):
    """Stores queued feeds in batches from one background task; see the module docstring."""

    def __init__(
        self,
        store: Store,
        on_stored: Stored[T],
        on_failed: Failed[T],
        *,
        max_feeds: int = MAX_FEEDS,
        max_articles: int = MAX_ARTICLES,
        max_delay: float = MAX_DELAY_SECONDS,
    ) -> None:
        self._store = store
        self._on_stored = on_stored
        self._on_failed = on_failed
        self._max_feeds = max_feeds
        self._max_articles = max_articles
        self._max_delay = max_delay
        self._queue: asyncio.Queue[Job[T] | None] = asyncio.Queue(maxsize=2 * max_feeds)
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # batches written (for reports and tests)

    def start(self) -> None:
        """Start the writer task."""
        self._task = asyncio.create_task(self._run(), name="batch-writer")

    async def put(self, job: Job[T]) -> None:
        """Queue a feed's results; waits while the queue is full (back-pressure)."""
        if self._task is None or self._task.done():
            raise RuntimeError("the batch writer is not running")
        await self._queue.put(job)

    async def close(self) -> None:
        """Write what is queued, then stop."""
        if self._task is None:
            return
        if not self._task.done():
            await self._queue.put(None)
        await self._task

    async def cancel(self) -> None:
        """Stop at once (shutdown): what is queued stays unwritten, its feeds are polled again."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        closing = False
        while not closing:
            first = await self._queue.get()
            if first is None:
                return
            batch, closing = await self._gather(first)
            await self._write(batch)

    async def _gather(self, first: Job[T]) -> tuple[list[Job[T]], bool]:
        """``first`` and what follows it within the batch's size and time limits."""
        batch = [first]
        articles = len(first.item.articles)
        deadline = time.monotonic() + self._max_delay
        while len(batch) < self._max_feeds and articles < self._max_articles:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                job = await asyncio.wait_for(self._queue.get(), remaining)
            except TimeoutError:
                break
            if job is None:
                return batch, True
            batch.append(job)
            articles += len(job.item.articles)
        return batch, False

    async def _write(self, batch: Sequence[Job[T]]) -> None:
        try:
            results = await self._store.store_feed_batch([job.item for job in batch])
        except Exception as exc:
            if len(batch) == 1:
                log.exception("storing feed %d failed", batch[0].item.feed_id)
                await self._fail(batch[0], exc)
                return
            # One bad feed must not lose the others: write them one by one.
            log.warning("storing a batch of %d feeds failed: retrying one by one", len(batch))
            for job in batch:
                await self._write([job])
            return
        self.batches += 1
        for job in batch:
            try:
                await self._on_stored(job, results[job.item.feed_id])
            except Exception:
                log.exception("after storing feed %d", job.item.feed_id)

    async def _fail(self, job: Job[T], exc: Exception) -> None:
        try:
            await self._on_failed(job, exc)
        except Exception:
            log.exception("recording the failure of feed %d", job.item.feed_id)
