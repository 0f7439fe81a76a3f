"""Discord's global rate budget shared by every process: a token bucket row in PostgreSQL.

One ``UPDATE ... RETURNING`` reserves a batch of tokens (refilled by the database's own clock, so
hosts' clocks are never compared): the bucket may go below zero, and the answer says how long
the caller waits before its batch is covered. The pacer hands the batch out to requests one by
one, so the database is hit once per batch, never per request, and never to poll an empty bucket.
"""

from __future__ import annotations

import logging

from sqlalchemy import text

from bot.store.base import StoreBase

log = logging.getLogger(__name__)

_RESERVE = text(
    """
    WITH cur AS (
        SELECT name, clock_timestamp() AS now,
               LEAST(
                   :capacity,
                   tokens + :rate * EXTRACT(EPOCH FROM clock_timestamp() - refilled_at)
               ) AS avail
        FROM rate_budget WHERE name = :name FOR UPDATE
    )
    UPDATE rate_budget AS b
    SET tokens = cur.avail - :want, refilled_at = cur.now, rate = :rate, capacity = :capacity
    FROM cur WHERE b.name = cur.name
    RETURNING b.tokens
    """
)
_CREATE = text(
    "INSERT INTO rate_budget (name, tokens, rate, capacity, refilled_at) "
    "VALUES (:name, 0, :rate, :capacity, clock_timestamp()) ON CONFLICT (name) DO NOTHING"
)


class RateMixin(StoreBase):
    """The shared rate budget part of :class:`~bot.store.Store` (PostgreSQL only)."""

    _budgets_made: set[str] | None = None

    async def reserve_tokens(self, name: str, want: int, *, rate: float, capacity: float) -> float:
        """Reserve ``want`` tokens of the bucket ``name`` (``rate``/s, at most ``capacity``);
        returns the seconds to wait before using them (0 when the bucket held them)."""
        params = {"name": name, "want": want, "rate": rate, "capacity": capacity}
        async with self._db.write() as conn:
            if self._budgets_made is None or name not in self._budgets_made:
                await conn.execute(_CREATE, params)
                self._budgets_made = (self._budgets_made or set()) | {name}
            left = float((await conn.execute(_RESERVE, params)).scalar_one())
        return max(0.0, -left / rate)
