"""The answer index's rows: each article's analysis for /ask, written once, shared by processes."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.store.base import StoreBase, chunks
from bot.store.tables import AnswerDoc

log = logging.getLogger(__name__)


class AnswersMixin(StoreBase):
    """The answer-index part of :class:`~bot.store.Store`."""

    async def last_answer_doc_id(self) -> int:
        """The highest article id with a stored analysis (0 when none): where analysis resumes."""
        async with self._db.read() as conn:
            found = await conn.scalar(select(func.max(AnswerDoc.article_id)))
        return int(found or 0)

    async def save_answer_docs(self, docs: Sequence[tuple[int, str, str]]) -> None:
        """Store ``(article id, text hash, analysis)`` rows, replacing older analyses."""
        if not docs:
            return
        stmt = pg_insert(AnswerDoc) if self._db.is_postgres else sqlite_insert(AnswerDoc)
        stmt = stmt.on_conflict_do_update(
            index_elements=[AnswerDoc.article_id],
            set_={"text_hash": stmt.excluded.text_hash, "data": stmt.excluded.data},
        )
        async with self._db.write() as conn:
            for part in chunks(docs):
                rows = [{"article_id": a, "text_hash": h, "data": d} for a, h, d in part]
                await conn.execute(stmt, rows)

    async def answer_doc_count(self) -> int:
        """How many articles have a stored analysis."""
        async with self._db.read() as conn:
            return int(await conn.scalar(select(func.count()).select_from(AnswerDoc)) or 0)
