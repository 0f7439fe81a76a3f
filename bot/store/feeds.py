"""Feeds: adding, claiming due feeds for polling, recording each poll's outcome, moving URLs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import feed_row, insert_ignore
from bot.store.rows import FeedRow, FeedStatus
from bot.store.tables import Delivery, Feed, FeedEntry, Subscription
from bot.store.types import UTCDateTime
from bot.store.workers import WorkersMixin, feed_outstanding

log = logging.getLogger(__name__)


class FeedsMixin(WorkersMixin):
    """The feeds part of :class:`~bot.store.Store`."""

    async def add_feed(self, url: str, *, title: str | None = None) -> FeedRow:
        """Get or create the feed with this (already normalised) URL; a new feed is due now."""
        now = self._clock()
        async with self._db.write() as conn:
            await conn.execute(
                insert_ignore(self._db, Feed),
                {
                    "url": url,
                    "title": title,
                    "next_poll_at": now,
                    "consecutive_failures": 0,
                    "baseline_done": False,
                    "created_at": now,
                },
            )
            feed = await _feed_where(conn, Feed.url == url)
        assert feed is not None
        return feed

    async def get_feed(self, feed_id: int) -> FeedRow | None:
        """The feed with this id, if any."""
        async with self._db.read() as conn:
            return await _feed_where(conn, Feed.id == feed_id)

    async def get_feed_by_url(self, url: str) -> FeedRow | None:
        """The feed with this URL, if any."""
        async with self._db.read() as conn:
            return await _feed_where(conn, Feed.url == url)

    async def list_feeds(self) -> list[FeedRow]:
        """Every feed, oldest first (console mode, maintenance)."""
        async with self._db.read() as conn:
            result = await conn.execute(select(*Feed.__table__.columns).order_by(Feed.id))
            return [feed_row(m) for m in result.mappings()]

    async def claim_due_feeds(
        self, now: datetime, *, limit: int, lease_seconds: float, subscribed_only: bool = False
    ) -> list[FeedRow]:
        """Take up to ``limit`` feeds due at ``now``, oldest due first.

        Broken feeds are claimed too, when their (long) retry time comes: a site that comes
        back heals its feed without anyone re-adding it.

        Their ``next_poll_at`` moves ``lease_seconds`` ahead in the same statement, so another
        poller (another process on PostgreSQL: rows locked with SKIP LOCKED) never takes them;
        the claim names this process's worker (when registered), and a feed whose claim has no
        recorded poll yet is claimable again as soon as that worker is dead (stale heartbeat,
        or gone); else when the lease ends. With ``subscribed_only`` feeds that no active
        subscription wants are left alone.
        """
        free = or_(
            Feed.next_poll_at <= now,
            and_(feed_outstanding(), self._claimer_gone(Feed.claimed_by, now)),
        )
        conditions: list[ColumnElement[bool]] = [free]
        if subscribed_only:
            conditions.append(
                exists().where(
                    Subscription.feed_id == Feed.id, Subscription.paused_reason.is_(None)
                )
            )
        # The first ``limit`` due feeds no other poller has locked: SKIP LOCKED applies before
        # LIMIT, so pollers claiming at once take different feeds, never the same few
        # candidates (all locked but by one). PostgreSQL rechecks the conditions on the row
        # version it locks, so a feed another poller claimed and committed meanwhile is skipped.
        due = (
            select(Feed.id)
            .where(*conditions)
            .order_by(Feed.next_poll_at, Feed.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        stmt = (
            update(Feed)
            .where(Feed.id.in_(select(due.c.id)))
            .values(
                next_poll_at=now + timedelta(seconds=lease_seconds),
                claimed_by=self._claim_owner(),
                claimed_at=now,
            )
            .returning(*Feed.__table__.columns)
        )
        async with self._db.write() as conn:
            rows = [feed_row(m) for m in (await conn.execute(stmt)).mappings()]
        return sorted(rows, key=lambda feed: feed.id)

    async def record_success(
        self,
        feed_id: int,
        *,
        etag: str | None,
        last_modified: str | None,
        next_poll_at: datetime,
        title: str | None = None,
        new_url: str | None = None,
        content_hash: str | None = None,
        site_link: str | None = None,
        interval_seconds: int | None = None,
    ) -> FeedRow:
        """Record a fetched and stored poll; ``new_url`` (permanent redirect) moves the feed."""
        now = self._clock()
        values: dict[str, Any] = {
            "etag": etag,
            "last_modified": last_modified,
            "next_poll_at": next_poll_at,
            "last_polled_at": now,
            "last_success_at": now,
            "consecutive_failures": 0,
            "broken_reason": None,
        }
        optional = {"title": title, "content_hash": content_hash, "site_link": site_link}
        values.update({key: value for key, value in optional.items() if value})
        if interval_seconds is not None:
            values["interval_seconds"] = interval_seconds
        async with self._db.write() as conn:
            if new_url:
                feed_id = await _move(conn, feed_id, new_url)
            return await _update(conn, feed_id, values)

    async def record_not_modified(self, feed_id: int, *, next_poll_at: datetime) -> None:
        """Record a poll answered 304 Not Modified (a success)."""
        await self.record_not_modified_many([(feed_id, next_poll_at)])

    async def record_not_modified_many(self, polls: Sequence[tuple[int, datetime]]) -> None:
        """Record many 304 polls, ``(feed_id, next_poll_at)`` each, in one transaction.

        Most polls of a cycle are 304s: one statement for all of them costs a fraction of one
        transaction each (measured figures in the store's notes).
        """
        if not polls:
            return
        now = self._clock()
        stmt = (
            update(Feed)
            .where(Feed.id == bindparam("b_id", type_=Feed.id.type))
            .values(
                next_poll_at=bindparam("b_next", type_=UTCDateTime()),
                last_polled_at=now,
                last_success_at=now,
                consecutive_failures=0,
                broken_reason=None,
            )
        )
        params = [{"b_id": feed_id, "b_next": next_poll_at} for feed_id, next_poll_at in polls]
        async with self._db.write() as conn:
            await conn.execute(stmt, params)

    async def record_failure(
        self, feed_id: int, *, error: str, next_poll_at: datetime, broken: bool = False
    ) -> FeedRow:
        """Record a failed poll; ``broken`` (a permanent error) marks the feed with the reason.

        A broken feed is polled again only at ``next_poll_at`` (the poller passes its longest
        interval); a later success clears the mark.
        """
        now = self._clock()
        values: dict[str, Any] = {
            "consecutive_failures": Feed.consecutive_failures + 1,
            "last_error": error,
            "last_error_at": now,
            "last_polled_at": now,
            "next_poll_at": next_poll_at,
        }
        if broken:
            values["broken_reason"] = error
        async with self._db.write() as conn:
            return await _update(conn, feed_id, values)

    async def mark_failure_notice(self, feed_id: int, at: datetime) -> None:
        """Remember when the channels were told this feed is failing (one notice a day)."""
        async with self._db.write() as conn:
            await conn.execute(update(Feed).where(Feed.id == feed_id).values(failure_notice_at=at))

    async def mark_baseline_done(self, feed_id: int) -> None:
        """The feed's first fetch is recorded: later new entries are delivered."""
        async with self._db.write() as conn:
            await conn.execute(update(Feed).where(Feed.id == feed_id).values(baseline_done=True))

    async def set_feed_url(self, feed_id: int, new_url: str) -> FeedRow:
        """Move a feed to a new URL (permanent redirect), merging into a feed already there."""
        async with self._db.write() as conn:
            survivor = await _move(conn, feed_id, new_url)
            feed = await _feed_where(conn, Feed.id == survivor)
        assert feed is not None
        return feed

    async def feed_status(self, guild_id: int) -> list[FeedStatus]:
        """Health of every feed subscribed in the guild, one line per subscription."""
        stmt = (
            select(
                Subscription.id.label("subscription_id"),
                Subscription.channel_id,
                Subscription.mode,
                Subscription.paused_reason,
                Feed.id.label("feed_id"),
                Feed.url,
                Feed.title,
                Feed.last_success_at,
                Feed.last_error,
                Feed.last_error_at,
                Feed.consecutive_failures,
                Feed.next_poll_at,
                Feed.broken_reason,
            )
            .join(Feed, Feed.id == Subscription.feed_id)
            .where(Subscription.guild_id == guild_id)
            .order_by(Feed.url, Subscription.channel_id)
        )
        async with self._db.read() as conn:
            return [FeedStatus(**m) for m in (await conn.execute(stmt)).mappings()]


async def _feed_where(conn: AsyncConnection, condition: ColumnElement[bool]) -> FeedRow | None:
    result = await conn.execute(select(*Feed.__table__.columns).where(condition))
    m = result.mappings().first()
    return feed_row(m) if m is not None else None


async def _update(conn: AsyncConnection, feed_id: int, values: dict[str, Any]) -> FeedRow:
    stmt = update(Feed).where(Feed.id == feed_id).values(**values)
    result = await conn.execute(stmt.returning(*Feed.__table__.columns))
    m = result.mappings().first()
    if m is None:
        raise LookupError(f"no feed {feed_id}")
    return feed_row(m)


async def _move(conn: AsyncConnection, feed_id: int, new_url: str) -> int:
    """Give the feed ``new_url``; when another feed has it, merge into that one. Returns the id."""
    target = await conn.scalar(select(Feed.id).where(Feed.url == new_url))
    if target is None or target == feed_id:
        await conn.execute(update(Feed).where(Feed.id == feed_id).values(url=new_url))
        return feed_id
    log.info("feed %d moved to %s, already feed %d: merging", feed_id, new_url, target)
    await _merge_subscriptions(conn, feed_id, target)
    # Entries the target already carries are dropped; the rest follow, so nothing repeats.
    carried = select(FeedEntry.key_hash).where(FeedEntry.feed_id == target).scalar_subquery()
    await conn.execute(
        delete(FeedEntry).where(FeedEntry.feed_id == feed_id, FeedEntry.key_hash.in_(carried))
    )
    await conn.execute(update(FeedEntry).where(FeedEntry.feed_id == feed_id).values(feed_id=target))
    baseline = await conn.scalar(select(Feed.baseline_done).where(Feed.id == feed_id))
    if baseline:
        await conn.execute(update(Feed).where(Feed.id == target).values(baseline_done=True))
    await conn.execute(delete(Feed).where(Feed.id == feed_id))
    return target


async def _merge_subscriptions(conn: AsyncConnection, source: int, target: int) -> None:
    by_channel = select(Subscription.channel_id, Subscription.id)
    result = await conn.execute(by_channel.where(Subscription.feed_id == target))
    taken: dict[int, int] = dict(result.all())
    result = await conn.execute(by_channel.where(Subscription.feed_id == source))
    for channel_id, sub_id in list(result):
        if channel_id in taken:  # the channel already has the target feed: keep that one
            await conn.execute(
                update(Delivery)
                .where(Delivery.subscription_id == sub_id)
                .values(subscription_id=taken[channel_id])
            )
            await conn.execute(delete(Subscription).where(Subscription.id == sub_id))
        else:
            await conn.execute(
                update(Subscription).where(Subscription.id == sub_id).values(feed_id=target)
            )
