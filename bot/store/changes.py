"""Changed items: a feed rewrote an item it had carried; its own view changes, edits are queued.

Only the feed's entry changes (its title, summary, link... and, when its text is the feed's,
its text and digest): the shared article is left as it is, so a feed never changes what another
feed's subscribers read. Each sent post of the article (an instant post, or its block of a
digest message) made for one of the feed's subscriptions that takes updates gets an edit queued
on its outbox row, at most one an hour:
a change while an edit waits is shown by that edit (it renders what is stored when it runs).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Article as ArticleModel
from bot.models import Entry
from bot.store.base import chunks
from bot.store.identity import key_hash
from bot.store.tables import Article, Delivery, FeedEntry, Subscription

log = logging.getLogger(__name__)

EDIT_EVERY = timedelta(hours=1)  # at most one edit of a message an hour


async def entry_hashes(
    conn: AsyncConnection, feed_id: int, keys: Iterable[str]
) -> dict[str, str | None]:
    """The content hash of each entry among ``keys`` the feed has carried (None: not recorded)."""
    by_hash = {key_hash(key): key for key in keys}
    found: dict[str, str | None] = {}
    for part in chunks(list(by_hash)):
        stmt = select(FeedEntry.key_hash, FeedEntry.content_hash).where(
            FeedEntry.feed_id == feed_id, FeedEntry.key_hash.in_(part)
        )
        for hashed, content in await conn.execute(stmt):
            found[by_hash[hashed]] = content
    return found


async def record_hashes(conn: AsyncConnection, feed_id: int, entries: Sequence[Entry]) -> None:
    """Record the content hash of entries stored before hashes were kept (no change implied)."""
    params = [
        {"b_key": key_hash(e.id), "b_hash": e.content_hash} for e in entries if e.content_hash
    ]
    if params:
        stmt = (
            update(FeedEntry)
            .where(FeedEntry.feed_id == feed_id, FeedEntry.key_hash == bindparam("b_key"))
            .values(content_hash=bindparam("b_hash"))
        )
        await conn.execute(stmt, params)


async def apply_changes(
    conn: AsyncConnection, feed_id: int, changed: Sequence[ArticleModel], now: datetime
) -> int:
    """Store the feed's changed items as its own and queue the edits; returns edits queued."""
    if not changed:
        return 0
    by_key = {key_hash(a.entry.id): a for a in changed}
    stmt = (
        select(FeedEntry.id, FeedEntry.key_hash, FeedEntry.article_id, FeedEntry.text)
        .add_columns(Article.text_source)
        .join(Article, Article.id == FeedEntry.article_id)
        .where(FeedEntry.feed_id == feed_id, FeedEntry.key_hash.in_(list(by_key)))
    )
    article_ids = []
    for entry_id, hashed, article_id, own_text, source in list(await conn.execute(stmt)):
        article = by_key[hashed]
        # A text Briefing fetched from the page stays; a feed's own text follows the feed.
        keep_text = own_text is None and source == "page"
        values = _entry_update(article, keep_text=keep_text)
        await conn.execute(update(FeedEntry).where(FeedEntry.id == entry_id).values(**values))
        article_ids.append(article_id)
    return await _queue_edits(conn, feed_id, article_ids, now)


def _entry_update(article: ArticleModel, *, keep_text: bool) -> dict[str, Any]:
    entry = article.entry
    values: dict[str, Any] = {
        "title": entry.title,
        "summary": entry.summary,
        "link": entry.link,
        "author": entry.author,
        "image_url": entry.image_url,
        "content_hash": entry.content_hash,
    }
    if not keep_text:
        values |= {
            "text": article.text,
            "text_source": article.text_source,
            "digest": None if article.digest is None else article.digest.to_dict(),
        }
    return values


async def _queue_edits(
    conn: AsyncConnection, feed_id: int, article_ids: Sequence[int], now: datetime
) -> int:
    """Queue an edit of each sent post (or digest message) of these articles for the feed."""
    queued = 0
    for part in chunks(list(article_ids)):
        stmt = (
            select(Delivery.id, Delivery.edit_due_at, Delivery.edited_at, Delivery.claimed_at)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(
                Delivery.article_id.in_(part),
                Subscription.feed_id == feed_id,
                Subscription.updates == true(),
                Delivery.status == "sent",
                Delivery.message_id.is_not(None),
            )
        )
        for row_id, due, edited, claimed in list(await conn.execute(stmt)):
            new_due = edit_due(now, due=due, edited_at=edited, in_flight=claimed is not None)
            if new_due != due:
                await conn.execute(
                    update(Delivery).where(Delivery.id == row_id).values(edit_due_at=new_due)
                )
                queued += 1
    return queued


def edit_due(
    now: datetime, *, due: datetime | None, edited_at: datetime | None, in_flight: bool
) -> datetime:
    """When a post whose item changed at ``now`` may be edited: at most one edit an hour.

    An edit already waiting shows this change too; one under way (claimed) showed the item
    before it, so the next is due an hour later.
    """
    if due is not None and in_flight:
        return max(due, now + EDIT_EVERY)
    if due is not None:
        return due
    if edited_at is not None:
        return max(now, edited_at + EDIT_EVERY)
    return now
