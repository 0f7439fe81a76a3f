"""Subscriptions: which feed is posted into which channel, how, and through which filters."""

from __future__ import annotations

import logging

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import (
    StoreBase,
    insert_ignore,
    stored_tags,
    subscription_row,
    subscription_select,
)
from bot.store.filters import Filters
from bot.store.rows import AlreadySubscribed, SubscriptionRow
from bot.store.tables import ChannelControls, Delivery, Schedule, Subscription

log = logging.getLogger(__name__)

MODES = ("instant", "digest")


class SubscriptionsMixin(StoreBase):
    """The subscriptions part of :class:`~bot.store.Store`."""

    async def subscribe(
        self,
        feed_id: int,
        guild_id: int,
        channel_id: int,
        *,
        mode: str,
        added_by: int | None,
        filters: Filters | None = None,
        publish: bool = False,
        forum_tags: tuple[int, ...] = (),
        webhook_name: str | None = None,
        webhook_avatar: str | None = None,
    ) -> SubscriptionRow:
        """Subscribe a channel to a feed; raises :class:`AlreadySubscribed` when it already is."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        values = {
            "feed_id": feed_id,
            "guild_id": guild_id,
            "channel_id": channel_id,
            "mode": mode,
            "filters": (filters or Filters()).to_json(),
            "added_by": added_by,
            "publish": publish,
            "forum_tags": stored_tags(forum_tags),
            "webhook_name": webhook_name,
            "webhook_avatar": webhook_avatar if webhook_name else None,
            "created_at": self._clock(),
        }
        stmt = insert_ignore(self._db, Subscription).returning(Subscription.id)
        async with self._db.write() as conn:
            new_id = await conn.scalar(stmt, values)
            condition = (
                Subscription.id == new_id
                if new_id is not None
                else (Subscription.feed_id == feed_id) & (Subscription.channel_id == channel_id)
            )
            row = await _one(conn, condition)
        assert row is not None
        if new_id is None:
            raise AlreadySubscribed(row)
        return row

    async def get_subscription(self, subscription_id: int) -> SubscriptionRow | None:
        """The subscription with this id, if any."""
        async with self._db.read() as conn:
            return await _one(conn, Subscription.id == subscription_id)

    async def list_subscriptions(
        self,
        *,
        guild_id: int | None = None,
        feed_id: int | None = None,
        channel_id: int | None = None,
    ) -> list[SubscriptionRow]:
        """Subscriptions, optionally of one guild, feed or channel, oldest first."""
        stmt = subscription_select().order_by(Subscription.id)
        if guild_id is not None:
            stmt = stmt.where(Subscription.guild_id == guild_id)
        if feed_id is not None:
            stmt = stmt.where(Subscription.feed_id == feed_id)
        if channel_id is not None:
            stmt = stmt.where(Subscription.channel_id == channel_id)
        async with self._db.read() as conn:
            return [subscription_row(m) for m in (await conn.execute(stmt)).mappings()]

    async def unsubscribe(self, guild_id: int, subscription_id: int) -> bool:
        """Remove a subscription of this guild; its pending posts are skipped. False if none."""
        async with self._db.write() as conn:
            await _skip_pending(conn, Delivery.subscription_id == subscription_id, "unsubscribed")
            result = await conn.execute(
                delete(Subscription).where(
                    Subscription.id == subscription_id, Subscription.guild_id == guild_id
                )
            )
            return result.rowcount > 0

    async def remove_channel(self, channel_id: int) -> int:
        """Forget a channel that no longer exists: subscriptions, schedule, controls, posts."""
        async with self._db.write() as conn:
            await _skip_pending(conn, Delivery.channel_id == channel_id, "channel removed")
            await conn.execute(delete(Schedule).where(Schedule.channel_id == channel_id))
            await conn.execute(
                delete(ChannelControls).where(ChannelControls.channel_id == channel_id)
            )
            result = await conn.execute(
                delete(Subscription).where(Subscription.channel_id == channel_id)
            )
            return result.rowcount

    async def pause_subscription(self, subscription_id: int, reason: str) -> None:
        """Stop posting for a subscription (e.g. missing permissions); shown in ``/feed status``."""
        await self._set_subscription(subscription_id, paused_reason=reason)

    async def resume_subscription(self, subscription_id: int) -> None:
        """Post again for a paused subscription (its pending posts go out)."""
        await self._set_subscription(subscription_id, paused_reason=None)

    async def set_filters(
        self, guild_id: int, subscription_id: int, filters: Filters
    ) -> SubscriptionRow | None:
        """Replace a subscription's filters; ``None`` when the guild has no such subscription."""
        condition = (Subscription.id == subscription_id) & (Subscription.guild_id == guild_id)
        async with self._db.write() as conn:
            await conn.execute(
                update(Subscription).where(condition).values(filters=filters.to_json())
            )
            return await _one(conn, condition)

    async def set_ping_role(
        self, guild_id: int, subscription_id: int, role_id: int | None
    ) -> SubscriptionRow | None:
        """Set (or, with None, clear) the role a subscription's posts mention; None if no such."""
        condition = (Subscription.id == subscription_id) & (Subscription.guild_id == guild_id)
        async with self._db.write() as conn:
            await conn.execute(update(Subscription).where(condition).values(ping_role_id=role_id))
            return await _one(conn, condition)

    async def set_webhook(
        self, guild_id: int, subscription_id: int, name: str | None, avatar: str | None
    ) -> SubscriptionRow | None:
        """Post through the channel's webhook as ``name`` (None: as the bot); None if no such."""
        condition = (Subscription.id == subscription_id) & (Subscription.guild_id == guild_id)
        values = {"webhook_name": name, "webhook_avatar": avatar if name else None}
        async with self._db.write() as conn:
            await conn.execute(update(Subscription).where(condition).values(**values))
            return await _one(conn, condition)

    async def set_updates(
        self, guild_id: int, subscription_id: int, updates: bool
    ) -> SubscriptionRow | None:
        """Turn edits of a subscription's posts on or off; None if the guild has no such."""
        condition = (Subscription.id == subscription_id) & (Subscription.guild_id == guild_id)
        async with self._db.write() as conn:
            await conn.execute(update(Subscription).where(condition).values(updates=updates))
            if not updates:  # edits already queued are not wanted either
                await conn.execute(
                    update(Delivery)
                    .where(Delivery.subscription_id == subscription_id)
                    .where(Delivery.edit_due_at.is_not(None))
                    .values(edit_due_at=None)
                )
            return await _one(conn, condition)

    async def _set_subscription(self, subscription_id: int, **values: object) -> None:
        async with self._db.write() as conn:
            await conn.execute(
                update(Subscription).where(Subscription.id == subscription_id).values(**values)
            )


async def _one(conn: AsyncConnection, condition: ColumnElement[bool]) -> SubscriptionRow | None:
    m = (await conn.execute(subscription_select().where(condition))).mappings().first()
    return subscription_row(m) if m is not None else None


async def _skip_pending(conn: AsyncConnection, condition: ColumnElement[bool], why: str) -> None:
    await conn.execute(
        update(Delivery)
        .where(condition, Delivery.status == "pending")
        .values(status="skipped", last_error=why)
    )
