"""Full-text search over stored articles: SQLite FTS5 or PostgreSQL tsvector, one function.

User text never reaches either query language as syntax: it is cut into words, each quoted (FTS5)
or passed through ``plainto_tsquery`` (PostgreSQL), so ``"``, ``*``, ``NEAR(``, ``AND OR`` or
unbalanced parentheses can only ever be searched for, never raise.

Both engines stem English (FTS5 ``porter`` tokenizer, PostgreSQL ``english`` configuration): a
search for "withdraw" finds "withdrawal". Most feeds are English; text in other languages is still
indexed word by word (the stemmer only trims English suffixes, identically at index and query
time), so it remains findable by its exact words.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from typing import Any

import regex
import Stemmer
from sqlalchemy import (
    ColumnElement,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import FeedView, StoreBase, scope
from bot.store.rows import AnswerCandidate, SearchHit
from bot.store.tables import AnswerDoc, Article

log = logging.getLogger(__name__)

MAX_TERMS = 32
FRESHNESS_HALF_LIFE = timedelta(days=7)
TITLE_WEIGHT = 4.0  # SQLite bm25 column weights; PostgreSQL weighs the title A, the text B
COMMON_SHARE = 0.05  # /ask's first stage leaves out words more of the articles hold,
COMMON_MIN = 200  # and more articles than this (a small archive is cheap to rank whole)
_PORTER = Stemmer.Stemmer("porter")
_TERM = regex.compile(r"[^\W_]+")  # letters and digits: what both tokenizers keep


def query_terms(query: str) -> list[str]:
    """The searchable words of a user's query, lower-cased, deduplicated, at most 32."""
    terms: list[str] = []
    for word in _TERM.findall(query.casefold()):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


class SearchMixin(StoreBase):
    """The search part of :class:`~bot.store.Store`."""

    async def search_articles(
        self,
        query: str,
        *,
        guild_id: int | None = None,
        feed_id: int | None = None,
        since: datetime | None = None,
        limit: int = 10,
    ) -> list[SearchHit]:
        """Articles matching every word of ``query`` (any word when none matches them all).

        Ranked by the engine's relevance times a freshness boost (up to x2 for an article
        published now, halving every 7 days); limited to the guild's feeds, one feed, and
        articles published or stored since ``since`` when given.
        """
        terms = query_terms(query)
        if not terms or limit <= 0:
            return []
        # Results show the item of the guild's (or the named) feed, never another feed's words.
        view = FeedView(guild_id, feed_id)
        conditions = window(guild_id, feed_id, since)
        pool = min(max(limit * 5, 50), 500)  # candidates re-ranked with freshness
        cols = _columns(view, "summary")
        async with self._db.read() as conn:
            rows = await self._candidates(conn, terms, True, conditions, pool, view=view, cols=cols)
            if not rows and len(terms) > 1:  # any word: the common ones would match the archive
                rare = await rare_terms(conn, terms, postgres=self._db.is_postgres)
                rows = await self._candidates(
                    conn, rare, False, conditions, pool, view=view, cols=cols
                )
        now = self._clock()
        hits = [_hit(m, now) for m in rows]
        hits.sort(key=lambda hit: (-hit.score, -hit.article_id))
        return hits[:limit]

    async def answer_candidates(
        self,
        words: list[str],
        *,
        guild_id: int | None = None,
        feed_id: int | None = None,
        since: datetime | None = None,
        limit: int = 24,
    ) -> list[AnswerCandidate]:
        """The ``limit`` articles the full-text index ranks best for any of ``words``, with
        their stored answer analysis: the first stage of /ask, as the guild's feeds show them."""
        terms = [t for t in query_terms(" ".join(words)) if len(t) > 1]  # not the s of "'s"
        if not terms or limit <= 0:
            return []
        view = FeedView(guild_id, feed_id)
        doc = AnswerDoc.__table__.c
        cols = [*_columns(view, "text"), doc.text_hash, doc.data]
        conditions = window(guild_id, feed_id, since)
        async with self._db.read() as conn:
            terms = await rare_terms(conn, terms, postgres=self._db.is_postgres)
            rows = await self._candidates(
                conn, terms, False, conditions, limit, view=view, cols=cols
            )
        return [
            AnswerCandidate(**{k: m[k] for k in AnswerCandidate.__dataclass_fields__}) for m in rows
        ]

    async def _candidates(
        self,
        conn: AsyncConnection,
        terms: list[str],
        match_all: bool,
        conditions: list[ColumnElement[bool]],
        pool: int,
        *,
        view: FeedView,
        cols: list[Any],
    ) -> list[Any]:
        # Ranked and cut to ``pool`` on the index alone; only those rows get the feed's view.
        build = _postgres if self._db.is_postgres else _sqlite
        ranked = build(terms, match_all, [Article.id]).where(*conditions).limit(pool).subquery()
        stmt = select(*cols, ranked.c.relevance).select_from(ranked)
        stmt = stmt.join(Article, Article.id == ranked.c.id)
        if any(getattr(c, "table", None) is AnswerDoc.__table__ for c in cols):
            stmt = stmt.outerjoin(AnswerDoc, AnswerDoc.article_id == Article.id)
        stmt = view.join(stmt).order_by(ranked.c.relevance.desc(), Article.id.desc())
        return list((await conn.execute(stmt)).mappings())


async def rare_terms(conn: AsyncConnection, terms: list[str], *, postgres: bool) -> list[str]:
    """``terms`` minus those held by more than COMMON_SHARE of the articles (and COMMON_MIN):
    they would bring much of the archive into the ranking and weigh little in it."""
    total = await conn.scalar(select(func.max(Article.id))) or 0
    docs = await (_pg_docs if postgres else _sqlite_docs)(conn, terms, total)
    limit = max(COMMON_SHARE * total, COMMON_MIN)
    rare = [t for t in terms if docs[t] <= limit]
    if not any(docs[t] for t in rare):  # what is left matches nothing: add the rarest that does
        present = [t for t in terms if docs[t]]
        rare += [min(present, key=lambda t: (docs[t], t))] if present else []
    return rare or terms


async def _sqlite_docs(conn: AsyncConnection, terms: list[str], total: int) -> dict[str, float]:
    stems = dict(zip(terms, _PORTER.stemWords(terms), strict=True))  # as FTS5's porter indexes
    vocab = text("SELECT term, doc FROM articles_fts_vocab WHERE term IN :stems")
    vocab = vocab.bindparams(bindparam("stems", expanding=True))
    found = await conn.execute(vocab, {"stems": sorted(set(stems.values()))})
    docs: dict[str, int] = {str(row[0]): int(row[1]) for row in found}
    return {t: float(docs.get(stem, 0)) for t, stem in stems.items()}


async def _pg_docs(conn: AsyncConnection, terms: list[str], total: int) -> dict[str, float]:
    # The planner's statistics list the commonest lexemes with the share of rows holding them;
    # a word not listed is taken as rare and present.
    rows = await conn.execute(_PG_SHARES, {"words": terms})
    return {word: share * total if share else 1.0 for word, share in rows}


_PG_SHARES = text("""
    SELECT w.word, s.share
    FROM unnest(CAST(:words AS text[])) AS w(word)
    LEFT JOIN (
        SELECT u.lexeme, u.share
        FROM pg_stats,
             unnest(most_common_elems::text::text[], most_common_elem_freqs) AS u(lexeme, share)
        WHERE schemaname = current_schema() AND tablename = 'articles'
          AND attname = 'search_vector'
    ) AS s ON s.lexeme = array_to_string(tsvector_to_array(to_tsvector('english', w.word)), ' ')
""")


def window(
    guild_id: int | None, feed_id: int | None, since: datetime | None
) -> list[ColumnElement[bool]]:
    """Articles of the guild's feeds (or one feed) published or stored since ``since``: an
    article stored a minute ago is recent, whenever its feed says it was published."""
    conditions = scope(guild_id, feed_id)
    if since is not None:
        conditions.append(or_(Article.published >= since, Article.first_seen >= since))
    return conditions


def _columns(view: FeedView, body: str) -> list[Any]:
    return [view.column(name) for name in ("id", "title", "url", "published", body)]


def _sqlite(terms: list[str], match_all: bool, cols: list[Any]) -> Any:
    # Quoted FTS5 strings: the words cannot contain quotes, so nothing is ever syntax.
    match = (" " if match_all else " OR ").join(f'"{term}"' for term in terms)
    fts = table("articles_fts", column("rowid"))
    rank = func.bm25(literal_column("articles_fts"), TITLE_WEIGHT, 1.0)
    return (
        select(*cols, (-rank).label("relevance"))
        .select_from(fts)
        .join(Article, Article.id == fts.c.rowid)
        .where(text("articles_fts MATCH :match").bindparams(match=match))
        .order_by(rank)
    )


def _postgres(terms: list[str], match_all: bool, cols: list[Any]) -> Any:
    def tsquery(words: str) -> Any:
        """A tsquery of plain words: ``plainto_tsquery`` never fails on any input."""
        return func.plainto_tsquery(literal_column("'english'"), words)

    if match_all:
        query = tsquery(" ".join(terms))
    else:
        query = functools.reduce(lambda a, b: a.op("||")(b), [tsquery(t) for t in terms])
    vector: Any = literal_column("articles.search_vector")
    # Normalisation 1: divide by 1 + log(length), so long texts do not win by size alone.
    rank = func.ts_rank_cd(vector, query, 1)
    return (
        select(*cols, rank.label("relevance"))
        .where(vector.bool_op("@@")(query))
        .order_by(rank.desc())
    )


def _hit(m: Any, now: datetime) -> SearchHit:
    relevance = float(m["relevance"])
    age = max((now - m["published"]) / FRESHNESS_HALF_LIFE, 0.0)
    return SearchHit(
        article_id=m["id"],
        title=m["title"],
        url=m["url"],
        published=m["published"],
        summary=m["summary"][:500],
        relevance=relevance,
        score=relevance * (1.0 + 0.5**age),
    )
