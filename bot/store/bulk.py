"""Bulk subscription: thousands of feeds added and subscribed in one transaction (OPML import)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase, chunks, insert_ignore
from bot.store.filters import Filters
from bot.store.subscriptions import MODES
from bot.store.tables import Feed, Subscription

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BulkResult:
    """What :meth:`BulkMixin.subscribe_many` did."""

    feeds_created: int  # feeds new to the database (due for their first poll now)
    subscribed: int  # subscriptions created in the channel
    already_subscribed: int  # feeds the channel already had


class BulkMixin(StoreBase):
    """The bulk part of :class:`~bot.store.Store`."""

    async def subscribe_many(
        self,
        feeds: Sequence[tuple[str, str | None]],
        guild_id: int,
        channel_id: int,
        *,
        mode: str = "instant",
        added_by: int | None = None,
    ) -> BulkResult:
        """Add ``(url, title)`` feeds (normalised URLs) and subscribe the channel: all or nothing.

        Nothing is fetched: new feeds are due at once and the poller takes them from there
        (their first poll records the baseline, as for ``/feed add``).
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        titles: dict[str, str | None] = {}
        for url, title in feeds:
            titles.setdefault(url, title)  # the first title of a URL wins
        urls = list(titles)
        now = self._clock()
        async with self._db.write() as conn:
            ids = await _feed_ids(conn, urls)
            missing = [url for url in urls if url not in ids]
            if missing:
                values = [
                    {
                        "url": url,
                        "title": titles[url],
                        "next_poll_at": now,
                        "consecutive_failures": 0,
                        "baseline_done": False,
                        "created_at": now,
                    }
                    for url in missing
                ]
                await conn.execute(insert_ignore(self._db, Feed), values)
                ids.update(await _feed_ids(conn, missing))
            taken: set[int] = set()
            feed_ids = [ids[url] for url in urls]
            for id_part in chunks(feed_ids):
                subscribed = await conn.scalars(
                    select(Subscription.feed_id).where(
                        Subscription.channel_id == channel_id, Subscription.feed_id.in_(id_part)
                    )
                )
                taken.update(subscribed)
            filters = Filters().to_json()
            new = [
                {
                    "feed_id": feed_id,
                    "guild_id": guild_id,
                    "channel_id": channel_id,
                    "mode": mode,
                    "filters": filters,
                    "added_by": added_by,
                    "created_at": now,
                }
                for feed_id in feed_ids
                if feed_id not in taken
            ]
            if new:
                await conn.execute(insert_ignore(self._db, Subscription), new)
        return BulkResult(len(missing), len(new), len(taken))


async def _feed_ids(conn: AsyncConnection, urls: Sequence[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for part in chunks(urls):
        rows = await conn.execute(select(Feed.url, Feed.id).where(Feed.url.in_(part)))
        ids.update({row[0]: row[1] for row in rows})
    return ids
