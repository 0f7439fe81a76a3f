"""PostgreSQL's first stage for any of a query's words, in one statement (see budget.py).

Finding a match in the GIN index costs a heap visit; ranking it with ``ts_rank_cd`` reads its
tsvector, stored apart (TOAST) and several times dearer. So each word's newest matches are found
and scored by the idf of the words each article holds, from the index alone, and only a short
list of the best is ranked with ``ts_rank_cd``: each word's rank times its idf, so a rare word
weighs more than a common one (``ts_rank_cd`` alone weighs every word of the query alike).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    true,
    union_all,
)

from bot.store.budget import pg_query
from bot.store.tables import Article

SHORTLIST = 200  # articles ranked with their tsvectors: the index's best by idf


def postgres_any(conditions: list[ColumnElement[bool]], shortlist: int) -> Any:
    """(id, relevance) of the articles holding any of the words, best first, in one statement:
    each word's newest matches in the window (``:cap`` at most, from its floor) from the GIN
    index, scored by the idf of the words each holds (no tsvector read: they are stored apart,
    TOAST), then the ``shortlist`` best ranked by each word's ``ts_rank_cd`` times its idf.
    The plan's values are bound at execution: ``:words`` (and ``:others``, their other
    spellings), ``:floors``, ``:expected``, ``:cap`` and ``:articles`` (see
    :class:`~bot.store.budget.Plan`)."""
    vector: Any = literal_column("articles.search_vector")
    unnest = func.unnest(
        bindparam("words", type_=ARRAY(Text)),
        bindparam("others", type_=ARRAY(Text)),
        bindparam("floors", type_=ARRAY(BigInteger)),
        bindparam("expected", type_=ARRAY(Float)),
    )
    listed = unnest.table_valued("word", "others", "floor", "expected", with_ordinality="i")
    listed = listed.render_derived(name="listed")
    tsquery = pg_query(listed.c.word, listed.c.others)
    words = _materialized(
        select(listed.c.i, listed.c.floor, listed.c.expected, tsquery.label("query")), "words"
    )
    hits = _materialized(_newest_matches(words, conditions), "hits")
    # A word's idf from its matches counted in the index, or the statistics' share if more.
    counted = select(hits.c.i, func.count().label("n")).group_by(hits.c.i).subquery("counted")
    matched = func.greatest(cast(counted.c.n, Float), words.c.expected, 1.0)
    weight = func.ln(1.0 + bindparam("articles", type_=Float) / matched).label("weight")
    idf = _materialized(
        select(words.c.i, words.c.query, weight).join_from(
            words, counted, counted.c.i == words.c.i
        ),
        "idf",
    )
    score = func.sum(idf.c.weight)
    best = _materialized(
        select(hits.c.id, score.label("score"))
        .join_from(hits, idf, idf.c.i == hits.c.i)
        .group_by(hits.c.id)
        .order_by(score.desc(), hits.c.id.desc())
        .limit(shortlist),
        "best",
    )
    # Each shortlisted tsvector read and decompressed once, not once per word.
    read = select(best.c.id, vector.op("||")(literal_column("''::tsvector")).label("vector"))
    vectors = _materialized(read.join_from(best, Article, Article.id == best.c.id), "vectors")
    rank = func.ts_rank_cd(vectors.c.vector, idf.c.query, 1)
    relevance = select(func.sum(idf.c.weight * rank)).scalar_subquery().label("relevance")
    return select(vectors.c.id, relevance).order_by(relevance.desc())


def _newest_matches(words: Any, conditions: list[ColumnElement[bool]]) -> Any:
    """(word, article id) of each word's ``:cap`` newest matches, from the GIN index: a rare word
    (floor 0) from its matches alone, a common one from those at or above its floor (the index
    of ids then narrows them: for a rare word it would list every article)."""
    vector: Any = literal_column("articles.search_vector")
    parts = []
    for floored in (False, True):
        matches = select(Article.id).where(vector.bool_op("@@")(words.c.query), *conditions)
        if floored:
            matches = matches.where(Article.id >= words.c.floor)
        # Newest first (id + 0: never the primary key read backwards, testing every
        # article's tsvector on the way).
        newest = matches.order_by((Article.id + 0).desc())
        each = newest.limit(bindparam("cap", type_=Integer)).lateral()
        which = words.c.floor > 0 if floored else words.c.floor <= 0
        parts.append(select(words.c.i, each.c.id).join_from(words, each, true()).where(which))
    return union_all(*parts)


def _materialized(stmt: Any, name: str) -> Any:
    """``stmt`` as a CTE PostgreSQL computes once (never inlined into its users)."""
    return stmt.cte(name).prefix_with("MATERIALIZED")
