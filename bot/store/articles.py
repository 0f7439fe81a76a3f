"""Articles: storing what feeds carry (deduplicated) with their outbox rows, and reading them.

Who decides what a reader sees: an article (one story) is shared by every feed that carries it,
found by canonical URL or content fingerprint. But a feed's own item (title, summary, link,
author, image) is kept on that feed's entry, and every read on behalf of a feed, a subscription
or a guild shows that feed's item (``FeedView``). Shared across feeds is only what Briefing
fetched itself from the article's URL (page text and its digest) or what two feeds agree on (the
same fingerprint); a feed whose own text differs from a shared feed-supplied text keeps its own
text and digest on its entry. So one feed can never choose the words another feed's subscribers
read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Article as ArticleModel
from bot.store.base import (
    FeedView,
    article_columns,
    article_row,
    fetch_articles,
    insert_ignore,
    scope,
    subscription_row,
    subscription_select,
)
from bot.store.batch import BatchMixin, delivery_values
from bot.store.changes import entry_hashes
from bot.store.filters import decide
from bot.store.linking import known_keys
from bot.store.rows import ArticleRow, FeedBatchItem, StoreResult, SubscriptionRow
from bot.store.tables import Article, Delivery, Subscription

log = logging.getLogger(__name__)


class ArticlesMixin(BatchMixin):
    """The articles part of :class:`~bot.store.Store`."""

    async def known_entry_keys(self, feed_id: int, keys: Iterable[str]) -> set[str]:
        """The entry ids among ``keys`` that this feed has already carried."""
        async with self._db.read() as conn:
            return {key for _, key in await known_keys(conn, ((feed_id, k) for k in keys))}

    async def entry_hashes(self, feed_id: int, keys: Iterable[str]) -> dict[str, str | None]:
        """The content hash of each entry among ``keys`` this feed carried (None: not kept)."""
        async with self._db.read() as conn:
            return await entry_hashes(conn, feed_id, keys)

    async def store_articles(
        self, feed_id: int, articles: Sequence[ArticleModel], *, deliver: bool
    ) -> StoreResult:
        """Store a feed's articles and, with ``deliver``, their outbox rows: one transaction.

        An article already stored under the same canonical URL or content fingerprint (the same
        story via another feed) is linked, not stored again; entry ids this feed already carried
        (or repeated in the batch) are skipped. Each active subscription of the feed whose
        filters accept an article gets one delivery per channel and article. A batch of one
        :meth:`~bot.store.batch.BatchMixin.store_feed_batch`.
        """
        item = FeedBatchItem(feed_id, articles, deliver)
        return (await self.store_feed_batch([item]))[feed_id]

    async def backfill(self, subscription_id: int, n: int) -> int:
        """Queue the newest ``n`` stored articles of the subscription's feed; returns how many."""
        if n <= 0:
            return 0
        now = self._clock()
        async with self._db.read() as conn:
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
            view = FeedView(feed_id=sub.feed_id)
            stmt = (
                view.join(select(*article_columns(view)))
                .order_by(Article.published.desc(), Article.id.desc())
                .limit(n)
            )
            rows = [article_row(r) for r in (await conn.execute(stmt)).mappings()]
        rows.reverse()  # oldest first, as they would have arrived
        texts = [(row.title, row.summary, row.text) for row in rows]
        picks = await asyncio.to_thread(decide, [sub.filters], texts)
        created = 0
        async with self._db.write() as conn:
            for row, pick in zip(rows, picks, strict=True):
                if pick:
                    created += await self._add_delivery(conn, row.id, sub, now) is not None
        return created

    async def get_article(
        self, article_id: int, *, guild_id: int | None = None, feed_id: int | None = None
    ) -> ArticleRow | None:
        """A stored article with its digest, as the guild's (or the feed's) feed shows it."""
        if guild_id is None and feed_id is None:
            async with self._db.read() as conn:
                return (await fetch_articles(conn, [article_id])).get(article_id)
        view = FeedView(guild_id, feed_id)
        stmt = view.join(select(*article_columns(view))).where(Article.id == article_id)
        async with self._db.read() as conn:
            m = (await conn.execute(stmt)).mappings().first()
            if m is None:  # no feed of the guild carries it (any more): the shared article
                return (await fetch_articles(conn, [article_id])).get(article_id)
        return article_row(m)

    async def recent_articles(
        self,
        guild_id: int | None,
        *,
        since: datetime | None = None,
        feed_id: int | None = None,
        title_contains: str | None = None,
        limit: int = 100,
    ) -> list[ArticleRow]:
        """Articles of the guild's feeds (all feeds when ``guild_id`` is None), newest first.

        Each is shown as the feed (else the guild's first feed carrying it) shows it.
        """
        view = FeedView(guild_id, feed_id)
        stmt = view.join(select(*article_columns(view))).where(*scope(guild_id, feed_id, since))
        if title_contains:
            title = view.expression("title")
            stmt = stmt.where(title.icontains(title_contains, autoescape=True))
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

    async def _add_delivery(
        self, conn: AsyncConnection, article_id: int, sub: SubscriptionRow, now: datetime
    ) -> int | None:
        """Queue an article for a subscription's channel; None when the channel already has it."""
        values = delivery_values(article_id, sub, now)
        stmt = insert_ignore(self._db, Delivery).returning(Delivery.id)
        delivery_id: int | None = await conn.scalar(stmt, values)
        return delivery_id
