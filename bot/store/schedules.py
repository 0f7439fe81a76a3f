"""Digest schedules: one per channel, a cron expression in a time zone."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase, insert_ignore
from bot.store.rows import ScheduleRow
from bot.store.tables import Schedule

log = logging.getLogger(__name__)


class SchedulesMixin(StoreBase):
    """The schedules part of :class:`~bot.store.Store`."""

    async def upsert_schedule(
        self,
        guild_id: int,
        channel_id: int,
        *,
        cron: str,
        timezone: str,
        created_by: int | None,
        next_run_at: datetime | None = None,
        publish: bool = False,
    ) -> ScheduleRow:
        """Set the channel's digest schedule (replacing any); the caller validates the cron."""
        now = self._clock()
        values: dict[str, Any] = {
            "guild_id": guild_id,
            "cron": cron,
            "timezone": timezone,
            "created_by": created_by,
            "next_run_at": next_run_at,
            "publish": publish,
        }
        async with self._db.write() as conn:
            await conn.execute(
                insert_ignore(self._db, Schedule),
                {"channel_id": channel_id, "created_at": now, **values},
            )
            await conn.execute(
                update(Schedule).where(Schedule.channel_id == channel_id).values(**values)
            )
            rows = await _select(conn, Schedule.channel_id == channel_id)
        return rows[0]

    async def remove_schedule(self, guild_id: int, channel_id: int) -> bool:
        """Stop a channel's digests; False when it had no schedule in this guild."""
        async with self._db.write() as conn:
            result = await conn.execute(
                delete(Schedule).where(
                    Schedule.guild_id == guild_id, Schedule.channel_id == channel_id
                )
            )
            return result.rowcount > 0

    async def list_schedules(self, guild_id: int | None = None) -> list[ScheduleRow]:
        """Every schedule, or a guild's."""
        async with self._db.read() as conn:
            if guild_id is None:
                return await _select(conn)
            return await _select(conn, Schedule.guild_id == guild_id)

    async def mark_schedule_run(
        self, schedule_id: int, at: datetime, *, next_run_at: datetime | None = None
    ) -> None:
        """Record a digest run (and when the next one is due, if known)."""
        async with self._db.write() as conn:
            await conn.execute(
                update(Schedule)
                .where(Schedule.id == schedule_id)
                .values(last_run_at=at, next_run_at=next_run_at)
            )


async def _select(conn: AsyncConnection, *conditions: Any) -> list[ScheduleRow]:
    stmt = select(*Schedule.__table__.columns).where(*conditions).order_by(Schedule.id)
    return [ScheduleRow(**m) for m in (await conn.execute(stmt)).mappings()]
