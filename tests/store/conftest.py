"""Fixtures of the store tests: a hand-moved clock and stores opened on the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from bot.store import Store
from tests.store.factory import T0, hours

OpenStore = Callable[[], Awaitable[Store]]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0 + hours(100)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def open_store(migrated_url: str, clock: Clock) -> AsyncIterator[OpenStore]:
    """Opens stores sharing the test database and ``clock``; all closed after the test."""
    opened: list[Store] = []

    async def open_one() -> Store:
        store = await Store.open(migrated_url, clock=clock)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        await store.close()
