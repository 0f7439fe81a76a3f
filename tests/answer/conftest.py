"""Fixtures of the /ask store tests: a store on the test database whose clock (when articles are
stored) the test sets, and a feed a guild follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy import text

from bot.answer import AnswerEngine
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


async def store_analyses_without_postings(store: Store) -> None:
    """Analyse every stored article into ``answer_docs`` as the code before the postings did
    (an older schema has no postings to write)."""
    insert = text("INSERT INTO answer_docs (article_id, text_hash, data) VALUES (:a, :h, :d)")
    async with store._db.write() as conn:
        for row in await store.articles_after(0, limit=1000):
            doc = AnswerEngine().stored_row(row.id, row.title, row.text)
            await conn.execute(insert, {"a": row.id, "h": doc.text_hash, "d": doc.data})
