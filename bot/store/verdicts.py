"""What ingest decided and would otherwise leave no trace of: filter rejections, kept for explain.

A rejection is written in the same transaction as the entry it concerns, so ``/feed explain``
tells what the filters decided then, not what today's filters would decide.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import insert_ignore
from bot.store.engine import Database
from bot.store.linking import Link
from bot.store.rows import SubscriptionRow
from bot.store.tables import FilterVerdict

log = logging.getLogger(__name__)

# (feed id, entry id) -> subscription id -> why its filters turned the entry away
Rejected = dict[tuple[int, str], dict[int, str]]


async def insert_filter_verdicts(
    db: Database,
    conn: AsyncConnection,
    *,
    links: Sequence[Link],
    rejected: Rejected,
    subs: Mapping[int, SubscriptionRow],
    now: datetime,
) -> None:
    """Record each new entry's rejections by subscriptions still there (one statement)."""
    values: list[dict[str, Any]] = []
    for link in links:
        for sub_id, reason in sorted(
            rejected.get((link.feed_id, link.article.entry.id), {}).items()
        ):
            if sub_id in subs and link.story.id is not None:
                values.append(
                    {
                        "article_id": link.story.id,
                        "subscription_id": sub_id,
                        "reason": reason,
                        "created_at": now,
                    }
                )
    if values:
        await conn.execute(insert_ignore(db, FilterVerdict), values)
