"""Retention: old articles give back their space, without ever being posted again.

``entries.article_id`` is NOT NULL with ON DELETE CASCADE: deleting an article deletes the
record that its feed carried the entry, and a feed still carrying it would have it stored and
posted again. So an old article that a feed still links to is *stripped* (its text, the bulk
of the row, and its full-text body emptied; title, URL, fingerprint, key points kept, so neither
its entry nor its story is taken for new), and only articles no feed links to any more (their
feeds were removed) are deleted. Articles with posts still pending are left alone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import case, delete, exists, func, select, text, update

from bot.store import postings
from bot.store.base import CHUNK, StoreBase
from bot.store.tables import Article, Delivery, FeedEntry

log = logging.getLogger(__name__)

DEFAULT_RETENTION = timedelta(days=90)
PRUNED = "pruned"  # text_source of a stripped article
SUMMARY_KEPT = 280  # characters of the summary a stripped article keeps
# VACUUM (SQLite) once this share of the file is free pages: it rewrites the whole file.
VACUUM_FREE_SHARE = 0.25
VACUUM_MIN_FREE_PAGES = 256


class RetentionMixin(StoreBase):
    """Pruning, compaction and the liveness probe of :class:`~bot.store.Store`."""

    async def prune(
        self, older_than: timedelta = DEFAULT_RETENTION, *, compact: bool = True
    ) -> int:
        """Prune articles first seen more than ``older_than`` ago; returns how many.

        Batches of a few hundred articles, one transaction each, so the poller's writes
        interleave. With ``compact`` a SQLite file that is mostly free pages is vacuumed.
        """
        cutoff = self._clock() - older_than
        pruned = 0
        while True:
            done = await self._prune_batch(cutoff)
            pruned += done
            if done < CHUNK:
                break
        if pruned:
            log.info("retention: pruned %d articles first seen before %s", pruned, cutoff)
        if compact and pruned:
            await self.compact()
        return pruned

    async def _prune_batch(self, cutoff: datetime) -> int:
        pending = exists().where(Delivery.article_id == Article.id, Delivery.status == "pending")
        linked = exists().where(FeedEntry.article_id == Article.id)
        due = (
            select(Article.id, linked.label("linked"))
            .where(Article.first_seen < cutoff, Article.text_source != PRUNED, ~pending)
            .order_by(Article.id)
            .limit(CHUNK)
        )
        async with self._db.write() as conn:
            rows = (await conn.execute(due)).all()
            orphans = [article_id for article_id, is_linked in rows if not is_linked]
            kept = [article_id for article_id, is_linked in rows if is_linked]
            # Their postings (counted per stem) go first: /ask no longer finds them.
            await postings.drop(conn, [a for a, _ in rows], postgres=self._db.is_postgres)
            if orphans:
                # Their sent/failed deliveries go with them (ON DELETE CASCADE).
                await conn.execute(delete(Article).where(Article.id.in_(orphans)))
            if kept:
                await conn.execute(
                    update(Article)
                    .where(Article.id.in_(kept))
                    .values(
                        text="",
                        text_source=PRUNED,
                        extraction_note=None,
                        summary=func.substr(Article.summary, 1, SUMMARY_KEPT),
                    )
                )
                # A feed's own item goes the same way (its digest, like the article's, stays).
                await conn.execute(
                    update(FeedEntry)
                    .where(FeedEntry.article_id.in_(kept))
                    .values(
                        text=case((FeedEntry.text.is_(None), None), else_=""),
                        text_source=case((FeedEntry.text.is_(None), None), else_=PRUNED),
                        summary=func.substr(FeedEntry.summary, 1, SUMMARY_KEPT),
                    )
                )
        return len(rows)

    async def compact(self, *, force: bool = False) -> bool:
        """Merge SQLite's full-text index, then VACUUM when the file is mostly free pages.

        ``force`` vacuums anyway. Returns True when it vacuumed. PostgreSQL's autovacuum does
        this job there.
        """
        if self._db.is_postgres:
            return False
        async with self._db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            # The connection is in autocommit mode (no BEGIN issued): VACUUM may run.
            # FTS5 keeps deleted terms in its segments until they are merged.
            await driver.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
            pages = await _pragma(driver, "page_count")
            free = await _pragma(driver, "freelist_count")
            if not force and (free < VACUUM_MIN_FREE_PAGES or free < pages * VACUUM_FREE_SHARE):
                return False
            await driver.execute("VACUUM")
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log.info("retention: vacuumed the database (%d of %d pages were free)", free, pages)
        return True

    async def database_bytes(self) -> int | None:
        """The SQLite file's size in pages (free ones included), in bytes; None on PostgreSQL."""
        if self._db.is_postgres:
            return None
        async with self._db.read() as conn:
            pages = await conn.scalar(text("PRAGMA page_count"))
            size = await conn.scalar(text("PRAGMA page_size"))
        return int(pages or 0) * int(size or 0)

    async def ping(self) -> bool:
        """True when the database answers a trivial query (the health probe)."""
        async with self._db.read() as conn:
            return await conn.scalar(select(1)) == 1


async def _pragma(driver: object, name: str) -> int:
    cursor = await driver.execute(f"PRAGMA {name}")  # type: ignore[attr-defined]
    row = await cursor.fetchone()
    await cursor.close()
    return int(row[0]) if row else 0
