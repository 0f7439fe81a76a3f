"""Poller fixtures: a store on a controllable clock, a real pipeline over the local server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.feeds.fetch import Fetcher
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.schedule import PollPolicy
from bot.store import Store
from bot.workers import Workers
from tests.poller.builders import Clock

POLICY = PollPolicy(interval=600, minimum=60, maximum=6 * 3600, jitter=0.0)


@pytest.fixture(scope="session")
def workers() -> Iterator[Workers]:
    """One real worker process for the session: parsing and digests cross a process boundary."""
    with Workers(processes=1) as pool:
        yield pool


@pytest.fixture
def clock() -> Clock:
    """The test's clock, shared by the store and the poller."""
    return Clock()


@pytest.fixture
async def clocked_store(migrated_url: str, clock: Clock) -> AsyncIterator[Store]:
    """A store on this test's database whose notion of now is the test clock."""
    store = await Store.open(migrated_url, clock=clock)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def pipeline(fetcher: Fetcher, workers: Workers) -> Pipeline:
    """The real pipeline: local HTTP, worker process, trafilatura, digest."""
    return Pipeline(fetcher, workers, teaser_words=150, max_points=3)


@pytest.fixture
def poller(clocked_store: Store, pipeline: Pipeline, clock: Clock) -> Poller:
    """A poller over the test's store and pipeline."""
    return Poller(clocked_store, pipeline, POLICY, clock=clock, concurrency=8)
