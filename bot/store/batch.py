"""Batch writes: the new articles, entries, deliveries and poll successes of many feeds at once.

One poll batch is one write transaction of a handful of statements, whatever its size: one
look-up of what exists (per chunk of the parameter limit), then multi-row INSERT ... ON CONFLICT
DO NOTHING RETURNING for articles, entries and deliveries. Filters are decided before the
transaction, in a worker thread (``bot.store.filters.decide``). On PostgreSQL a conflict on an
article means another process stored the same story meanwhile: it is re-read, never an error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Article as ArticleModel
from bot.store.base import StoreBase, chunks, insert_ignore, subscription_row, subscription_select
from bot.store.changes import apply_changes, record_hashes
from bot.store.feeds import _move
from bot.store.filters import judge
from bot.store.identity import key_hash
from bot.store.linking import Link, Plan, Story, plan
from bot.store.rows import FeedBatchItem, FeedSuccess, StoreResult, SubscriptionRow
from bot.store.tables import Article, Delivery, Feed, FeedEntry, Subscription
from bot.store.types import UTCDateTime
from bot.store.verdicts import Rejected, insert_filter_verdicts

log = logging.getLogger(__name__)

Accepted = dict[tuple[int, str], frozenset[int]]  # (feed id, entry id) -> subscription ids


class BatchMixin(StoreBase):
    """The batch-writing part of :class:`~bot.store.Store`."""

    async def active_subscriptions(
        self, feed_ids: Sequence[int]
    ) -> dict[int, list[SubscriptionRow]]:
        """The unpaused subscriptions of each feed (one query per chunk of feeds)."""
        found: dict[int, list[SubscriptionRow]] = {}
        async with self._db.read() as conn:
            for part in chunks(sorted(set(feed_ids))):
                stmt = subscription_select().where(
                    Subscription.feed_id.in_(part), Subscription.paused_reason.is_(None)
                )
                for m in (await conn.execute(stmt)).mappings():
                    found.setdefault(m["feed_id"], []).append(subscription_row(m))
        return found

    async def store_feed_batch(self, items: Sequence[FeedBatchItem]) -> dict[int, StoreResult]:
        """Store many feeds' new articles, deliveries and poll successes in one transaction.

        Same rules as ``store_articles`` for each feed. Returns each feed's result by feed id.
        """
        accepted, rejected = await self._decide(items)
        first_polls = {item.feed_id for item in items if not item.deliver}
        now = self._clock()
        async with self._db.write() as conn:
            work = await plan(conn, [(item.feed_id, item.articles) for item in items])
            await self._insert_stories(conn, work.pending, now)
            await self._insert_entries(conn, work.links, first_polls, now)
            wanted = {sid for ids in accepted.values() for sid in ids}
            wanted.update(sid for reasons in rejected.values() for sid in reasons)
            subs = await _subscriptions(conn, wanted)
            deliveries = await self._insert_deliveries(conn, work.links, accepted, subs, now)
            await insert_filter_verdicts(
                self._db, conn, links=work.links, rejected=rejected, subs=subs, now=now
            )
            edits = {item.feed_id: await _changes(conn, item, now) for item in items}
            await self._record_successes(conn, items, now)
        return _results(items, work, deliveries, edits)

    async def _decide(self, items: Sequence[FeedBatchItem]) -> tuple[Accepted, Rejected]:
        """Which subscriptions accept which entry, and why the others turn it away.

        Filters run in a thread, before any write.
        """
        delivering = [item for item in items if item.deliver and item.articles]
        if not delivering:
            return {}, {}
        subs = await self.active_subscriptions([item.feed_id for item in delivering])

        def run() -> tuple[Accepted, Rejected]:
            decided: Accepted = {}
            refused: Rejected = {}
            for item in delivering:
                feed_subs = subs.get(item.feed_id, [])
                if all(s.filters.empty for s in feed_subs):  # everyone takes everything
                    everyone = frozenset(s.id for s in feed_subs)
                    for article in item.articles:
                        decided[(item.feed_id, article.entry.id)] = everyone
                    continue
                texts = [(a.entry.title, a.entry.summary, a.text) for a in item.articles]
                judged = judge([s.filters for s in feed_subs], texts)
                for article, reasons in zip(item.articles, judged, strict=True):
                    key = (item.feed_id, article.entry.id)
                    decided[key] = frozenset(
                        s.id for s, why in zip(feed_subs, reasons, strict=True) if why is None
                    )
                    why_not = {s.id: why for s, why in zip(feed_subs, reasons, strict=True) if why}
                    if why_not:
                        refused[key] = why_not
            return decided, refused

        if all(s.filters.empty for ss in subs.values() for s in ss):
            return run()  # nothing to match: no thread needed
        return await asyncio.to_thread(run)

    async def _insert_stories(
        self, conn: AsyncConnection, stories: list[Story], now: datetime
    ) -> None:
        """Insert the batch's new articles; those another process stored meanwhile are re-read."""
        if not stories:
            return
        stmt = insert_ignore(self._db, Article).returning(
            Article.id, Article.url, Article.fingerprint
        )
        keyed = [s for s in stories if s.url is not None or s.fingerprint is not None]
        by_url = {s.url: s for s in keyed if s.url is not None}
        by_fp = {s.fingerprint: s for s in keyed if s.fingerprint is not None}
        if keyed:
            rows = await conn.execute(stmt, [_article_values(s, now) for s in keyed])
            for row in rows:
                story = by_url.get(row[1]) if row[1] is not None else None
                story = story or by_fp[row[2]]
                story.id, story.created = row[0], True
        for story in stories:
            if story.url is None and story.fingerprint is None:  # nothing identifies it: new
                story.id = await conn.scalar(stmt, _article_values(story, now))
                story.created = True
        lost = [s for s in keyed if s.id is None]
        if lost:
            await _reread(conn, lost)

    async def _insert_entries(
        self, conn: AsyncConnection, links: list[Link], first_polls: set[int], now: datetime
    ) -> None:
        """Record what each feed carried, with the feed's own item (and whether on a first poll)."""
        if links:
            values = [_entry_values(link, link.feed_id in first_polls, now) for link in links]
            await conn.execute(insert_ignore(self._db, FeedEntry), values)

    async def _insert_deliveries(
        self,
        conn: AsyncConnection,
        links: list[Link],
        accepted: Accepted,
        subs: Mapping[int, SubscriptionRow],
        now: datetime,
    ) -> dict[int, list[int]]:
        """Queue each accepted (article, channel) once; returns delivery ids by feed."""
        values: list[dict[str, Any]] = []
        owners: dict[tuple[int, int], int] = {}
        for link in links:
            for sub_id in sorted(accepted.get((link.feed_id, link.article.entry.id), ())):
                sub = subs.get(sub_id)
                if sub is None or link.story.id is None:
                    continue  # removed or paused since the filters were decided
                key = (link.story.id, sub.channel_id)
                if key not in owners:
                    owners[key] = link.feed_id
                    values.append(delivery_values(link.story.id, sub, now))
        found: dict[int, list[int]] = {}
        if values:
            stmt = insert_ignore(self._db, Delivery).returning(
                Delivery.id, Delivery.article_id, Delivery.channel_id
            )
            for row in await conn.execute(stmt, values):
                found.setdefault(owners[(row[1], row[2])], []).append(row[0])
        return found

    async def _record_successes(
        self, conn: AsyncConnection, items: Sequence[FeedBatchItem], now: datetime
    ) -> None:
        """Record the polls' successes (and end each feed's baseline): one statement."""
        params: list[dict[str, Any]] = []
        for item in items:
            success = item.success
            if success is None:
                continue
            feed_id = item.feed_id
            if success.new_url:
                feed_id = await _move(conn, feed_id, success.new_url)
            params.append(_success_values(feed_id, success))
        if params:
            await conn.execute(_success_update(now), params)


def _success_update(now: datetime) -> Any:
    return (
        update(Feed)
        .where(Feed.id == bindparam("b_id", type_=Feed.id.type))
        .values(
            etag=bindparam("b_etag", type_=Feed.etag.type),
            last_modified=bindparam("b_lm", type_=Feed.last_modified.type),
            next_poll_at=bindparam("b_next", type_=UTCDateTime()),
            title=func.coalesce(bindparam("b_title", type_=Feed.title.type), Feed.title),
            last_polled_at=now,
            last_success_at=now,
            consecutive_failures=0,
            broken_reason=None,
            baseline_done=True,
        )
    )


def _success_values(feed_id: int, success: FeedSuccess) -> dict[str, Any]:
    return {
        "b_id": feed_id,
        "b_etag": success.etag,
        "b_lm": success.last_modified,
        "b_next": success.next_poll_at,
        "b_title": success.title or None,
    }


async def _changes(conn: AsyncConnection, item: FeedBatchItem, now: datetime) -> int:
    """Record a feed's changed items (and late hashes); returns the edits queued."""
    await record_hashes(conn, item.feed_id, item.rehashed)
    return await apply_changes(conn, item.feed_id, item.changed, now)


async def _reread(conn: AsyncConnection, lost: list[Story]) -> None:
    """Ids of stories another writer inserted first (same URL or fingerprint)."""
    urls = [s.url for s in lost if s.url is not None]
    fps = [s.fingerprint for s in lost if s.fingerprint is not None]
    stmt = select(Article.id, Article.url, Article.fingerprint).where(
        or_(Article.url.in_(urls), Article.fingerprint.in_(fps))
    )
    rows = list(await conn.execute(stmt))
    for story in lost:
        by_url = [r[0] for r in rows if story.url is not None and r[1] == story.url]
        by_fp = [r[0] for r in rows if story.fingerprint is not None and r[2] == story.fingerprint]
        if not (by_url or by_fp):
            raise RuntimeError(f"article {story.url!r} neither inserted nor found")
        story.id = (by_url or by_fp)[0]


async def _subscriptions(conn: AsyncConnection, ids: set[int]) -> dict[int, SubscriptionRow]:
    """The still active subscriptions among ``ids``, read inside the write."""
    found: dict[int, SubscriptionRow] = {}
    for part in chunks(sorted(ids)):
        stmt = subscription_select().where(
            Subscription.id.in_(part), Subscription.paused_reason.is_(None)
        )
        for m in (await conn.execute(stmt)).mappings():
            found[m["id"]] = subscription_row(m)
    return found


def _article_values(story: Story, now: datetime) -> dict[str, Any]:
    assert story.article is not None
    article, entry = story.article, story.article.entry
    return {
        "url": story.url,
        "fingerprint": story.fingerprint,
        "title": entry.title,
        "author": entry.author,
        "published": entry.published,
        "published_estimated": entry.published_estimated,
        "summary": entry.summary,
        "text": article.text,
        "text_source": article.text_source,
        "extraction_note": article.extraction_note,
        "image_url": entry.image_url,
        "language": article.language,
        "digest": _digest_json(article),
        "first_seen": now,
    }


def _entry_values(link: Link, first_poll: bool, now: datetime) -> dict[str, Any]:
    article, entry = link.article, link.article.entry
    return {
        "feed_id": link.feed_id,
        "key_hash": key_hash(entry.id),
        "entry_key": entry.id,
        "article_id": link.story.id,
        "first_seen": now,
        "first_poll": first_poll,
        "title": entry.title,
        "summary": entry.summary,
        "link": entry.link,
        "author": entry.author,
        "image_url": entry.image_url,
        "text": article.text if link.own_text else None,
        "text_source": article.text_source if link.own_text else None,
        "digest": _digest_json(article) if link.own_text else None,
        "content_hash": entry.content_hash,
    }


def _digest_json(article: ArticleModel) -> Any:
    """The digest as stored: JSON null until made, for a first poll's backlog (bot.backlog)."""
    return JSON.NULL if article.digest is None else article.digest.to_dict()


def delivery_values(article_id: int, sub: SubscriptionRow, now: datetime) -> dict[str, Any]:
    """The outbox row that queues an article for a subscription's channel."""
    return {
        "article_id": article_id,
        "channel_id": sub.channel_id,
        "guild_id": sub.guild_id,
        "subscription_id": sub.id,
        "kind": sub.mode,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def _results(
    items: Sequence[FeedBatchItem],
    work: Plan,
    deliveries: Mapping[int, list[int]],
    edits: Mapping[int, int],
) -> dict[int, StoreResult]:
    new: dict[int, list[int]] = {}
    linked: dict[int, list[int]] = {}
    for link in work.links:
        assert link.story.id is not None
        linked.setdefault(link.feed_id, []).append(link.story.id)
        if link.story.created and link.story.article is link.article:
            new.setdefault(link.feed_id, []).append(link.story.id)
    return {
        item.feed_id: StoreResult(
            tuple(new.get(item.feed_id, ())),
            tuple(linked.get(item.feed_id, ())),
            tuple(work.skipped.get(item.feed_id, ())),
            tuple(deliveries.get(item.feed_id, ())),
            edits.get(item.feed_id, 0),
        )
        for item in items
    }
