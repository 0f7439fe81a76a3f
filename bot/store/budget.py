"""A bounded first stage: which words of a query the full-text index ranks, and from which id.

Ranking a match costs the same on both engines (FTS5 ``bm25()``, PostgreSQL ``ts_rank_cd``), and
both rank every article a query matches before any ``LIMIT`` applies. So a question's cost is
held to ``budget`` matching articles however large the archive: words are counted only up to the
budget (counting stops there; on PostgreSQL the planner's statistics estimate them), the rarest
are taken while their matches fit in it, and when even the rarest word matches more, only its
``budget`` newest articles are ranked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

BUDGET = 10_000  # matching articles ranked per question, at most: the cost of a question
# PostgreSQL reads each match's tsvector (stored apart) to rank it, ~10 times FTS5's cost a row.
PG_BUDGET = 2_000


def default_budget(*, postgres: bool) -> int:
    """The budget of matching articles a question may rank on this engine."""
    return PG_BUDGET if postgres else BUDGET


@dataclass(frozen=True, slots=True)
class Plan:
    """What the full-text index is asked: these words, in articles with an id from ``floor``."""

    terms: list[str]
    floor: int | None = None  # the lowest article id ranked (None: every match)
    complete: bool = True  # every word of the query matches some article


async def plan(
    conn: AsyncConnection, terms: list[str], *, budget: int | None, postgres: bool
) -> Plan:
    """The rarest ``terms`` whose matches fit in ``budget`` (at least the rarest that matches),
    and the id floor that keeps the ranking within budget; no terms when none matches."""
    budget = budget or default_budget(postgres=postgres)
    counts = await capped_counts(conn, terms, budget + 1, postgres=postgres)
    present = sorted((t for t in terms if counts[t]), key=lambda t: (counts[t], terms.index(t)))
    chosen: list[str] = []
    total = 0
    for term in present:
        if chosen and total + counts[term] > budget:
            break
        chosen.append(term)
        total += counts[term]
    complete = len(present) == len(terms)
    if total <= budget:
        return Plan(chosen, None, complete)
    floor = await newest_floor(conn, chosen[0], budget, postgres=postgres)
    return Plan(chosen, floor, complete)


async def capped_counts(
    conn: AsyncConnection, terms: list[str], cap: int, *, postgres: bool
) -> dict[str, int]:
    """How many articles hold each term, counted up to ``cap`` (one statement, bounded work);
    PostgreSQL's are the planner's estimates, which cost no reading of articles at all."""
    if not terms:
        return {}
    if postgres:
        return await _estimated_counts(conn, terms, cap)
    sql = " UNION ALL ".join(_SQLITE_COUNT.format(i=i) for i in range(len(terms)))
    params: dict[str, object] = {f"w{i}": f'"{t}"' for i, t in enumerate(terms)}
    rows = await conn.execute(text(sql), {**params, "cap": cap})
    counts = dict.fromkeys(terms, 0)
    for i, found in rows:
        counts[terms[int(i)]] = int(found)
    return counts


async def _estimated_counts(conn: AsyncConnection, terms: list[str], cap: int) -> dict[str, int]:
    # Counting on PostgreSQL visits every matching row's page (GIN has no index-only scans):
    # the statistics list the commonest lexemes with the share of rows holding them instead; a
    # word not listed is rare, one the stemmer drops (a stop word) matches nothing.
    counts = {}
    for word, lexeme, share, rows in await conn.execute(_PG_SHARES, {"words": terms}):
        if not lexeme:
            counts[word] = 0
        else:
            counts[word] = min(cap, max(1, round((share or 0.0) * max(rows, 0))))
    return counts


async def newest_floor(conn: AsyncConnection, term: str, budget: int, *, postgres: bool) -> int:
    """The id of the ``budget``-th newest article holding ``term``: ranking from it on ranks
    ``budget`` articles (the newest: what a news archive is asked about)."""
    sql = _PG_FLOOR if postgres else _SQLITE_FLOOR
    # FTS5: a quoted string (the term has no quotes), never syntax; PostgreSQL: plain text.
    word = term if postgres else f'"{term}"'
    found = await conn.scalar(text(sql), {"w": word, "skip": budget - 1})
    return int(found or 0)


_SQLITE_COUNT = (
    "SELECT {i}, (SELECT count(*) FROM (SELECT 1 FROM articles_fts "
    "WHERE articles_fts MATCH :w{i} LIMIT :cap))"
)
_PG_SHARES = text("""
    SELECT w.word, w.lexeme, s.share,
           (SELECT reltuples FROM pg_class
            WHERE oid = to_regclass(quote_ident(current_schema()) || '.articles')) AS rows
    FROM (
        SELECT word, array_to_string(tsvector_to_array(to_tsvector('english', word)), ' ')
        FROM unnest(CAST(:words AS text[])) AS t(word)
    ) AS w(word, lexeme)
    LEFT JOIN (
        SELECT u.lexeme, u.share
        FROM pg_stats,
             unnest(most_common_elems::text::text[], most_common_elem_freqs) AS u(lexeme, share)
        WHERE schemaname = current_schema() AND tablename = 'articles'
          AND attname = 'search_vector'
    ) AS s ON s.lexeme = w.lexeme
""")
_SQLITE_FLOOR = (
    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :w "
    "ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
)
_PG_FLOOR = (
    "SELECT id FROM articles WHERE search_vector @@ plainto_tsquery('english', :w) "
    "ORDER BY id DESC LIMIT 1 OFFSET :skip"
)
