"""The answer index's rows: each article's analysis for /ask, written once, shared by processes."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import postings
from bot.store.base import CHUNK, StoreBase, chunks
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
            # Postings only for articles stored within the horizon (a re-analysis of the whole
            # archive writes none for the older ones).
            floor = await self._horizon_floor(conn)
            await postings.replace(conn, docs, floor=floor, postgres=postgres)
        await self.prune_postings()

    async def prune_postings(self) -> int:
        """Forget the postings of articles stored before the horizon; returns how many."""
        pruned = 0
        while True:
            async with self._db.write() as conn:
                floor = await self._horizon_floor(conn)
                done = await postings.prune(conn, floor, postgres=self._db.is_postgres)
            pruned += done
            if done < CHUNK:
                return pruned

    async def _horizon_floor(self, conn: AsyncConnection) -> int:
        """The lowest id of the articles stored within the postings' horizon (past every id
        when none was)."""
        floor = await postings.horizon_floor(conn, self._clock() - postings.HORIZON)
        if floor is None:
            return 1 + int(await conn.scalar(select(func.max(Article.id))) or 0)
        return floor

    async def answer_doc_count(self) -> int:
        """How many articles have a stored analysis."""
        async with self._db.read() as conn:
            return int(await conn.scalar(select(func.count()).select_from(AnswerDoc)) or 0)
