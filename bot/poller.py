"""The poller: take due feeds, read them, store what is new, and plan the next poll.

Reads as miniflux's refresh: fetch -> skip if unchanged -> parse -> drop known entries ->
prepare (extract + digest) -> store. Storing is batched: the poll workers hand each changed
feed's items (and its poll's success) to one writer task (``bot.batch_writer``), which stores
many feeds in one transaction while the workers fetch on.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from bot.batch_writer import MAX_FEEDS, BatchWriter, Job
from bot.models import Article, Entry
from bot.pipeline import FeedRead, FeedUnavailable, Pipeline
from bot.schedule import PollPolicy, delay_after_failure, delay_after_success
from bot.store import FeedRow, Store, StoreResult
from bot.store.rows import FeedBatchItem, FeedSuccess

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger(__name__)

# A 404/410 is taken as permanent only once it has lasted this long: sites do break for a while.
PERMANENT_AFTER = timedelta(days=1)
# Unchanged feeds (the 304s, most of a cycle) are recorded in batches of this size: one
# statement per batch instead of a transaction per feed (measured 50x cheaper at 10,000 feeds).
NOT_MODIFIED_BATCH = 500

Clock = Callable[[], datetime]
ArticleSink = Callable[[FeedRow, Sequence[Article], bool], Awaitable[None]]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(slots=True)
class CycleReport:
    """What one poll cycle did."""

    feeds: int = 0
    not_modified: int = 0
    changed: int = 0
    failed: int = 0
    new_articles: int = 0
    deliveries: int = 0
    edits: int = 0  # posted messages to edit: their feed changed the item
    store_batches: int = 0  # write transactions that stored changed feeds' items
    errors: dict[str, str] = field(default_factory=dict)  # feed url -> error


class _Polled(NamedTuple):
    """What the poller needs once a feed's items are stored."""

    feed: FeedRow
    report: CycleReport
    baseline: bool


class Poller:
    """Polls due feeds with bounded concurrency and stores their new articles."""

    def __init__(
        self,
        store: Store,
        pipeline: Pipeline,
        policy: PollPolicy,
        *,
        concurrency: int = 64,
        batch: int = 1000,
        lease_seconds: int = 300,
        baseline_pages: int = 3,
        clock: Clock = utcnow,
        on_articles: ArticleSink | None = None,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
        subscribed_only: bool = False,
        write_batch: int = MAX_FEEDS,
    ) -> None:
        self._store = store
        self._pipeline = pipeline
        self._policy = policy
        self._concurrency = concurrency
        self._batch = batch
        self._lease = lease_seconds
        self._baseline_pages = baseline_pages
        self._clock = clock
        self._on_articles = on_articles
        self._rng = rng or random.Random()
        self._metrics = metrics
        # With Discord, a feed nobody follows any more is not polled (console mode polls all).
        self._subscribed_only = subscribed_only
        self._unchanged: list[tuple[int, datetime]] = []
        self._writer: BatchWriter[_Polled] | None = None  # set while a batch of feeds is polled
        self._write_batch = write_batch  # feeds per store transaction

    async def run_cycle(self) -> CycleReport:
        """Poll every feed that is due now, each at most once; returns what happened."""
        report = CycleReport()
        started = time.perf_counter()
        # Only feeds due when the cycle began are taken: a feed polled (or leased) during the
        # cycle is due again later than that, however long the cycle runs.
        cycle_start = self._clock()
        seen: set[int] = set()
        while True:
            # The lease runs from now, not from the cycle's start: later batches keep theirs.
            elapsed = (self._clock() - cycle_start).total_seconds()
            claimed = await self._store.claim_due_feeds(
                cycle_start,
                limit=self._batch,
                lease_seconds=self._lease + max(0.0, elapsed),
                subscribed_only=self._subscribed_only,
            )
            feeds = [feed for feed in claimed if feed.id not in seen]
            if not feeds:
                break
            seen.update(feed.id for feed in feeds)
            # A short claim does not end the cycle: with several pollers, SKIP LOCKED passes
            # over the rows another one is claiming at that moment, while others are still due.
            await self._poll_all(feeds, report)
        if report.feeds:
            log.info(
                "poll cycle: %d feeds, %d unchanged, %d changed, %d failed, %d new articles",
                report.feeds,
                report.not_modified,
                report.changed,
                report.failed,
                report.new_articles,
            )
        if self._metrics is not None:
            self._metrics.cycle_done(time.perf_counter() - started, self._clock())
        return report

    async def _poll_all(self, feeds: Sequence[FeedRow], report: CycleReport) -> None:
        # A fixed set of workers pulling from a queue: bounded requests in flight without
        # creating one task per feed (measured 4x slower with thousands of hosts).
        queue: asyncio.Queue[FeedRow] = asyncio.Queue()
        for feed in feeds:
            queue.put_nowait(feed)

        async def worker() -> None:
            while not queue.empty():
                feed = queue.get_nowait()
                await self.poll_feed(feed, report)

        workers = min(self._concurrency, len(feeds))
        # New items are stored in batches by one writer task while the workers fetch on.
        writer: BatchWriter[_Polled] = BatchWriter(
            self._store, self._stored, self._store_failed, max_feeds=self._write_batch
        )
        writer.start()
        self._writer = writer
        try:
            await asyncio.gather(*(worker() for _ in range(workers)))
            await writer.close()
            report.store_batches += writer.batches
        finally:
            self._writer = None
            await writer.cancel()
            await self._flush_unchanged()

    async def _flush_unchanged(self) -> None:
        batch, self._unchanged = self._unchanged, []
        if batch:
            await self._store.record_not_modified_many(batch)

    async def poll_feed(self, feed: FeedRow, report: CycleReport) -> None:
        """Poll one feed; failures are recorded on the feed, never raised."""
        report.feeds += 1
        try:
            read = await self._pipeline.read_feed(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
        except FeedUnavailable as exc:
            await self._record_failure(feed, exc, report)
            return
        except Exception as exc:  # a bug must not stop the other feeds
            log.exception("unexpected error polling %s", feed.url)
            await self._record_failure(
                feed, FeedUnavailable(f"internal error: {exc}", transient=True, kind="bug"), report
            )
            return
        if read.parsed is None:
            report.not_modified += 1
            if self._metrics is not None:
                self._metrics.feed_polled("not_modified")
            self._unchanged.append((feed.id, self._next_ok(read)))
            if len(self._unchanged) >= NOT_MODIFIED_BATCH:
                await self._flush_unchanged()
            return
        report.changed += 1
        if self._metrics is not None:
            self._metrics.feed_polled("changed")
        await self._store_new(feed, read, report)

    async def ingest(self, feed: FeedRow, read: FeedRead) -> CycleReport:
        """Store a read made elsewhere (``/feed add``) exactly as polling ``feed`` would."""
        report = CycleReport(feeds=1)
        if read.parsed is None:
            report.not_modified += 1
            await self._store.record_not_modified(feed.id, next_poll_at=self._next_ok(read))
        else:
            report.changed += 1
            await self._store_new(feed, read, report, direct=True)  # stored before the answer
        return report

    async def _store_new(
        self, feed: FeedRow, read: FeedRead, report: CycleReport, *, direct: bool = False
    ) -> None:
        assert read.parsed is not None
        entries = read.parsed.entries
        baseline = not feed.baseline_done
        # A first poll finds nothing recorded: no lookup (one query per feed on a first poll of
        # thousands). Should a feed carry entries already, the write drops them as repeats.
        known = {} if baseline else await self._known(feed, entries)
        new = [entry for entry in entries if entry.id not in known]
        changed, rehashed = _changes(entries, known)
        articles = await self._prepare(new, baseline=baseline)
        # A changed item is digested again from the feed's text (its page is not refetched).
        updated = await self._pipeline.prepare(changed, fetch_pages=False) if changed else []
        success = FeedSuccess(
            etag=read.fetch.etag,
            last_modified=read.fetch.last_modified,
            next_poll_at=self._next_ok(read),
            title=read.parsed.title or None,
            new_url=self._new_url(feed, read),
        )
        item = FeedBatchItem(
            feed.id,
            articles,
            deliver=not baseline,
            success=success,
            changed=updated,
            rehashed=rehashed,
        )
        job = Job(item, _Polled(feed, report, baseline))
        if self._writer is not None and not direct:
            await self._writer.put(job)
            return
        try:
            result = (await self._store.store_feed_batch([item]))[feed.id]
        except Exception as exc:
            await self._store_failed(job, exc)
            return
        await self._stored(job, result)

    async def _known(self, feed: FeedRow, entries: Sequence[Entry]) -> dict[str, str | None]:
        return await self._store.entry_hashes(feed.id, [e.id for e in entries])

    async def _stored(self, job: Job[_Polled], result: StoreResult) -> None:
        """A feed's new items are stored (with its poll's success): report and announce them."""
        feed, report, baseline = job.context
        report.new_articles += len(result.new_articles)
        report.deliveries += len(result.deliveries)
        report.edits += result.edits
        if self._metrics is not None:
            self._metrics.stored(len(result.new_articles))
        articles = job.item.articles
        if self._on_articles is not None and articles:
            await self._on_articles(feed, _newest_first(articles), baseline)

    async def _store_failed(self, job: Job[_Polled], exc: Exception) -> None:
        """Storing failed (the database, say): the feed is retried like any failed poll."""
        feed, report, _ = job.context
        report.changed -= 1
        unavailable = FeedUnavailable(
            f"storing its items failed: {exc}", transient=True, kind="store"
        )
        await self._record_failure(feed, unavailable, report)

    async def _prepare(self, entries: Sequence[Entry], *, baseline: bool) -> list[Article]:
        if not baseline:
            return await self._pipeline.prepare(entries)
        # Adding a feed records what it holds without delivering it: only the newest few are
        # prepared in full (page for a teaser, digest): /feed add shows them, a backfill posts
        # them. The rest, never posted, keep the feed's text, searchable, undigested: a digest
        # is ~3/4 of a first poll's worker CPU (benchmarks/first_poll_split.py) and is made
        # when first asked for (bot.backlog) or by the background pass.
        ordered = sorted(entries, key=lambda e: e.published, reverse=True)
        head, tail = ordered[: self._baseline_pages], ordered[self._baseline_pages :]
        return await self._pipeline.prepare(head) + await self._pipeline.prepare(
            tail, fetch_pages=False, digest=False
        )

    def _new_url(self, feed: FeedRow, read: FeedRead) -> str | None:
        moved = read.fetch.permanent_url or (read.url if read.url != feed.url else None)
        return moved if moved and moved != feed.url else None

    def _next_ok(self, read: FeedRead) -> datetime:
        ttl = read.parsed.ttl_seconds if read.parsed else None
        delay = delay_after_success(
            self._policy, fresh_for=read.fetch.fresh_for, ttl=ttl, rng=self._rng
        )
        return self._clock() + timedelta(seconds=delay)

    async def _record_failure(
        self, feed: FeedRow, exc: FeedUnavailable, report: CycleReport
    ) -> None:
        report.failed += 1
        report.errors[feed.url] = str(exc)
        if self._metrics is not None:
            self._metrics.feed_polled("failed", exc.kind)
        now = self._clock()
        failures = feed.consecutive_failures + 1
        delay = delay_after_failure(
            self._policy, failures, retry_after=exc.retry_after, rng=self._rng
        )
        # Failing since the last success (or since the feed was added when it never worked).
        failing_since = feed.last_success_at or feed.created_at
        broken = not exc.transient and (
            exc.kind == "not_a_feed" or now - failing_since >= PERMANENT_AFTER
        )
        if broken:
            delay = self._policy.maximum  # checked now and then, in case the site comes back
        log.warning("feed %s failed (%s): %s", feed.url, exc.kind, exc)
        await self._store.record_failure(
            feed.id, error=str(exc), next_poll_at=now + timedelta(seconds=delay), broken=broken
        )


def _changes(
    entries: Sequence[Entry], known: dict[str, str | None]
) -> tuple[list[Entry], list[Entry]]:
    """The carried entries whose content changed, and those whose hash was never recorded.

    Only the content hash counts (title and text, see ``bot.feeds.changes``): a feed that
    rewrites its dates or tracking links on each poll changes nothing.
    """
    changed: list[Entry] = []
    unhashed: list[Entry] = []
    for entry in entries:
        if entry.id not in known or entry.content_hash is None:
            continue
        stored = known[entry.id]
        if stored is None:
            unhashed.append(entry)
        elif stored != entry.content_hash:
            changed.append(entry)
    return changed, unhashed


def _newest_first(articles: Sequence[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: a.entry.published, reverse=True)
