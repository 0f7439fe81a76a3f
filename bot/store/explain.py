"""What ``/feed explain`` reads: one article's entries, subscriptions, deliveries and verdicts.

Everything is read for one guild only: the entries of feeds the guild follows, its
subscriptions, the deliveries into its channels. Another guild's channels never show.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase, chunks, feed_row, subscription_row, subscription_select
from bot.store.rows import DeliveryRow, FeedRow, SubscriptionRow
from bot.store.tables import Article, Delivery, Feed, FeedEntry, FilterVerdict, Subscription

log = logging.getLogger(__name__)

_DELIVERY_FIELDS = (
    "id",
    "article_id",
    "channel_id",
    "guild_id",
    "subscription_id",
    "kind",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "message_id",
    "created_at",
    "sent_at",
)


@dataclass(frozen=True, slots=True)
class EntryFact:
    """A feed's record of carrying the article."""

    feed_id: int
    title: str | None  # the feed's own item title
    link: str | None
    first_seen: datetime  # when this feed's poll recorded it
    first_poll: bool  # recorded by the feed's first poll (its baseline)


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """Everything stored about one article's way into one guild's channels."""

    article_id: int
    title: str
    url: str | None
    first_seen: datetime  # when any feed first brought it
    entries: tuple[EntryFact, ...]  # feeds the guild follows that carried it
    subscriptions: tuple[SubscriptionRow, ...]  # the guild's subscriptions to those feeds
    deliveries: tuple[DeliveryRow, ...]  # its outbox rows into the guild's channels
    rejections: Mapping[int, str]  # subscription id -> why its filters turned it away


def _guild_feeds(guild_id: int) -> Select[Any]:
    """The feeds a guild follows, as a subquery."""
    return select(Subscription.feed_id).where(Subscription.guild_id == guild_id)


class ExplainMixin(StoreBase):
    """The read side of ``/feed explain`` (part of :class:`~bot.store.Store`)."""

    async def guild_articles_by_url(
        self, guild_id: int, urls: Sequence[str], *, limit: int = 5
    ) -> list[int]:
        """Articles with one of ``urls`` (theirs or a feed item's link) from the guild's feeds."""
        stmt = (
            select(Article.id)
            .join(FeedEntry, FeedEntry.article_id == Article.id)
            .where(
                or_(Article.url.in_(urls), FeedEntry.link.in_(urls)),
                FeedEntry.feed_id.in_(_guild_feeds(guild_id)),
            )
            .group_by(Article.id)
            .order_by(Article.id.desc())
            .limit(limit)
        )
        async with self._db.read() as conn:
            return [int(i) for i in await conn.scalars(stmt)]

    async def guild_feed_by_url(self, guild_id: int, urls: Sequence[str]) -> FeedRow | None:
        """The feed with one of ``urls`` when the guild follows it."""
        followed = exists().where(
            Subscription.feed_id == Feed.id, Subscription.guild_id == guild_id
        )
        stmt = select(*Feed.__table__.columns).where(Feed.url.in_(urls), followed).limit(1)
        async with self._db.read() as conn:
            m = (await conn.execute(stmt)).mappings().first()
        return None if m is None else feed_row(m)

    async def newest_feed_articles(self, feed_id: int, n: int) -> list[int]:
        """The ``n`` newest articles a feed carried, newest first."""
        stmt = (
            select(Article.id)
            .join(FeedEntry, FeedEntry.article_id == Article.id)
            .where(FeedEntry.feed_id == feed_id)
            .order_by(Article.published.desc(), Article.id.desc())
            .limit(n)
        )
        async with self._db.read() as conn:
            return [int(i) for i in await conn.scalars(stmt)]

    async def explain_facts(self, guild_id: int, article_ids: Sequence[int]) -> list[ArticleFacts]:
        """What is stored about each article's way into the guild's channels, in the given order."""
        found: dict[int, ArticleFacts] = {}
        async with self._db.read() as conn:
            for part in chunks(list(dict.fromkeys(article_ids))):
                found.update(await _facts(conn, guild_id, part))
        return [found[i] for i in article_ids if i in found]


async def _facts(
    conn: AsyncConnection, guild_id: int, ids: Sequence[int]
) -> dict[int, ArticleFacts]:
    """The facts of a chunk of articles: five queries, whatever the chunk's size."""
    articles = (
        await conn.execute(
            select(Article.id, Article.title, Article.url, Article.first_seen).where(
                Article.id.in_(ids)
            )
        )
    ).all()
    entry_rows = (
        await conn.execute(
            select(
                FeedEntry.article_id,
                FeedEntry.feed_id,
                FeedEntry.title,
                FeedEntry.link,
                FeedEntry.first_seen,
                FeedEntry.first_poll,
            )
            .where(
                FeedEntry.article_id.in_(ids),
                FeedEntry.feed_id.in_(_guild_feeds(guild_id)),
            )
            .order_by(FeedEntry.first_seen, FeedEntry.id)
        )
    ).all()
    feed_ids = sorted({row.feed_id for row in entry_rows})
    subs = [
        subscription_row(m)
        for m in (
            await conn.execute(
                subscription_select()
                .where(Subscription.guild_id == guild_id, Subscription.feed_id.in_(feed_ids))
                .order_by(Subscription.id)
            )
        ).mappings()
    ]
    deliveries = [
        DeliveryRow(**{name: m[name] for name in _DELIVERY_FIELDS})
        for m in (
            await conn.execute(
                select(*(Delivery.__table__.c[name] for name in _DELIVERY_FIELDS))
                .where(Delivery.article_id.in_(ids), Delivery.guild_id == guild_id)
                .order_by(Delivery.id)
            )
        ).mappings()
    ]
    sub_ids = [s.id for s in subs]
    verdicts = (
        await conn.execute(
            select(
                FilterVerdict.article_id, FilterVerdict.subscription_id, FilterVerdict.reason
            ).where(FilterVerdict.article_id.in_(ids), FilterVerdict.subscription_id.in_(sub_ids))
        )
    ).all()
    facts: dict[int, ArticleFacts] = {}
    for a in articles:
        entries = tuple(
            EntryFact(r.feed_id, r.title, r.link, r.first_seen, r.first_poll)
            for r in entry_rows
            if r.article_id == a.id
        )
        carried = {e.feed_id for e in entries}
        facts[a.id] = ArticleFacts(
            article_id=a.id,
            title=a.title,
            url=a.url,
            first_seen=a.first_seen,
            entries=entries,
            subscriptions=tuple(s for s in subs if s.feed_id in carried),
            deliveries=tuple(d for d in deliveries if d.article_id == a.id),
            rejections={v.subscription_id: v.reason for v in verdicts if v.article_id == a.id},
        )
    return facts
