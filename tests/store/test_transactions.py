"""The store's two kinds of transaction, on each engine: reads that end cleanly, writers that see
each other's commits.

A read ends by closing its connection (the rollback a reader needs, without the pool's second
one); these tests hold it to what a reader must guarantee: what it reads is one state of the
database, it leaves no transaction open on the pooled connection (a SQLite reader left open
pins the write-ahead log, and a pooled connection would serve stale rows), and an error inside
it loses nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store.engine import Database, create_engine

ROUNDS = 40  # reads per test: several times the pool's connections


@pytest.fixture
async def databases(database_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two handles on one database (as two processes would hold), with a table of counters."""
    first, second = Database(create_engine(database_url)), Database(create_engine(database_url))
    async with first.write() as conn:
        await conn.execute(text("CREATE TABLE counters (name VARCHAR(20) PRIMARY KEY, n INT)"))
        await conn.execute(text("INSERT INTO counters VALUES ('a', 0), ('b', 0)"))
    yield first, second
    await first.dispose()
    await second.dispose()


async def _total(db: Database) -> int:
    async with db.read() as conn:
        return int(await conn.scalar(text("SELECT sum(n) FROM counters")) or 0)


async def _fail_inside_a_read(db: Database) -> None:
    async with db.read() as conn:
        await conn.execute(text("SELECT n FROM counters"))
        raise LookupError("failed while reading")


async def test_every_read_sees_the_commits_before_it(databases: tuple[Database, Database]) -> None:
    reader, writer = databases
    for expected in range(1, ROUNDS + 1):
        async with writer.write() as conn:
            await conn.execute(text("UPDATE counters SET n = n + 1 WHERE name = 'a'"))
        # The reader's pooled connections served earlier reads: none may still hold their view.
        assert await _total(reader) == expected


async def test_an_error_inside_a_read_leaves_the_connection_clean(
    databases: tuple[Database, Database],
) -> None:
    reader, writer = databases
    for expected in range(1, ROUNDS + 1):
        with pytest.raises(LookupError):
            await _fail_inside_a_read(reader)
        async with writer.write() as conn:
            await conn.execute(text("UPDATE counters SET n = n + 1 WHERE name = 'b'"))
        assert await _total(reader) == expected


async def test_a_sqlite_read_is_one_snapshot_and_releases_the_log(
    databases: tuple[Database, Database], database_url: str
) -> None:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL reads are read committed: each statement sees the latest commit")
    reader, writer = databases
    async with reader.read() as conn:
        before = await conn.scalar(text("SELECT sum(n) FROM counters"))
        async with writer.write() as other:
            await other.execute(text("UPDATE counters SET n = n + 5 WHERE name = 'a'"))
        # Committed in between, yet this read still sees the state it began with.
        assert await conn.scalar(text("SELECT sum(n) FROM counters")) == before
    for _ in range(ROUNDS):
        await _total(reader)
    async with writer.write() as other:
        await other.execute(text("UPDATE counters SET n = n + 1 WHERE name = 'b'"))
    # No reader is left in a transaction (one would pin the log before that last commit): a
    # checkpoint copies the whole log back.
    path = make_url(database_url).database
    assert path
    with closing(sqlite3.connect(path)) as raw:
        busy, log_frames, checkpointed = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert (busy, checkpointed) == (0, log_frames)
    assert await _total(reader) == 6
