"""A bounded first stage: which words of a query the full-text index ranks, and from which id.

Ranking a match costs the same on both engines (FTS5 ``bm25()``, PostgreSQL ``ts_rank_cd``), and
both rank every article a query matches before any ``LIMIT`` applies. So a question's cost is
held to ``budget`` matching articles however large the archive: words are counted only up to the
budget (counting stops there), the rarest are taken while their matches fit in it, and when even
the rarest word matches more, only its ``budget`` newest articles are ranked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

BUDGET = 2000  # matching articles ranked per question, at most: the cost of a question


@dataclass(frozen=True, slots=True)
class Plan:
    """What the full-text index is asked: these words, in articles with an id from ``floor``."""

    terms: list[str]
    floor: int | None = None  # the lowest article id ranked (None: every match)
    complete: bool = True  # every word of the query matches some article


async def plan(conn: AsyncConnection, terms: list[str], *, budget: int, postgres: bool) -> Plan:
    """The rarest ``terms`` whose matches fit in ``budget`` (at least the rarest that matches),
    and the id floor that keeps the ranking within budget; no terms when none matches."""
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
    """How many articles hold each term, counted up to ``cap`` (one statement, bounded work)."""
    if not terms:
        return {}
    one = _PG_COUNT if postgres else _SQLITE_COUNT
    sql = " UNION ALL ".join(one.format(i=i) for i in range(len(terms)))
    params: dict[str, object] = {f"w{i}": _word(t, postgres) for i, t in enumerate(terms)}
    rows = await conn.execute(text(sql), {**params, "cap": cap})
    counts = dict.fromkeys(terms, 0)
    for i, found in rows:
        counts[terms[int(i)]] = int(found)
    return counts


async def newest_floor(conn: AsyncConnection, term: str, budget: int, *, postgres: bool) -> int:
    """The id of the ``budget``-th newest article holding ``term``: ranking from it on ranks
    ``budget`` articles (the newest: what a news archive is asked about)."""
    sql = _PG_FLOOR if postgres else _SQLITE_FLOOR
    found = await conn.scalar(text(sql), {"w": _word(term, postgres), "skip": budget - 1})
    return int(found or 0)


def _word(term: str, postgres: bool) -> str:
    # FTS5: a quoted string (the term has no quotes), never syntax; PostgreSQL: plain text.
    return term if postgres else f'"{term}"'


_SQLITE_COUNT = (
    "SELECT {i}, (SELECT count(*) FROM (SELECT 1 FROM articles_fts "
    "WHERE articles_fts MATCH :w{i} LIMIT :cap))"
)
_PG_COUNT = (
    "SELECT {i}, (SELECT count(*) FROM (SELECT 1 FROM articles "
    "WHERE search_vector @@ plainto_tsquery('english', :w{i}) LIMIT :cap) AS m)"
)
_SQLITE_FLOOR = (
    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :w "
    "ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
)
_PG_FLOOR = (
    "SELECT id FROM articles WHERE search_vector @@ plainto_tsquery('english', :w) "
    "ORDER BY id DESC LIMIT 1 OFFSET :skip"
)
