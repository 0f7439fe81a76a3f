"""Migrations: applied on an empty database at open, idempotent, and in step with tables.py."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.store import Store
from bot.store.engine import create_engine
from bot.store.tables import Base
from tests.store.factory import article

TABLES = {
    "feeds",
    "subscriptions",
    "articles",
    "entries",
    "schedules",
    "deliveries",
    "answer_docs",
    "answer_postings",
    "answer_terms",
    "cluster_state",
    "rate_budget",
    "welcomes",
}


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diffs = compare_metadata(context, Base.metadata)
    # The full-text objects live only in the migration (FTS5 shadow tables, tsvector column).
    return [d for d in diffs if "fts" not in str(d) and "search_vector" not in str(d)]


async def test_open_creates_every_table_and_reopen_is_a_no_op(database_url: str) -> None:
    store = await Store.open(database_url)
    feed = await store.add_feed("https://a.example/feed")
    await store.store_articles(feed.id, [article("a1")], deliver=False)
    await store.close()

    reopened = await Store.open(database_url)  # at head already: nothing to do, nothing lost
    try:
        assert await reopened.get_feed(feed.id) == feed
        assert await reopened.known_entry_keys(feed.id, ["a1"]) == {"a1"}
        assert [hit.title for hit in await reopened.search_articles("story")] == ["Story a1"]
    finally:
        await reopened.close()

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            names = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            diff = await conn.run_sync(_schema_diff)
    finally:
        await engine.dispose()
    assert names >= TABLES | {"alembic_version"}
    assert version == "0016"
    assert diff == []
