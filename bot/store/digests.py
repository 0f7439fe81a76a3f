"""Digests made after the fact: a first poll stores its backlog undigested (JSON null).

A feed's first poll records what it already holds without posting it; those items keep their
feed text (searchable) and get their digest when first asked for, or from a background pass
(``bot.backlog``). The digest is written back only while the article still has the text it
was made from and no digest yet, so a late write never replaces a newer one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Text, bindparam, cast, func, select, update

from bot.models import Digest
from bot.store.base import StoreBase
from bot.store.tables import Article

log = logging.getLogger(__name__)


class Undigested(NamedTuple):
    """An article stored without its digest: what making one needs."""

    id: int
    title: str
    text: str


def _pending() -> Any:
    """True for an article whose digest is still to be made (stored as JSON null)."""
    return cast(Article.digest, Text) == "null"


class DigestsMixin(StoreBase):
    """The after-the-fact digests part of :class:`~bot.store.Store`."""

    async def undigested_articles(
        self, *, after: int = 0, limit: int = 100, scan: int = 2000
    ) -> tuple[list[Undigested], int]:
        """Up to ``limit`` undigested articles among the ``scan`` ids after ``after``.

        Returns them (oldest id first) and the id to continue from; that id is the newest
        article's once the scan has reached it. One primary-key range per call, whatever the
        archive's size.
        """
        upper = after + scan
        stmt = (
            select(Article.id, Article.title, Article.text)
            .where(Article.id > after, Article.id <= upper, _pending())
            .order_by(Article.id)
            .limit(limit)
        )
        async with self._db.read() as conn:
            found = [Undigested(*row) for row in await conn.execute(stmt)]
            newest = await conn.scalar(select(func.max(Article.id))) or 0
        if len(found) == limit:
            return found, found[-1].id
        return found, min(upper, max(newest, after))

    async def save_digests(self, made: Sequence[tuple[int, str, Digest]]) -> None:
        """Store ``(article id, text digested, digest)``s, in one statement.

        An article whose text changed since, or that got its digest meanwhile, is left alone.
        """
        if not made:
            return
        stmt = (
            update(Article)
            .where(
                Article.id == bindparam("d_id", type_=Article.id.type),
                Article.text == bindparam("d_text", type_=Article.text.type),
                _pending(),
            )
            .values(
                digest=bindparam("d_digest", type_=Article.digest.type),
                language=bindparam("d_language", type_=Article.language.type),
            )
            .execution_options(synchronize_session=False)
        )
        params = [
            {"d_id": i, "d_text": text, "d_digest": d.to_dict(), "d_language": d.language}
            for i, text, d in made
        ]
        async with self._db.write() as conn:
            await conn.execute(stmt, params)
