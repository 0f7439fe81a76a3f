"""The leader lock: a PostgreSQL session-level advisory lock held on a connection of its own.

Why an advisory lock rather than a leader row with a heartbeat: the lock lives exactly as long
as the session that took it. A process killed with SIGKILL has its socket closed by the kernel,
PostgreSQL ends the session and the lock is free at once; no clocks are compared between hosts
and nothing is written to keep it. A host that vanishes without closing its sockets is found by
TCP keepalives (set on this connection below), within ``KEEPALIVE_*`` seconds. The holder pings
its connection; when a ping fails it stops acting as the leader before anyone else can become one
(the keepalives take longer than a ping's timeout).

SQLite is one process: it always holds the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.engine import Database

log = logging.getLogger(__name__)

_PG_LOCK_KEY = 0x4252494C  # "BRIL"; the second key is the schema's, so schemas do not compete
KEEPALIVE_IDLE = 5  # seconds of silence before PostgreSQL probes a leader's connection...
KEEPALIVE_INTERVAL = 3  # ...then every this many seconds...
KEEPALIVE_COUNT = 3  # ...and ends the session (freeing the lock) after this many unanswered
PING_TIMEOUT = 5.0


class LeaderLock:
    """Try to take, check and give back the cluster's one leader lock."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        """True while this process holds the lock (as far as it last checked)."""
        return self._conn is not None or not self._db.is_postgres

    async def try_take(self) -> bool:
        """Take the lock if it is free; True when this process holds it (now or already)."""
        if self.held:
            return await self.check()
        conn = await self._db.engine.connect()
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            for name, value in (
                ("tcp_keepalives_idle", KEEPALIVE_IDLE),
                ("tcp_keepalives_interval", KEEPALIVE_INTERVAL),
                ("tcp_keepalives_count", KEEPALIVE_COUNT),
            ):
                await conn.execute(text(f"SET {name} = {value}"))
            taken = await conn.scalar(
                text("SELECT pg_try_advisory_lock(:key, hashtext(current_schema()))"),
                {"key": _PG_LOCK_KEY},
            )
        except BaseException:
            await _discard(conn)
            raise
        if not taken:
            await _discard(conn)  # a standby keeps no session settings in the pool
            return False
        self._conn = conn
        return True

    async def check(self) -> bool:
        """True while the lock's session answers; False (and the lock let go) once it does not."""
        conn = self._conn
        if conn is None:
            return not self._db.is_postgres
        try:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), PING_TIMEOUT)
        except Exception as exc:
            log.warning("leader lock: its connection failed (%s: %s)", type(exc).__name__, exc)
            self._conn = None
            await _discard(conn)
            return False
        return True

    async def release(self) -> None:
        """Give the lock back (closing its session frees it)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await _discard(conn)


async def _discard(conn: AsyncConnection) -> None:
    """Close the connection for real (not back to the pool, where the lock would live on)."""
    with contextlib.suppress(Exception):
        await conn.invalidate()
    with contextlib.suppress(Exception):
        await conn.close()
