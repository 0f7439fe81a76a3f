"""The outbox's edits: sent posts whose item changed, claimed and settled like posts."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, exists, or_, select, update

from bot.store.deliveries import UNCLAIMED, complete_deliveries
from bot.store.rows import DeliveryRow
from bot.store.tables import Delivery, Subscription
from bot.store.workers import WorkersMixin, claim_expired

log = logging.getLogger(__name__)


class EditsMixin(WorkersMixin):
    """The edits part of :class:`~bot.store.Store`."""

    async def claim_due_edits(
        self, now: datetime, *, limit: int, lease_seconds: float
    ) -> list[DeliveryRow]:
        """Take up to ``limit`` sent posts whose edit is due, with the articles as now stored.

        Claimed as posts are (a lease naming this worker; SKIP LOCKED on PostgreSQL), so one
        process edits each; the row's ``status`` stays "sent". Edits of paused subscriptions wait.
        """
        conditions = self._claimable_edits(now, lease_seconds)
        # SKIP LOCKED before LIMIT: processes claiming at once take different rows.
        due = (
            select(Delivery.id)
            .where(*conditions)
            .order_by(Delivery.edit_due_at, Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due_edits")
        )
        stmt = (
            update(Delivery)
            .where(Delivery.id.in_(select(due.c.id)))
            .values(claimed_by=self._claim_owner(), claimed_at=now)
            .returning(*Delivery.__table__.columns)
        )
        async with self._db.write() as conn:
            rows = list((await conn.execute(stmt)).mappings())
            return await complete_deliveries(conn, sorted(rows, key=lambda m: int(m["id"])))

    def _claimable_edits(
        self, now: datetime, lease_seconds: float
    ) -> tuple[ColumnElement[bool], ...]:
        paused = exists().where(
            Subscription.id == Delivery.subscription_id, Subscription.paused_reason.is_not(None)
        )
        free = or_(
            claim_expired(Delivery.claimed_at, now, lease_seconds),
            self._claimer_gone(Delivery.claimed_by, now),
        )
        return (
            Delivery.edit_due_at <= now,
            Delivery.status == "sent",
            Delivery.message_id.is_not(None),
            ~paused,
            free,
        )

    async def digest_message(self, channel_id: int, message_id: int) -> list[DeliveryRow]:
        """The sent digest posts one message carries, with their articles, in its order."""
        stmt = (
            select(*Delivery.__table__.columns)
            .where(
                Delivery.channel_id == channel_id,
                Delivery.message_id == message_id,
                Delivery.kind == "digest",
                Delivery.status == "sent",
            )
            .order_by(Delivery.position, Delivery.id)
        )
        async with self._db.read() as conn:
            return await complete_deliveries(conn, list((await conn.execute(stmt)).mappings()))

    async def mark_edited(self, delivery_id: int, at: datetime) -> None:
        """The message shows the item as stored at the claim; a change since stays due."""
        await self._settle_edit(
            delivery_id,
            edited_at=at,
            # A change during the edit was queued an hour on: it is still to be shown.
            edit_due_at=case((Delivery.edit_due_at > at, Delivery.edit_due_at), else_=None),
        )

    async def drop_edit(self, delivery_id: int, reason: str) -> None:
        """The message cannot be edited (deleted, say): it is left as it is, never reposted."""
        await self._settle_edit(delivery_id, edit_due_at=None, last_error=reason)

    async def retry_edit(self, delivery_id: int, reason: str, at: datetime) -> None:
        """The edit failed transiently: try it again at ``at``."""
        await self._settle_edit(delivery_id, edit_due_at=at, last_error=reason)

    async def release_edit(self, delivery_id: int) -> None:
        """Give a claimed edit back without making it (shutdown): it is due as before."""
        await self._settle_edit(delivery_id)

    async def _settle_edit(self, delivery_id: int, **values: Any) -> None:
        async with self._db.write() as conn:
            await conn.execute(
                update(Delivery).where(Delivery.id == delivery_id).values(**values, **UNCLAIMED)
            )
