"""``AnswerEngine``: quoted answers to questions about the articles Briefing has stored.

Every answer is a verbatim sentence of a stored article with its source, so nothing is made up;
when no sentence covers enough of the question, the answer is an empty list ("nothing relevant").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.answer.index import DocKey, DocRef, IndexedDoc, SentenceIndex
from bot.answer.rank import Params, Scored, rank

if TYPE_CHECKING:
    from bot.store import Store
    from bot.store.rows import ArticleRow

log = logging.getLogger(__name__)

DEFAULT_TOP = 3
DEFAULT_DAYS = 7
POOL_LIMIT = 200  # articles per question at most: the newest of the window
CATCH_UP_BATCH = 200


@dataclass(frozen=True, slots=True)
class Answer:
    """One quoted sentence and where it comes from."""

    text: str  # the sentence, whitespace runs collapsed
    article: DocRef
    sentence: int  # 0-based index among the article's sentences (as in KeyPoint.sentence)
    start: int  # character offsets of the sentence in the article's stored text
    end: int
    score: float
    coverage: float  # share of the question's (idf-weighted) terms the sentence and its
    # neighbours match


class AnswerEngine:
    """A sentence index kept up to date with the store, and questions answered from it."""

    def __init__(self, params: Params | None = None, *, retention: timedelta | None = None):
        self.params = params or Params()
        self.index = SentenceIndex()
        self.retention = retention  # articles published longer ago are dropped on catch-up

    def add(
        self,
        key: DocKey,
        title: str,
        text: str,
        *,
        link: str | None = None,
        published: datetime | None = None,
    ) -> None:
        """Index one article's text under ``key`` (re-indexing it when already there)."""
        self.index.add(DocRef(key, title, link, published), text)

    def add_row(self, row: ArticleRow) -> None:
        """Index one stored article."""
        self.index.add(DocRef(row.id, row.title, row.url, row.published), row.text)

    def _analyse_rows(self, rows: Sequence[ArticleRow]) -> list[IndexedDoc]:
        return [
            self.index.analyse(DocRef(row.id, row.title, row.url, row.published), row.text)
            for row in rows
        ]

    async def catch_up(self, store: Store, *, now: datetime | None = None) -> int:
        """Index the articles stored since the last call; returns how many were added."""
        added = 0
        while True:
            rows = await store.articles_after(self.index.last_article_id, limit=CATCH_UP_BATCH)
            keep = [
                row
                for row in rows
                if self.retention is None or now is None or row.published >= now - self.retention
            ]
            # Analysing costs ~2 ms an article: off the event loop; the index itself is only
            # ever changed here, on the loop.
            for doc in await asyncio.to_thread(self._analyse_rows, keep):
                self.index.insert(doc)
            added += len(keep)
            for row in rows:
                self.index.last_article_id = max(self.index.last_article_id, row.id)
            if len(rows) < CATCH_UP_BATCH:
                break
        if self.retention is not None and now is not None:
            self.index.remove_older(now - self.retention)
        return added

    def answer(
        self, question: str, *, keys: Collection[DocKey] | None = None, top: int = DEFAULT_TOP
    ) -> list[Answer]:
        """Up to ``top`` sentences of the pool (``keys``, else every article) answering
        ``question``, best first; empty when nothing relevant was found."""
        out: list[Answer] = []
        seen: set[str] = set()
        for scored in rank(self.index, question, keys, self.params):
            answer = _answer(scored)
            if answer.text.lower() in seen:  # the same sentence carried by two articles
                continue
            seen.add(answer.text.lower())
            out.append(answer)
            if len(out) >= top:
                break
        return out

    async def ask(
        self,
        store: Store,
        question: str,
        *,
        guild_id: int | None,
        feed_id: int | None = None,
        days: int = DEFAULT_DAYS,
        now: datetime,
        top: int = DEFAULT_TOP,
    ) -> list[Answer]:
        """Answer from the guild's articles of the last ``days`` days (optionally one feed)."""
        ids = await store.recent_article_ids(
            guild_id, since=now - timedelta(days=days), feed_id=feed_id, limit=POOL_LIMIT
        )
        for article_id in ids:
            if article_id not in self.index:  # stored after the last catch-up, or evicted
                row = await store.get_article(article_id)
                if row is not None:
                    self.add_row(row)
        return self.answer(question, keys=ids, top=top)


def _answer(scored: Scored) -> Answer:
    sentence = scored.doc.sentences[scored.position]
    return Answer(
        text=" ".join(sentence.text.split()),
        article=scored.doc.ref,
        sentence=sentence.index,
        start=sentence.start,
        end=sentence.end,
        score=scored.score,
        coverage=scored.coverage,
    )
