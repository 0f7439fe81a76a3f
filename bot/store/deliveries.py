"""The outbox: claiming pending posts, recording how each attempt went, channel digests."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from bot.store.base import Via, chunks, delivery_row, fetch_feed_articles, tag_ids
from bot.store.rows import DeliveryRow
from bot.store.tables import Article, Delivery, Feed, Subscription
from bot.store.workers import WorkersMixin, claim_expired

log = logging.getLogger(__name__)

_PG_CLAIM_LOCK = 0x42524944  # "BRID"; the second key is the schema's, so schemas do not compete
UNCLAIMED: dict[str, Any] = {"claimed_by": None, "claimed_at": None}  # the attempt is settled


class DeliveriesMixin(WorkersMixin):
    """The deliveries part of :class:`~bot.store.Store`."""

    async def claim_pending_deliveries(
        self,
        now: datetime,
        *,
        limit: int,
        lease_seconds: float,
        per_channel: int | None = None,
    ) -> list[DeliveryRow]:
        """Take up to ``limit`` instant posts due at ``now``, with their articles, oldest first.

        Each claim counts as an attempt and names this process's worker (when registered): the
        row stays hidden while that worker's heartbeat is recent, and for at most
        ``lease_seconds`` (the safety net) whoever claimed it. Rows locked with SKIP LOCKED on
        PostgreSQL, the conditions rechecked on the locked row, so concurrent workers never
        take the same row. Posts of paused subscriptions wait. With ``per_channel``, no channel
        gets more than that many rows of one claim, so a channel with a long backlog (a big
        import, say) cannot keep every other channel waiting.
        """
        conditions = self._claimable_deliveries(now, lease_seconds)
        order = (Delivery.next_attempt_at, Delivery.id)
        if per_channel is None:
            candidates = select(Delivery.id).where(*conditions).order_by(*order).limit(limit)
        else:
            rank = func.row_number().over(partition_by=Delivery.channel_id, order_by=order)
            ranked = (
                select(Delivery.id, Delivery.next_attempt_at, rank.label("rank"))
                .where(*conditions)
                .subquery()
            )
            candidates = (
                select(ranked.c.id)
                .where(ranked.c.rank <= per_channel)
                .order_by(ranked.c.next_attempt_at, ranked.c.id)
                .limit(limit)
            )
        # The candidates come from the statement's snapshot; the locking select repeats the
        # conditions, so PostgreSQL rechecks them on the row version it locks (a row another
        # worker claimed and committed meanwhile is then no longer claimable).
        due = (
            select(Delivery.id)
            .where(Delivery.id.in_(candidates.scalar_subquery()), *conditions)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        stmt = (
            update(Delivery)
            .where(Delivery.id.in_(select(due.c.id)))
            .values(
                claimed_by=self._claim_owner(),
                claimed_at=now,
                attempts=Delivery.attempts + 1,
            )
            .returning(*Delivery.__table__.columns)
        )
        async with self._db.write() as conn:
            if self._db.is_postgres:
                # One claim at a time in the cluster, so each sees the channels the previous
                # one took (a statement's snapshot would not) and never shares one.
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                    {"key": _PG_CLAIM_LOCK},
                )
            rows = list((await conn.execute(stmt)).mappings())
            return await complete_deliveries(conn, sorted(rows, key=lambda m: int(m["id"])))

    async def renew_claims(self, delivery_ids: Sequence[int], now: datetime) -> set[int]:
        """Restart the lease of the rows this process still holds; returns those still its own.

        A post waiting behind its channel's rate limit, or a send Discord is slow to answer,
        can outlast the lease: renewed while in flight, the row never looks abandoned to
        another process. A row missing from the answer was taken over (or settled) meanwhile
        and must not be sent.
        """
        owner = self._claim_owner()
        mine = Delivery.claimed_by.is_(None) if owner is None else Delivery.claimed_by == owner
        renewed: set[int] = set()
        async with self._db.write() as conn:
            for part in chunks(list(delivery_ids)):
                stmt = (
                    update(Delivery)
                    .where(Delivery.id.in_(part), mine, Delivery.claimed_at.is_not(None))
                    .values(claimed_at=now)
                    .returning(Delivery.id)
                )
                renewed.update(int(i) for i in (await conn.execute(stmt)).scalars())
        return renewed

    def _claimable_deliveries(
        self, now: datetime, lease_seconds: float
    ) -> tuple[ColumnElement[bool], ...]:
        """Pending instant posts that are due, not paused, and claimed by no live worker, in
        channels no other live worker is posting in (two would break the channel's order and
        its rate limit, which each process keeps for itself)."""
        paused = exists().where(
            Subscription.id == Delivery.subscription_id, Subscription.paused_reason.is_not(None)
        )
        free = or_(
            claim_expired(Delivery.claimed_at, now, lease_seconds),
            self._claimer_gone(Delivery.claimed_by, now),
        )
        # The channels others hold: computed once per claim from the few claimed rows (the
        # claimed_by index), not once per candidate row.
        other = aliased(Delivery)
        held_elsewhere = select(other.channel_id).where(
            other.claimed_by.is_not(None),
            *([other.claimed_by != owner] if (owner := self._claim_owner()) else []),
            other.status == "pending",
            other.kind == "instant",
            ~claim_expired(other.claimed_at, now, lease_seconds),
            ~self._claimer_gone(other.claimed_by, now),
        )
        return (
            Delivery.status == "pending",
            Delivery.kind == "instant",
            Delivery.held.is_(None),  # kept back by the channel's controls
            Delivery.next_attempt_at <= now,
            ~paused,
            free,
            Delivery.channel_id.not_in(held_elsewhere),
        )

    async def pending_digest(self, channel_id: int) -> list[DeliveryRow]:
        """Every post waiting for the channel's next digest, newest article first.

        Digest-mode posts, and instant posts held over the channel's daily cap.
        """
        stmt = _with_article_order(
            select(*Delivery.__table__.columns).where(
                Delivery.channel_id == channel_id,
                Delivery.status == "pending",
                or_(Delivery.kind == "digest", Delivery.held == "cap"),
            )
        )
        async with self._db.read() as conn:
            return await complete_deliveries(conn, list((await conn.execute(stmt)).mappings()))

    async def list_deliveries(
        self,
        *,
        channel_id: int | None = None,
        status: str | None = None,
        article_id: int | None = None,
    ) -> list[DeliveryRow]:
        """Outbox rows (without articles), oldest first: for status displays and tests."""
        stmt = select(*Delivery.__table__.columns).order_by(Delivery.id)
        for column, value in (
            (Delivery.channel_id, channel_id),
            (Delivery.status, status),
            (Delivery.article_id, article_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        async with self._db.read() as conn:
            return [delivery_row(m) for m in (await conn.execute(stmt)).mappings()]

    async def pending_count(self, kind: str | None = None) -> int:
        """How many posts are waiting (of one kind, or all)."""
        stmt = select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
        if kind is not None:
            stmt = stmt.where(Delivery.kind == kind)
        async with self._db.read() as conn:
            return int(await conn.scalar(stmt) or 0)

    async def recent_posts(self, channel_id: int, seconds: float) -> list[float]:
        """How many seconds ago each post of the last ``seconds`` went out in a channel."""
        now = self._clock()
        stmt = select(Delivery.sent_at).where(
            Delivery.channel_id == channel_id,
            Delivery.status == "sent",
            Delivery.sent_at > now - timedelta(seconds=seconds),
        )
        async with self._db.read() as conn:
            sent = (await conn.execute(stmt)).scalars()
            return [(now - at).total_seconds() for at in sent if at is not None]

    async def mark_sent(self, delivery_id: int, message_id: int | None) -> None:
        """Discord accepted the post: it will never be sent again."""
        await self.mark_sent_many([delivery_id], message_id)

    async def mark_sent_many(self, delivery_ids: Sequence[int], message_id: int | None) -> None:
        """Several posts went out in one message (a digest), in this order."""
        now = self._clock()
        values = {"status": "sent", "message_id": message_id, "sent_at": now, "last_error": None}
        values.update(UNCLAIMED)
        positions = {delivery_id: n for n, delivery_id in enumerate(delivery_ids)}
        async with self._db.write() as conn:
            for part in chunks(list(delivery_ids)):
                # Each row's place in the message, so an edit of the message keeps the order.
                position = case({i: positions[i] for i in part}, value=Delivery.id)
                stmt = update(Delivery).where(Delivery.id.in_(part))
                await conn.execute(stmt.values(**values, position=position))

    async def mark_posted(self, delivery_id: int, message_id: int) -> None:
        """Discord accepted the message, a further step (publishing) is due: the row stays held.

        Its next attempt (after a crash, or a failed step) takes that step only.
        """
        async with self._db.write() as conn:
            await conn.execute(
                update(Delivery).where(Delivery.id == delivery_id).values(message_id=message_id)
            )

    async def publish_times(self, channel_id: int, since: datetime) -> list[datetime]:
        """When the channel's published posts since ``since`` went out (any process's)."""
        stmt = (
            select(Delivery.sent_at)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(
                Delivery.channel_id == channel_id,
                Delivery.status == "sent",
                Delivery.sent_at >= since,
                Delivery.last_error.is_(None),  # a publish given up is noted there
                Subscription.publish.is_(True),
            )
        )
        async with self._db.read() as conn:
            return [at for at in (await conn.execute(stmt)).scalars() if at is not None]

    async def defer_publish(
        self, delivery_id: int, message_id: int, at: datetime, reason: str
    ) -> None:
        """The message is posted; its publish waits until ``at`` (not a failed attempt)."""
        values = {
            "message_id": message_id,
            "next_attempt_at": at,
            "last_error": reason,
            "attempts": Delivery.attempts - 1,
        }
        await self._set_delivery(delivery_id, **values)

    async def mark_unpublished(self, delivery_id: int, message_id: int, reason: str) -> None:
        """The message is posted and will not be published (waited too long): settled."""
        sent = {"status": "sent", "message_id": message_id, "sent_at": self._clock()}
        await self._set_delivery(delivery_id, **sent, last_error=reason)

    async def mark_in_post(self, delivery_ids: Sequence[int], post_id: int | None) -> None:
        """The pending rows follow in the forum post ``post_id`` (a digest's later parts), so a
        run cut short finishes in that post rather than a new one; None forgets the post."""
        async with self._db.write() as conn:
            for part in chunks(list(delivery_ids)):
                stmt = update(Delivery).where(Delivery.id.in_(part), Delivery.status == "pending")
                await conn.execute(stmt.values(message_id=post_id))

    async def mark_in_flight(self, delivery_ids: Sequence[int], at: datetime) -> None:
        """An attempt without a nonce starts: from now on, the rows' post may exist."""
        async with self._db.write() as conn:
            for part in chunks(list(delivery_ids)):
                await conn.execute(
                    update(Delivery).where(Delivery.id.in_(part)).values(in_flight_at=at)
                )

    async def mark_retry(self, delivery_id: int, error: str, next_attempt_at: datetime) -> None:
        """The attempt failed transiently: try again at ``next_attempt_at``."""
        await self._set_delivery(delivery_id, last_error=error, next_attempt_at=next_attempt_at)

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """The post cannot be made: stop trying."""
        await self._set_delivery(delivery_id, status="failed", last_error=error)

    async def mark_skipped(self, delivery_id: int, reason: str) -> None:
        """The post is no longer wanted (e.g. the subscription is gone)."""
        await self._set_delivery(delivery_id, status="skipped", last_error=reason)

    async def _set_delivery(self, delivery_id: int, **values: Any) -> None:
        condition: ColumnElement[bool] = Delivery.id == delivery_id
        async with self._db.write() as conn:
            await conn.execute(update(Delivery).where(condition).values(**values, **UNCLAIMED))


def _with_article_order(stmt: Select[Any]) -> Select[Any]:
    return stmt.join(Article, Article.id == Delivery.article_id).order_by(
        Article.published.desc(), Delivery.id
    )


async def complete_deliveries(conn: AsyncConnection, rows: Sequence[Any]) -> list[DeliveryRow]:
    """Delivery rows with their articles and their subscriptions' feeds."""
    sub_ids = sorted({m["subscription_id"] for m in rows if m["subscription_id"] is not None})
    feeds: dict[int, Via] = {}
    pings: dict[int, int | None] = {}
    for part in chunks(sub_ids):
        stmt = (
            select(
                Subscription.id, Feed.id, Feed.title, Subscription.publish, Subscription.forum_tags
            )
            .add_columns(
                Subscription.ping_role_id, Subscription.webhook_name, Subscription.webhook_avatar
            )
            .join(Feed, Feed.id == Subscription.feed_id)
            .where(Subscription.id.in_(part))
        )
        for sub_id, feed_id, title, publish, tags, ping_role_id, name, avatar in await conn.execute(
            stmt
        ):
            feeds[sub_id] = Via(feed_id, title, bool(publish), tag_ids(tags), name, avatar)
            pings[sub_id] = ping_role_id
    # Each post shows its own feed's item (title, link...), never another feed's.
    own = [
        (m["article_id"], feeds.get(m["subscription_id"], Via(None, None)).feed_id) for m in rows
    ]
    articles = await fetch_feed_articles(conn, own)
    return [
        replace(
            delivery_row(m, articles.get(key), feeds.get(m["subscription_id"])),
            ping_role_id=pings.get(m["subscription_id"]),
        )
        for m, key in zip(rows, own, strict=True)
    ]
