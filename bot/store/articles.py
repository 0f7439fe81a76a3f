"""Articles: storing what feeds carry (deduplicated) with their outbox rows, and reading them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import case, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Article as ArticleModel
from bot.store.base import (
    StoreBase,
    article_columns,
    article_row,
    chunks,
    fetch_articles,
    insert_ignore,
    scope,
    subscription_row,
    subscription_select,
)
from bot.store.identity import article_fingerprint, key_hash, same_title
from bot.store.rows import ArticleRow, StoreResult, SubscriptionRow
from bot.store.tables import Article, Delivery, FeedEntry, Subscription

log = logging.getLogger(__name__)


class ArticlesMixin(StoreBase):
    """The articles part of :class:`~bot.store.Store`."""

    async def known_entry_keys(self, feed_id: int, keys: Iterable[str]) -> set[str]:
        """The entry ids among ``keys`` that this feed has already carried."""
        async with self._db.read() as conn:
            return await _known(conn, feed_id, keys)

    async def store_articles(
        self, feed_id: int, articles: Sequence[ArticleModel], *, deliver: bool
    ) -> StoreResult:
        """Store a feed's articles and, with ``deliver``, their outbox rows: one transaction.

        An article already stored under the same canonical URL or content fingerprint (the same
        story via another feed) is linked, not stored again; entry ids this feed already carried
        (or repeated in the batch) are skipped. Each active subscription of the feed whose
        filters accept an article gets one delivery per channel and article.
        """
        now = self._clock()
        new: list[int] = []
        linked: list[int] = []
        skipped: list[str] = []
        deliveries: list[int] = []
        # Oldest first, so a channel receives a burst in the order things happened.
        ordered = sorted(articles, key=lambda a: a.entry.published)
        async with self._db.write() as conn:
            known = await _known(conn, feed_id, (a.entry.id for a in ordered))
            subscriptions = await _active_subscriptions(conn, feed_id) if deliver else []
            for article in ordered:
                if article.entry.id in known:
                    skipped.append(article.entry.id)
                    continue
                known.add(article.entry.id)
                article_id, created = await self._link(conn, feed_id, article, now)
                linked.append(article_id)
                if created:
                    new.append(article_id)
                for sub in subscriptions:
                    if sub.filters.accepts(
                        article.entry.title, article.entry.summary, article.text
                    ):
                        delivery = await self._add_delivery(conn, article_id, sub, now)
                        if delivery is not None:
                            deliveries.append(delivery)
        return StoreResult(tuple(new), tuple(linked), tuple(skipped), tuple(deliveries))

    async def backfill(self, subscription_id: int, n: int) -> int:
        """Queue the newest ``n`` stored articles of the subscription's feed; returns how many."""
        if n <= 0:
            return 0
        now = self._clock()
        async with self._db.write() as conn:
            m = (
                (
                    await conn.execute(
                        subscription_select().where(Subscription.id == subscription_id)
                    )
                )
                .mappings()
                .first()
            )
            if m is None:
                raise LookupError(f"no subscription {subscription_id}")
            sub = subscription_row(m)
            stmt = (
                select(*article_columns())
                .where(*scope(feed_id=sub.feed_id))
                .order_by(Article.published.desc(), Article.id.desc())
                .limit(n)
            )
            rows = [article_row(r) for r in (await conn.execute(stmt)).mappings()]
            created = 0
            for row in reversed(rows):  # oldest first, as they would have arrived
                if sub.filters.accepts(row.title, row.summary, row.text):
                    created += await self._add_delivery(conn, row.id, sub, now) is not None
        return created

    async def get_article(self, article_id: int) -> ArticleRow | None:
        """A stored article with its digest."""
        async with self._db.read() as conn:
            return (await fetch_articles(conn, [article_id])).get(article_id)

    async def recent_articles(
        self,
        guild_id: int | None,
        *,
        since: datetime | None = None,
        feed_id: int | None = None,
        title_contains: str | None = None,
        limit: int = 100,
    ) -> list[ArticleRow]:
        """Articles of the guild's feeds (all feeds when ``guild_id`` is None), newest first."""
        stmt = select(*article_columns()).where(*scope(guild_id, feed_id, since))
        if title_contains:
            stmt = stmt.where(Article.title.icontains(title_contains, autoescape=True))
        stmt = stmt.order_by(Article.published.desc(), Article.id.desc()).limit(limit)
        async with self._db.read() as conn:
            return [article_row(m) for m in (await conn.execute(stmt)).mappings()]

    async def articles_after(self, article_id: int, *, limit: int = 500) -> list[ArticleRow]:
        """Articles stored after ``article_id``, in storage order: for indexes kept up to date."""
        stmt = (
            select(*article_columns())
            .where(Article.id > article_id)
            .order_by(Article.id)
            .limit(limit)
        )
        async with self._db.read() as conn:
            return [article_row(m) for m in (await conn.execute(stmt)).mappings()]

    async def _link(
        self, conn: AsyncConnection, feed_id: int, article: ArticleModel, now: datetime
    ) -> tuple[int, bool]:
        """Record that the feed carries this entry; returns (article id, article created)."""
        article_id, created = await self._find_or_insert(conn, feed_id, article, now)
        values = {
            "feed_id": feed_id,
            "key_hash": key_hash(article.entry.id),
            "entry_key": article.entry.id,
            "article_id": article_id,
            "first_seen": now,
        }
        await conn.execute(insert_ignore(self._db, FeedEntry), values)
        return article_id, created

    async def recent_article_ids(
        self,
        guild_id: int | None,
        *,
        since: datetime | None = None,
        feed_id: int | None = None,
        limit: int = 100,
    ) -> list[int]:
        """The ids of :meth:`recent_articles`, without loading the articles (for indexes)."""
        stmt = (
            select(Article.id)
            .where(*scope(guild_id, feed_id, since))
            .order_by(Article.published.desc(), Article.id.desc())
            .limit(limit)
        )
        async with self._db.read() as conn:
            return [int(i) for i in (await conn.scalars(stmt))]

    async def _find_or_insert(
        self, conn: AsyncConnection, feed_id: int, article: ArticleModel, now: datetime
    ) -> tuple[int, bool]:
        """The stored article for this story (same URL or fingerprint), else a new one."""
        url = article.entry.link or None
        fingerprint = article_fingerprint(article)
        found = await _find(conn, url, fingerprint)
        by_url = found is not None and url is not None and found[1] == url
        if by_url and found and await _link_reused(conn, feed_id, found, article.entry.title):
            url = None  # the link names a page, not this item: identify it by content
            found = await _find(conn, None, fingerprint)
        if found is not None:
            return found[0], False
        entry = article.entry
        values = {
            "url": url,
            "fingerprint": fingerprint,
            "title": entry.title,
            "author": entry.author,
            "published": entry.published,
            "published_estimated": entry.published_estimated,
            "summary": entry.summary,
            "text": article.text,
            "text_source": article.text_source,
            "extraction_note": article.extraction_note,
            "image_url": entry.image_url,
            "language": article.digest.language,
            "digest": article.digest.to_dict(),
            "first_seen": now,
        }
        new_id = await conn.scalar(insert_ignore(self._db, Article).returning(Article.id), values)
        if new_id is not None:
            return new_id, True
        # Another process stored the same story between our look-up and insert.
        found = await _find(conn, url, fingerprint)
        if found is None:
            raise RuntimeError(f"article {url!r} neither inserted nor found")
        return found[0], False

    async def _add_delivery(
        self, conn: AsyncConnection, article_id: int, sub: SubscriptionRow, now: datetime
    ) -> int | None:
        """Queue an article for a subscription's channel; None when the channel already has it."""
        values = {
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
        stmt = insert_ignore(self._db, Delivery).returning(Delivery.id)
        delivery_id: int | None = await conn.scalar(stmt, values)
        return delivery_id


async def _find(
    conn: AsyncConnection, url: str | None, fingerprint: str | None
) -> tuple[int, str | None, str] | None:
    """(id, url, title) of the article with this URL, else of the one with this fingerprint."""
    pairs = ((Article.url, url), (Article.fingerprint, fingerprint))
    conditions = [column == value for column, value in pairs if value is not None]
    if not conditions:
        return None
    by_url = case((Article.url == url, 0), else_=1) if url is not None else literal(0)
    stmt = (
        select(Article.id, Article.url, Article.title)
        .where(or_(*conditions))
        .order_by(by_url)
        .limit(1)
    )
    row = (await conn.execute(stmt)).first()
    return (row[0], row[1], row[2]) if row is not None else None


async def _link_reused(
    conn: AsyncConnection, feed_id: int, found: tuple[int, str | None, str], title: str
) -> bool:
    """True when this feed already gave the article's link to an item with another title.

    Some feeds link every item to one page (a home page, a podcast page): there the link says
    nothing about the item. A feed that changes an item's guid keeps its title, so a title
    match still counts as the same story.
    """
    if same_title(found[2], title):
        return False
    stmt = select(FeedEntry.id).where(
        FeedEntry.feed_id == feed_id, FeedEntry.article_id == found[0]
    )
    return (await conn.scalar(stmt.limit(1))) is not None


async def _known(conn: AsyncConnection, feed_id: int, keys: Iterable[str]) -> set[str]:
    by_hash = {key_hash(key): key for key in keys}
    known: set[str] = set()
    for part in chunks(list(by_hash)):
        stmt = select(FeedEntry.key_hash).where(
            FeedEntry.feed_id == feed_id, FeedEntry.key_hash.in_(part)
        )
        known.update(by_hash[h] for h in (await conn.scalars(stmt)))
    return known


async def _active_subscriptions(conn: AsyncConnection, feed_id: int) -> list[SubscriptionRow]:
    stmt = subscription_select().where(
        Subscription.feed_id == feed_id, Subscription.paused_reason.is_(None)
    )
    return [subscription_row(m) for m in (await conn.execute(stmt)).mappings()]
