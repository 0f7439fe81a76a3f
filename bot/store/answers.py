"""The answer index's rows: each article's analysis for /ask, written once, shared by processes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import postings
from bot.store.base import StoreBase, chunks
from bot.store.rows import AnswerDocRow
from bot.store.tables import AnswerDoc, Article

log = logging.getLogger(__name__)


class AnswersMixin(StoreBase):
    """The answer-index part of :class:`~bot.store.Store`."""

    async def last_answer_doc_id(self) -> int:
        """The highest article id with a stored analysis (0 when none): where analysis resumes."""
        async with self._db.read() as conn:
            found = await conn.scalar(select(func.max(AnswerDoc.article_id)))
        return int(found or 0)

    async def save_answer_docs(self, docs: Sequence[AnswerDocRow]) -> None:
        """Store articles' analyses and their postings, replacing older ones; then forget the
        postings of articles stored before the horizon (``bot.store.postings``)."""
        if not docs:
            return
        stmt = pg_insert(AnswerDoc) if self._db.is_postgres else sqlite_insert(AnswerDoc)
        stmt = stmt.on_conflict_do_update(
            index_elements=[AnswerDoc.article_id],
            set_={"text_hash": stmt.excluded.text_hash, "data": stmt.excluded.data},
        )
        postgres = self._db.is_postgres
        docs = sorted(docs, key=lambda d: d.article_id)
        async with self._db.write() as conn:
            # One writer of analyses at a time (PostgreSQL; SQLite's are already): concurrent
            # catch-ups would otherwise wait on each other's rows in opposite orders.
            await postings.lock(conn, postgres=postgres)
            for part in chunks(docs):
                rows = [
                    {"article_id": d.article_id, "text_hash": d.text_hash, "data": d.data}
                    for d in part
                ]
                await conn.execute(stmt, rows)
            # Postings only for articles stored or published within the horizon (a re-analysis
            # of the whole archive writes none for the older ones).
            floor, cut = await self._horizon(conn)
            await postings.replace(conn, docs, floor=floor, cut=cut, postgres=postgres)
        await self.prune_postings()

    async def prune_postings(self) -> int:
        """Forget the postings of articles stored and published before the horizon; returns
        how many."""
        pruned, after = 0, 0
        while True:
            async with self._db.write() as conn:
                floor, cut = await self._horizon(conn)
                done, last = await postings.prune(
                    conn, floor, cut, after=after, postgres=self._db.is_postgres
                )
            pruned += done
            if last is None:
                return pruned
            after = last

    async def _horizon(self, conn: AsyncConnection) -> tuple[int, datetime]:
        """When the postings' horizon began, and the lowest id of the articles stored since
        (past every id when none was)."""
        cut = self._clock() - postings.HORIZON
        floor = await postings.horizon_floor(conn, cut)
        if floor is None:
            floor = 1 + int(await conn.scalar(select(func.max(Article.id))) or 0)
        return floor, cut

    async def answer_doc_count(self) -> int:
        """How many articles have a stored analysis."""
        async with self._db.read() as conn:
            return int(await conn.scalar(select(func.count()).select_from(AnswerDoc)) or 0)
