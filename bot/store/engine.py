"""Engine creation and transactions: SQLite (WAL, foreign keys) or PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, AdaptedConnection, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
# SQLite keeps each connection's last ``CACHED_STATEMENTS`` prepared statements (the driver's
# default is 128), and a statement's program grows with its parameters: a multi-row INSERT of
# SQLAlchemy's default 1,000-row page, or an IN list of a few hundred ids, is hundreds of KB to
# megabytes, and each batch's last page and each list length is a statement of its own. After a
# first poll of 3,000 feeds SQLite held 65 MB, 6 MB with pages of 100 rows
# (benchmarks/poll_vs_reader.py); 140 batch sizes grew it by 27 MB, by 5 MB with 32 statements
# as well (tests/store/test_batch.py). Hot statements stay prepared.
INSERT_PAGE_ROWS = 100
CACHED_STATEMENTS = 32
_WRITE = "briefing_write"


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``; SQLite connections get WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return _create_postgres(parsed)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    if (
        parsed.database
        and parsed.database != ":memory:"
        and not parsed.database.startswith("file:")
    ):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        insertmanyvalues_page_size=INSERT_PAGE_ROWS,
        connect_args={"cached_statements": CACHED_STATEMENTS},
    )
    _configure_sqlite(engine)
    return engine


def _create_postgres(url: URL) -> AsyncEngine:
    # "?search_path=name" keeps Briefing's tables in a schema of a shared database (tests use
    # a schema each); asyncpg takes it as a server setting, not as a connect() argument.
    connect_args: dict[str, Any] = {}
    search_path = url.query.get("search_path")
    if isinstance(search_path, str) and search_path:
        url = url.difference_update_query(["search_path"])
        connect_args["server_settings"] = {"search_path": search_path}
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN out of the driver's hands so write transactions can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: durable at checkpoints
        cursor.close()
        # /ask's idf (bot.store.postings), once per stem a question: SQLite builds ln() in only
        # with its math functions, so Briefing always brings its own, the one path tested.
        dbapi_connection.create_function("ln", 1, math.log, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes fails with SQLITE_BUSY when another
        # writer got in between (the busy timeout does not help): writers lock up front instead.
        begin = "BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE, False) else "BEGIN"
        driver = conn.connection.dbapi_connection
        assert isinstance(driver, AdaptedConnection)  # aiosqlite: the engine is async
        driver.run_async(lambda aio: aio.execute(begin))  # one hop to its thread, not three


class Database:
    """An engine plus the two kinds of transaction the store uses."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # SQLite has one writer at a time: queueing writers here hands the lock over at once,
        # where the busy handler would poll with sleeps. Other processes still meet the busy
        # timeout; PostgreSQL needs no such queue.
        self._writers = asyncio.Lock() if self.dialect == "sqlite" else None

    @property
    def is_postgres(self) -> bool:
        """True on PostgreSQL (row locks with SKIP LOCKED, tsvector search)."""
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that writes: committed on exit, rolled back on error."""
        async with self._writers or contextlib.nullcontext(), self.engine.connect() as conn:
            await conn.execution_options(**{_WRITE: True})
            async with conn.begin():
                yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction: one snapshot on SQLite; on PostgreSQL read committed (each
        statement sees what was committed before it).

        It ends by closing the connection, which rolls the transaction back: for a reader the
        same as a commit, and the pool then skips its own rollback (one trip to the driver, not
        two: on SQLite each is a hop to aiosqlite's thread)."""
        async with self.engine.connect() as conn:
            await conn.begin()
            yield conn

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
