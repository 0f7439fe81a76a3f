"""``AnswerEngine``: quoted answers to questions about the articles Briefing has stored.

For the store, a question costs the same however large the archive: the answer index's postings
(``bot.store.postings``: each stem's best articles read in order), or the database's full-text
index (FTS5 bm25, PostgreSQL ts_rank_cd) for a window past their horizon, pick a few candidate
articles, whose analyses were stored once (``answer_docs``), and only their sentences are ranked.

Every answer is a verbatim sentence of a stored article with its source, so nothing is made up;
when no sentence covers enough of the question, the answer is an empty list ("nothing relevant").
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.answer.index import DocKey, DocRef, IndexedDoc, SentenceIndex
from bot.answer.rank import Params, Scored, rank, vocabulary
from bot.answer.stored import decode, encode, text_hash
from bot.answer.tokenize import question_terms, search_words
from bot.store.rows import AnswerDocRow

if TYPE_CHECKING:
    from bot.store import Store
    from bot.store.rows import AnswerCandidate, ArticleRow

log = logging.getLogger(__name__)

DEFAULT_TOP = 3
DEFAULT_DAYS = 7  # /ask's window when none is asked for (the command's default too)
CANDIDATES = 8  # articles per question whose sentences are ranked (benchmarks/archive_validate.py)
CATCH_UP_BATCH = 200
RECENT_LIMIT = 256  # analyses made at question time kept in memory, at most


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
    """Questions answered from a sentence index: one given (batches, tests) or, for the store,
    one built per question from the few articles the database's full-text index ranks first."""

    def __init__(
        self,
        params: Params | None = None,
        *,
        candidates: int = CANDIDATES,
        budget: int | None = None,
    ):
        self.params = params or Params()
        self.index = SentenceIndex()  # what add() fills: documents given directly
        self.candidates = candidates  # articles the full-text stage hands to the ranking
        self.budget = budget  # matching articles the full-text stage ranks (None: the store's)
        # Analyses made at question time (stored one missing or stale), most recent last.
        self._recent: OrderedDict[tuple[int, str], IndexedDoc] = OrderedDict()

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

    def _encode_rows(self, rows: Sequence[ArticleRow]) -> list[AnswerDocRow]:
        return [self.stored_row(row.id, row.title, row.text) for row in rows]

    def stored_row(self, article_id: int, title: str, text: str) -> AnswerDocRow:
        """One article's analysis as the store keeps it (what :meth:`catch_up` writes)."""
        doc = self.index.analyse(DocRef(article_id, title), text)
        return AnswerDocRow(
            article_id, text_hash(text), encode(doc), doc.doc_length, dict(doc.doc_tf)
        )

    async def catch_up(self, store: Store) -> int:
        """Analyse the articles stored since the last analysed one into the database's answer
        index (analyses and postings); returns how many. Any process may run it: the rows are
        shared."""
        added = 0
        while True:
            after = await store.last_answer_doc_id()
            rows = await store.articles_after(after, limit=CATCH_UP_BATCH)
            # Analysing costs ~2 ms an article: off the event loop.
            await store.save_answer_docs(await asyncio.to_thread(self._encode_rows, rows))
            added += len(rows)
            if len(rows) < CATCH_UP_BATCH:
                return added

    def answer(
        self, question: str, *, keys: Collection[DocKey] | None = None, top: int = DEFAULT_TOP
    ) -> list[Answer]:
        """Up to ``top`` sentences of the pool (``keys``, else every article) answering
        ``question``, best first; empty when nothing relevant was found."""
        return _best(rank(self.index, question, keys, self.params), top)

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
        """Answer from the guild's articles published or stored in the last ``days`` days
        (optionally one feed), as the guild's feeds show them."""
        found = await store.answer_candidates(
            search_words(question),
            stems=question_terms(question),
            guild_id=guild_id,
            feed_id=feed_id,
            since=now - timedelta(days=days),
            limit=self.candidates,
            budget=self.budget,
        )
        index = SentenceIndex()
        wanted = vocabulary(question)  # the index answers this question only
        missing = []
        for candidate in found:
            doc = self._stored(candidate, wanted)
            if doc is None:
                missing.append(candidate)
            else:
                index.insert(doc, wanted)
        if missing:  # stored before the last catch-up, or changed since
            for doc in await asyncio.to_thread(self._analyse, missing):
                index.insert(doc, wanted)
        return _best(rank(index, question, None, self.params), top)

    def _stored(self, c: AnswerCandidate, wanted: Collection[str]) -> IndexedDoc | None:
        ref = DocRef(c.id, c.title, c.url, c.published)
        if c.data is not None and c.text_hash == text_hash(c.text):
            return decode(ref, c.text, c.data, wanted)
        doc = self._recent.get((c.id, text_hash(c.text)))
        return None if doc is None else replace(doc, ref=ref)

    def _analyse(self, candidates: Sequence[AnswerCandidate]) -> list[IndexedDoc]:
        out = []
        for c in candidates:
            doc = self.index.analyse(DocRef(c.id, c.title, c.url, c.published), c.text)
            self._recent[(c.id, text_hash(c.text))] = doc
            out.append(doc)
        while len(self._recent) > RECENT_LIMIT:
            self._recent.popitem(last=False)
        return out


def _best(ranked: list[Scored], top: int) -> list[Answer]:
    out: list[Answer] = []
    seen: set[str] = set()
    for scored in ranked:
        answer = _answer(scored)
        if answer.text.lower() in seen:  # the same sentence carried by two articles
            continue
        seen.add(answer.text.lower())
        out.append(answer)
        if len(out) >= top:
            break
    return out


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
