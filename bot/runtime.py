"""The composition root's resources: built once from the settings, closed in reverse order.

Nothing here is created at import time; ``python -m bot`` and the tests open a runtime
explicitly and everything downstream receives its parts as arguments.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp

from bot.backlog import Backlog
from bot.feeds.fetch import Fetcher
from bot.feeds.http import FetchLimits, create_session
from bot.leadership import Leadership, lead
from bot.liveness import keep_alive
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from bot.poller import ArticleSink, Clock, Poller, utcnow
from bot.schedule import PollPolicy
from bot.settings import Settings
from bot.store import Store
from bot.workers import Workers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reader:
    """What reads feeds and pages: the HTTP session, the fetcher, worker processes, pipeline."""

    session: aiohttp.ClientSession
    fetcher: Fetcher
    workers: Workers
    pipeline: Pipeline


@dataclass(frozen=True, slots=True)
class Runtime:
    """Everything a running Briefing shares: settings, the store and the reader."""

    settings: Settings
    store: Store
    reader: Reader
    leadership: Leadership  # the once-only jobs run where it leads
    clock: Clock = utcnow  # what "now" is everywhere (tests move it by hand)
    metrics: Metrics = field(default_factory=Metrics)

    def backlog(self) -> Backlog:
        """The maker of the digests a first poll left out (see :mod:`bot.backlog`)."""
        return Backlog(self.store, self.reader.pipeline)

    def poller(
        self, *, on_articles: ArticleSink | None = None, subscribed_only: bool = False
    ) -> Poller:
        """A poller over this runtime's store and pipeline, within the configured bounds."""
        return Poller(
            self.store,
            self.reader.pipeline,
            poll_policy(self.settings),
            concurrency=self.settings.global_concurrency,
            clock=self.clock,
            on_articles=on_articles,
            metrics=self.metrics,
            subscribed_only=subscribed_only,
        )


def poll_policy(settings: Settings) -> PollPolicy:
    """The polling bounds the settings ask for."""
    return PollPolicy(
        interval=settings.poll_interval_seconds,
        minimum=settings.min_poll_interval_seconds,
        maximum=settings.max_poll_interval_seconds,
    )


def default_worker_count() -> int:
    """Worker processes for parsing, extraction and digests: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


@asynccontextmanager
async def open_reader(settings: Settings, *, workers: int | None = None) -> AsyncIterator[Reader]:
    """Open the HTTP session and the worker pool (nothing stored); close them after."""
    pool = Workers(default_worker_count() if workers is None else workers)
    limits = FetchLimits.from_settings(settings)
    session = create_session(limits)
    try:
        fetcher = Fetcher(session, limits)
        pipeline = Pipeline(
            fetcher,
            pool,
            teaser_words=settings.teaser_words,
            max_points=settings.key_points,
            max_entries=settings.max_entries_per_feed,
        )
        yield Reader(session=session, fetcher=fetcher, workers=pool, pipeline=pipeline)
    finally:
        await session.close()
        pool.close()


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    workers: int | None = None,
    clock: Clock = utcnow,
    command: str | None = None,
    may_lead: bool = False,
) -> AsyncIterator[Runtime]:
    """Open the store (migrating it to the current schema) and the reader; close them after.

    ``command`` names a one-off command beside the bot (see :func:`bot.liveness.worker_name`).
    With ``may_lead`` (the bot, not one-shot commands) the process competes for the leader lock
    and, holding it, runs the once-only jobs the cogs register.
    """
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = await Store.open(settings.effective_database_url, clock=clock)
    try:
        # The worker row and heartbeat live longest: claims are handed back after all work.
        async with (
            keep_alive(store, settings, command=command),
            lead(
                store.leader_lock(),
                check_seconds=settings.leader_check_seconds,
                eligible=may_lead,
            ) as leadership,
            open_reader(settings, workers=workers) as reader,
        ):
            yield Runtime(
                settings=settings, store=store, reader=reader, leadership=leadership, clock=clock
            )
    finally:
        await store.close()
