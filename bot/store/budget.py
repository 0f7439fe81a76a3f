"""A bounded first stage: which words of a query the full-text index ranks, and from which id.

SQLite: ranking a match costs the same as finding it (FTS5 ``bm25()`` reads the index only), and
FTS5 ranks every article a query matches before any ``LIMIT`` applies. So a question's cost is
held to ``budget`` matching articles however large the archive: words are counted only up to the
budget (counting stops there), the rarest are taken while their matches fit in it, and when even
the rarest word matches more, only its ``budget`` newest articles are ranked.

PostgreSQL: finding a match costs one heap visit, ranking it reads its tsvector (stored apart,
TOAST: several times that), and a word's whole GIN posting list is read to find any of them.
So the statistics pick the words (a word not among the ~1,000 commonest lexemes they list is
rarer than all of those), the rarest are taken while their expected matches fit in ``budget``,
each is searched for its ``cap`` newest matches at most (a common word only among the newest
articles its share says hold about ``cap`` of it), the matches are scored from the index alone
(the idf of the words each holds), and only a short list of the best is ranked with
``ts_rank_cd`` (``bot.store.search``). Both settings were chosen by 5-fold validation on a
100,000-article archive (``benchmarks/archive_validate.py``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal_column, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.digest.fold import fold
from bot.digest.stem import spellings

log = logging.getLogger(__name__)

BUDGET = 10_000  # matching articles ranked per question, at most: the cost of a question
# PostgreSQL: the words' expected matches (each read from the GIN index), and how many of
# each word's newest matches are found (one heap visit each) and scored from the index alone.
PG_BUDGET = 40_000
PG_CAP = 100
PG_EVERY = 2_000  # /search: articles holding every word ranked with ts_rank_cd, the newest


# PostgreSQL's text search configuration: English stemming, accents folded (migration 0017).
PG_CONFIG = "briefing"


def fts5_phrase(term: str) -> str:
    """``term`` as an FTS5 query, accents folded as the index's triggers fold them (migration
    0017): a quoted word (terms hold no quotes) is never syntax; a word with another English
    spelling is asked for with it ("colour" OR "color"), which the index does not stem alike.
    Join several with AND or OR: FTS5 takes no bare space beside a parenthesis."""
    forms = [f'"{fold(form)}"' for form in spellings(term)]
    return forms[0] if len(forms) == 1 else f"({' OR '.join(forms)})"


def default_budget(*, postgres: bool) -> int:
    """The budget of matching articles a question may rank on this engine."""
    return PG_BUDGET if postgres else BUDGET


@dataclass(frozen=True, slots=True)
class Plan:
    """What the full-text index is asked: these words, in articles with an id from ``floor``."""

    terms: list[str]
    floor: int | None = None  # the lowest article id ranked (None: every match)
    complete: bool = True  # every word of the query matches some article
    # PostgreSQL: matches found per word, at most, from each word's floor (its newest matches);
    # how many articles the statistics count, and hold each word (0: fewer than they list).
    cap: int | None = None
    articles: int = 0
    floors: tuple[int, ...] = ()
    expected: tuple[float, ...] = ()


async def plan(
    conn: AsyncConnection,
    terms: list[str],
    *,
    budget: int | None,
    postgres: bool,
    cap: int | None = None,
) -> Plan:
    """The rarest ``terms`` whose matches fit in ``budget`` (at least the rarest that matches),
    and the id floor that keeps the ranking within budget; no terms when none matches. On
    PostgreSQL each word's newest ``cap`` matches at most are found (``PG_CAP``, or ``budget``
    when smaller)."""
    budget = budget or default_budget(postgres=postgres)
    if postgres:
        return await _pg_plan(conn, terms, budget, min(cap or PG_CAP, budget))
    counts = await capped_counts(conn, terms, budget + 1)
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
    floor = await newest_floor(conn, chosen[0], budget)
    return Plan(chosen, floor, complete)


async def capped_counts(conn: AsyncConnection, terms: list[str], cap: int) -> dict[str, int]:
    """How many articles hold each term (SQLite), counted up to ``cap`` (one statement, bounded
    work)."""
    if not terms:
        return {}
    sql = " UNION ALL ".join(_SQLITE_COUNT.format(i=i) for i in range(len(terms)))
    params: dict[str, object] = {f"w{i}": fts5_phrase(t) for i, t in enumerate(terms)}
    rows = await conn.execute(text(sql), {**params, "cap": cap})
    counts = dict.fromkeys(terms, 0)
    for i, found in rows:
        counts[terms[int(i)]] = int(found)
    return counts


async def _pg_plan(conn: AsyncConnection, terms: list[str], budget: int, cap: int) -> Plan:
    """The rarest words whose expected matches fit in ``budget`` (at least the rarest), each
    searched for its ``cap`` newest matches at most: from the floor below which a word the
    statistics list as common is expected to hold no more than that, everywhere for a rarer
    one."""
    # A word is asked for in each of its spellings (pg_query): its share is theirs summed.
    forms = {term: spellings(term) for term in terms}
    asked = list(dict.fromkeys(form for term in terms for form in forms[term]))
    listed: dict[str, float | None] = {}
    rows, top, least = 0.0, 0, 0.0
    for word, lexeme, share, smallest, count, newest in await conn.execute(
        _PG_SHARES, {"words": asked}
    ):
        rows, top, least = max(float(count or 0), 0.0), int(newest or 0), float(smallest or 0.0)
        if lexeme:  # else a stop word: it matches nothing
            listed[word] = share
    found = []
    for n, term in enumerate(terms):
        shares = [listed[form] for form in forms[term] if form in listed]
        if not shares:
            continue
        counted = [x for x in shares if x is not None]
        share = sum(counted) if counted else None
        # Not listed: rarer than the least common listed lexeme (PostgreSQL's own planner
        # takes half its share).
        guess = sum(least / 2 if x is None else x for x in shares)
        floor = _floor(top, cap, share)
        found.append((guess * rows, n, term, floor, (share or 0.0) * rows))
    found.sort()
    chosen: list[tuple[str, int, float]] = []
    total = 0.0
    for expected, _, word, floor, known in found:
        if chosen and total + expected > budget:
            break
        chosen.append((word, floor, known))
        total += expected
    floors = tuple(f for _, f, _ in chosen)
    # Every word at once (/search): among the rarest word's newest matches.
    limit = every_cap(budget)
    every = _floor(top, limit, chosen[0][2] / rows) if chosen and chosen[0][2] else 0
    return Plan(
        [w for w, _, _ in chosen],
        every or None,
        complete=len(found) == len(terms),
        cap=cap,
        articles=int(rows),
        floors=floors,
        expected=tuple(k for _, _, k in chosen),
    )


def other_spellings(term: str) -> str:
    """``term``'s other English spellings as ``websearch_to_tsquery`` reads alternatives
    ("color" for "colour"; "" for none): words of a fixed table, never the user's syntax."""
    return " or ".join(spellings(term)[1:])


def pg_query(word: Any, others: Any) -> Any:
    """PostgreSQL's tsquery for a word or any of its other spellings (:func:`other_spellings`;
    the ``english`` stemmer keeps them apart): of values, or of a statement's columns."""
    config: Any = literal_column(f"'{PG_CONFIG}'")
    query = func.plainto_tsquery(config, word, type_=TSQUERY)
    if isinstance(others, str) and not others:
        return query
    either = query.op("||", return_type=TSQUERY)(
        func.websearch_to_tsquery(config, others, type_=TSQUERY)
    )
    return either if isinstance(others, str) else case((others == "", query), else_=either)


def every_cap(budget: int | None) -> int:
    """PostgreSQL: how many of the newest articles holding every word of a query are ranked."""
    return min(PG_EVERY, budget or PG_BUDGET)


def _floor(newest: int, cap: int, share: float | None) -> int:
    """The lowest id among the newest articles expected to hold ``cap`` articles of a word
    holding ``share`` of them (0: every article, for a word the statistics do not list)."""
    span = math.ceil(cap / share) if share else 0
    return newest - span + 1 if 0 < span < newest else 0


async def newest_floor(conn: AsyncConnection, term: str, budget: int) -> int:
    """The id of the ``budget``-th newest article holding ``term`` (SQLite): ranking from it on
    ranks ``budget`` articles (the newest: what a news archive is asked about)."""
    found = await conn.scalar(text(_SQLITE_FLOOR), {"w": fts5_phrase(term), "skip": budget - 1})
    return int(found or 0)


_SQLITE_COUNT = (
    "SELECT {i}, (SELECT count(*) FROM (SELECT 1 FROM articles_fts "
    "WHERE articles_fts MATCH :w{i} LIMIT :cap))"
)
# The share of articles holding each word's lexeme, from the commonest lexemes the statistics
# list (a word not listed is rare); the article count and the newest id, for the floors. It
# also turns sequential scans off for the rest of the transaction (the search that follows),
# with no statement of its own: the planner prices testing a row's tsvector like any
# comparison, so it would scan whole tables where reading them (each tsvector stored apart,
# TOAST) costs far more than the GIN index.
_PG_SHARES = text(f"""
    WITH index_only AS MATERIALIZED (SELECT set_config('enable_seqscan', 'off', true)),
    stats AS (
        SELECT most_common_elems::text::text[] AS lexemes, most_common_elem_freqs AS shares
        FROM pg_stats
        WHERE schemaname = current_schema() AND tablename = 'articles'
          AND attname = 'search_vector'
    )
    SELECT w.word, w.lexeme, s.share,
           (SELECT shares[array_length(lexemes, 1) + 1] FROM stats) AS least,
           (SELECT reltuples FROM pg_class
            WHERE oid = to_regclass(quote_ident(current_schema()) || '.articles')) AS rows,
           (SELECT max(id) FROM articles) AS newest
    FROM (
        SELECT word, array_to_string(tsvector_to_array(to_tsvector('{PG_CONFIG}', word)), ' ')
        FROM unnest(CAST(:words AS text[])) AS t(word)
    ) AS w(word, lexeme)
    LEFT JOIN (
        SELECT u.lexeme, u.share FROM stats, unnest(lexemes, shares) AS u(lexeme, share)
    ) AS s ON s.lexeme = w.lexeme
    CROSS JOIN index_only
""")
_SQLITE_FLOOR = (
    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :w "
    "ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
)
