"""Channel controls: the settings row, the daily cap count, held posts and feed coverage."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase, chunks, delivery_row, insert_ignore
from bot.store.deliveries import UNCLAIMED, complete_deliveries
from bot.store.rows import ChannelControlsRow, DeliveryRow
from bot.store.tables import ChannelControls, Delivery, FeedEntry, Subscription

log = logging.getLogger(__name__)

SETTABLE = {"timezone", "quiet_start", "quiet_end", "daily_cap", "digest_max"}


class ControlsMixin(StoreBase):
    """The channel controls part of :class:`~bot.store.Store`."""

    async def set_controls(
        self, guild_id: int, channel_id: int, *, updated_by: int | None, **values: Any
    ) -> ChannelControlsRow:
        """Change some of a channel's controls (``None`` lifts one); the others stay as they are."""
        unknown = set(values) - SETTABLE
        if unknown:
            raise TypeError(f"not a channel control: {', '.join(sorted(unknown))}")
        changes = {**values, "guild_id": guild_id, "updated_by": updated_by}
        changes["updated_at"] = self._clock()
        async with self._db.write() as conn:
            await conn.execute(
                insert_ignore(self._db, ChannelControls),
                {"channel_id": channel_id, "timezone": "UTC", **changes},
            )
            await conn.execute(
                update(ChannelControls)
                .where(ChannelControls.channel_id == channel_id)
                .values(**changes)
            )
            rows = await _select(conn, ChannelControls.channel_id == channel_id)
        return rows[0]

    async def get_controls(self, channel_id: int) -> ChannelControlsRow | None:
        """The channel's controls, or None when it has none."""
        found = await self.controls_for([channel_id])
        return found.get(channel_id)

    async def controls_for(self, channel_ids: Iterable[int]) -> dict[int, ChannelControlsRow]:
        """The controls of those of ``channel_ids`` that have any."""
        ids = sorted(set(channel_ids))
        found: dict[int, ChannelControlsRow] = {}
        async with self._db.read() as conn:
            for part in chunks(ids):
                for row in await _select(conn, ChannelControls.channel_id.in_(part)):
                    found[row.channel_id] = row
        return found

    async def list_controls(self, guild_id: int | None = None) -> list[ChannelControlsRow]:
        """Every channel's controls, or a guild's."""
        async with self._db.read() as conn:
            if guild_id is None:
                return await _select(conn)
            return await _select(conn, ChannelControls.guild_id == guild_id)

    async def take_cap_slot(self, delivery_id: int, channel_id: int, day: str, cap: int) -> bool:
        """Count the post in the channel's cap for ``day``; False when the day's cap is reached.

        A post counts once however often it is tried. The check and the count are one
        transaction: on PostgreSQL the channel's controls row is locked, on SQLite the write
        transaction is exclusive, so processes posting in one channel never overshoot the cap.
        """
        async with self._db.write() as conn:
            if self._db.is_postgres:
                await conn.execute(
                    select(ChannelControls.channel_id)
                    .where(ChannelControls.channel_id == channel_id)
                    .with_for_update()
                )
            counted = await conn.scalar(select(Delivery.cap_day).where(Delivery.id == delivery_id))
            if counted == day:
                return True
            if await _cap_count(conn, channel_id, day) >= cap:
                return False
            await conn.execute(
                update(Delivery).where(Delivery.id == delivery_id).values(cap_day=day)
            )
            return True

    async def cap_count(self, channel_id: int, day: str) -> int:
        """How many posts counted in the channel's cap on ``day`` (its local YYYY-MM-DD)."""
        async with self._db.read() as conn:
            return await _cap_count(conn, channel_id, day)

    async def hold_delivery(self, delivery_id: int, reason: str, at: datetime) -> None:
        """Keep a claimed instant post back (``reason``: "quiet" or "cap"); never claimed again."""
        async with self._db.write() as conn:
            await conn.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == "pending")
                .values(held=reason, held_at=at, **UNCLAIMED)
            )

    async def mark_skipped_many(self, delivery_ids: Sequence[int], reason: str) -> None:
        """Posts no longer to be sent on their own (named as "N more" instead)."""
        values = {"status": "skipped", "last_error": reason, **UNCLAIMED}
        async with self._db.write() as conn:
            for part in chunks(list(delivery_ids)):
                await conn.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(part), Delivery.status == "pending")
                    .values(**values)
                )

    async def held_deliveries(self, channel_id: int) -> list[DeliveryRow]:
        """The channel's pending posts held by its controls, with their articles, oldest first."""
        stmt = (
            select(*Delivery.__table__.columns)
            .where(*_held(), Delivery.channel_id == channel_id)
            .order_by(Delivery.id)
        )
        async with self._db.read() as conn:
            rows = list((await conn.execute(stmt)).mappings())
            return await complete_deliveries(conn, rows)

    async def held_channels(self) -> dict[int, dict[str, datetime]]:
        """Channels with posts held by their controls: per reason, when the oldest was held."""
        stmt = (
            select(Delivery.channel_id, Delivery.held, func.min(Delivery.held_at))
            .where(*_held())
            .group_by(Delivery.channel_id, Delivery.held)
        )
        found: dict[int, dict[str, datetime]] = {}
        async with self._db.read() as conn:
            for channel_id, reason, oldest in await conn.execute(stmt):
                found.setdefault(int(channel_id), {})[str(reason)] = _aware(oldest)
        return found

    async def delivery_for(self, article_id: int, channel_id: int) -> DeliveryRow | None:
        """The outbox row of an article in a channel, without its article."""
        stmt = select(*Delivery.__table__.columns).where(
            Delivery.article_id == article_id, Delivery.channel_id == channel_id
        )
        async with self._db.read() as conn:
            found = (await conn.execute(stmt)).mappings().first()
        return delivery_row(found) if found is not None else None

    async def coverage(self, channel_id: int, article_ids: Sequence[int]) -> dict[int, int]:
        """For each article, how many of the channel's subscribed feeds carried it."""
        found: dict[int, int] = {}
        async with self._db.read() as conn:
            for part in chunks(sorted(set(article_ids))):
                stmt = (
                    select(FeedEntry.article_id, func.count(func.distinct(FeedEntry.feed_id)))
                    .join(
                        Subscription,
                        and_(
                            Subscription.feed_id == FeedEntry.feed_id,
                            Subscription.channel_id == channel_id,
                        ),
                    )
                    .where(FeedEntry.article_id.in_(part))
                    .group_by(FeedEntry.article_id)
                )
                for article_id, count in await conn.execute(stmt):
                    found[int(article_id)] = int(count)
        return found


def _aware(moment: datetime | None) -> datetime:
    if moment is None:  # not expected: held and held_at are set together
        return datetime.min.replace(tzinfo=UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _held() -> tuple[Any, ...]:
    return (Delivery.status == "pending", Delivery.held.is_not(None))


async def _cap_count(conn: AsyncConnection, channel_id: int, day: str) -> int:
    stmt = select(func.count()).where(Delivery.channel_id == channel_id, Delivery.cap_day == day)
    return int(await conn.scalar(stmt) or 0)


async def _select(conn: AsyncConnection, *conditions: Any) -> list[ChannelControlsRow]:
    stmt = (
        select(*ChannelControls.__table__.columns)
        .where(*conditions)
        .order_by(ChannelControls.channel_id)
    )
    return [ChannelControlsRow(**m) for m in (await conn.execute(stmt)).mappings()]
