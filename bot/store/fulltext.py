"""The full-text indexes' ranked matches, one statement builder per engine and path.

SQLite ranks from FTS5 alone (``bm25()``, the title weighing ``TITLE_WEIGHT`` times the text).
PostgreSQL ranks with ``ts_rank_cd`` over the GIN index and the tsvectors: every word of a query
(/search), or any word among the newest articles (/ask's articles not analysed yet). Which
words and from which article id is the plan's (``bot.store.budget``); each word is asked for in
each of its English spellings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import column, func, literal_column, select, table, text

from bot.store.budget import PG_CONFIG, Plan, fts5_phrase, other_spellings, pg_query
from bot.store.tables import Article

TITLE_WEIGHT = 4.0  # SQLite bm25 column weights; PostgreSQL weighs the title A, the text B
_CONFIG: Any = literal_column(f"'{PG_CONFIG}'")  # PostgreSQL's text search configuration


def sqlite_matches(found: Plan, match_all: bool) -> Any:
    """(id, relevance) of the matches, best first, from the FTS5 index alone."""
    match = (" AND " if match_all else " OR ").join(fts5_phrase(term) for term in found.terms)
    fts = table("articles_fts", column("rowid"))
    relevance = (-func.bm25(literal_column("articles_fts"), TITLE_WEIGHT, 1.0)).label("relevance")
    stmt = (
        select(fts.c.rowid.label("id"), relevance)
        .where(text("articles_fts MATCH :match").bindparams(match=match))
        .order_by(relevance.desc())
    )
    # On the index's rowid: FTS5 then skips to the floor instead of filtering every match.
    return stmt if found.floor is None else stmt.where(fts.c.rowid >= found.floor)


def postgres_matches(found: Plan) -> Any:
    """(id, relevance) of the articles holding every word, best first, from the GIN index and
    the tsvectors."""
    # The words with one spelling in one bound value: a statement of the same shape for any
    # number of words, compiled once.
    others = {term: other_spellings(term) for term in found.terms}
    plain = [term for term in found.terms if not others[term]]
    query: Any = func.plainto_tsquery(_CONFIG, " ".join(plain))
    for term in found.terms:
        if others[term]:
            query = query.op("&&")(pg_query(term, others[term]))
    vector: Any = literal_column("articles.search_vector")
    # Normalisation 1: divide by 1 + log(length), so long texts do not win by size alone.
    relevance = func.ts_rank_cd(vector, query, 1).label("relevance")
    stmt = select(Article.id, relevance).where(vector.bool_op("@@")(query))
    if found.floor is not None:
        stmt = stmt.where(Article.id >= found.floor)
    if found.cap is not None:  # the newest matches only (id + 0: from the GIN index)
        newest = select(Article.id).where(vector.bool_op("@@")(query))
        newest = newest.where(Article.id >= (found.floor or 0))
        newest = newest.order_by((Article.id + 0).desc()).limit(found.cap)
        stmt = stmt.where(Article.id.in_(newest))
    return stmt.order_by(relevance.desc())


def postgres_tail(found: Plan) -> Any:
    """(id, relevance) of the articles from ``found.floor`` holding any of the words, best
    first: the few newest rows read by id, then their tsvectors tested (no GIN posting list,
    which lists the whole archive for a common word)."""
    assert found.floor is not None
    query: Any = None
    for term in found.terms:
        either = pg_query(term, other_spellings(term))
        query = either if query is None else query.op("||")(either)
    vector: Any = literal_column("articles.search_vector")
    newest = (
        select(Article.id).where(Article.id >= found.floor).cte("tail").prefix_with("MATERIALIZED")
    )
    relevance = func.ts_rank_cd(vector, query, 1).label("relevance")
    stmt = select(Article.id, relevance).join(newest, newest.c.id == Article.id)
    return stmt.where(vector.bool_op("@@")(query)).order_by(relevance.desc())
