"""Fixtures of the /ask store tests: a store on the test database whose clock (when articles are
stored) the test sets, and a feed a guild follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from bot.store import Store
from tests.store.factory import T0


class Clock:
    """The store's clock: when articles are stored (``first_seen``)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
async def store(database_url: str, clock: Clock) -> AsyncIterator[Store]:
    opened = await Store.open(database_url, clock=clock)
    try:
        yield opened
    finally:
        await opened.close()


async def followed_feed(store: Store, url: str, guild: int) -> int:
    """A feed at ``url`` that ``guild`` follows (instant mode), its id."""
    feed = await store.add_feed(url)
    await store.subscribe(feed.id, guild, guild * 10, mode="instant", added_by=None)
    return feed.id
