"""Records shared by every process, so that a job meant to run once runs once for the cluster.

The fingerprint of the last global slash-command sync and the time of the last retention run
live here (they used to live in a process's files, or in its memory), keyed by name.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase, insert_ignore
from bot.store.tables import ClusterState

log = logging.getLogger(__name__)

# Serialises the processes that decide on the same record (any constant; per schema and key).
_PG_LOCK_KEY = 0x42524943  # "BRIC"


class ClusterMixin(StoreBase):
    """The cluster-state part of :class:`~bot.store.Store`."""

    async def cluster_value(self, key: str) -> str | None:
        """The record named ``key``, if any."""
        async with self._db.read() as conn:
            stmt = select(ClusterState.value).where(ClusterState.key == key)
            return (await conn.execute(stmt)).scalar_one_or_none()

    async def claim_periodic(self, key: str, every: timedelta) -> bool:
        """True (and the run recorded now) when the job ``key`` last ran ``every`` ago or never.

        Whoever calls it first in a period gets True; everyone else False until the next one.
        """
        now = self._clock()
        async with self._db.write() as conn:
            await self._lock_key(conn, key)
            stmt = select(ClusterState.updated_at).where(ClusterState.key == key)
            last = (await conn.execute(stmt)).scalar_one_or_none()
            if last is not None and now - last < every:
                return False
            await self._put(conn, key, now.isoformat())
        return True

    @asynccontextmanager
    async def record_once(self, key: str, value: str) -> AsyncIterator[bool]:
        """Yields True when ``key`` does not hold ``value`` yet; the value is stored after a
        body that did not raise.

        On PostgreSQL the decision and the body run under a lock of ``key``: a second process
        asking meanwhile waits, then finds the value stored and gets False. SQLite has one
        process, and its writers are not held up by the body.
        """
        if not self._db.is_postgres:
            due = await self.cluster_value(key) != value
            yield due
            if due:
                async with self._db.write() as conn:
                    await self._put(conn, key, value)
            return
        async with self._db.write() as conn:
            await self._lock_key(conn, key)
            stmt = select(ClusterState.value).where(ClusterState.key == key)
            due = (await conn.execute(stmt)).scalar_one_or_none() != value
            yield due
            if due:
                await self._put(conn, key, value)

    async def _lock_key(self, conn: AsyncConnection, key: str) -> None:
        if self._db.is_postgres:
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:lock, hashtext(current_schema() || :key))"),
                {"lock": _PG_LOCK_KEY, "key": key},
            )

    async def _put(self, conn: AsyncConnection, key: str, value: str) -> None:
        now = self._clock()
        stmt = insert_ignore(self._db, ClusterState)
        await conn.execute(stmt, {"key": key, "value": value, "updated_at": now})
        await conn.execute(
            update(ClusterState).where(ClusterState.key == key).values(value=value, updated_at=now)
        )
