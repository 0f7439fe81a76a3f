"""Full-text search over stored articles: SQLite FTS5 or PostgreSQL tsvector, one function.

User text never reaches either query language as syntax: it is cut into words, each quoted (FTS5)
or passed through ``plainto_tsquery`` (PostgreSQL), so ``"``, ``*``, ``NEAR(``, ``AND OR`` or
unbalanced parentheses can only ever be searched for, never raise.

Both engines stem English (FTS5 ``porter`` tokenizer, PostgreSQL ``briefing`` configuration,
a copy of ``english``): a search for "withdraw" finds "withdrawal". Both ignore accents as
``bot.digest.fold`` drops them ("Lodz" finds "Łódź"; migration 0017). Neither stemmer meets
British and American spellings, so a word is asked for in each of its spellings ("colour" or
"color"; ``bot.digest.stem.spellings``), as /ask's stems meet them. Most feeds are English;
text in other languages is still indexed word by word (the stemmer only trims English suffixes,
identically at index and query time), so it remains findable by its exact words.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from datetime import datetime, timedelta
from typing import Any

import regex
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    bindparam,
    exists,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.digest import stop_words
from bot.store import postings
from bot.store.base import FeedView, StoreBase
from bot.store.budget import Plan, every_cap, other_spellings, plan
from bot.store.fulltext import postgres_matches, postgres_tail, sqlite_matches
from bot.store.pg_rank import SHORTLIST, postgres_any
from bot.store.rows import AnswerCandidate, SearchHit
from bot.store.tables import AnswerDoc, Article, FeedEntry, Subscription

log = logging.getLogger(__name__)

Since = datetime | ColumnElement[Any] | None

MAX_TERMS = 32
FRESHNESS_HALF_LIFE = timedelta(days=7)
WIDEN = 4  # the index's best pool x WIDEN rows are filtered by window and guild first
BACKLOG = 2_000  # articles not analysed yet past which /ask ranks with the full-text index
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
        budget: int | None = None,
    ) -> list[SearchHit]:
        """Articles matching every word of ``query`` but stop words ("the", "what"), or any
        word when none matches them all.

        Ranked by the engine's relevance times a freshness boost (up to x2 for an article
        published now, halving every 7 days); limited to the guild's feeds, one feed, and
        articles published or stored since ``since`` when given.
        """
        everything = query_terms(query)
        terms = [t for t in everything if t not in stop_words("en")] or everything
        if not terms or limit <= 0:
            return []
        # Results show the item of the guild's (or the named) feed, never another feed's words.
        scope: Scope = (guild_id, feed_id, "summary")
        conditions = window(guild_id, feed_id, since)
        pool = min(max(limit * 2, 20), 200)  # candidates re-ranked with freshness (at most x2)
        async with self._db.read() as conn:
            # Every word's articles are among its rarest word's: that word's budget bounds both.
            found = await plan(conn, terms, budget=budget, postgres=self._db.is_postgres)
            rows = []
            if found.complete:
                # PostgreSQL: the newest (from found.floor) ranked with ts_rank_cd.
                cap = every_cap(budget) if self._db.is_postgres else None
                every = dataclasses.replace(found, terms=terms, cap=cap)
                rows = await self._candidates(
                    conn, every, True, conditions, pool, since=since, scope=scope
                )
            if not rows and len(terms) > 1 and found.terms:  # any word: the rarest, in budget
                rows = await self._candidates(
                    conn, found, False, conditions, pool, since=since, scope=scope
                )
        now = self._clock()
        hits = [_hit(m, now) for m in rows]
        hits.sort(key=lambda hit: (-hit.score, -hit.article_id))
        return hits[:limit]

    async def answer_candidates(
        self,
        words: list[str],
        *,
        stems: list[str] | None = None,
        guild_id: int | None = None,
        feed_id: int | None = None,
        since: datetime | None = None,
        limit: int = 24,
        budget: int | None = None,
    ) -> list[AnswerCandidate]:
        """The ``limit`` articles ranked best for any of ``words`` (the rarest, within ``budget``
        matching articles), with their stored answer analysis: the first stage of /ask, as the
        guild's feeds show them.

        With the question's ``stems`` and a window within the postings' horizon, the analysed
        articles are ranked from their postings (``bot.store.postings``) and those stored since
        the last analysis by the full-text index; otherwise, or when the guild and window leave
        too few of the postings' best, by the full-text index alone."""
        terms = [t for t in query_terms(" ".join(words)) if len(t) > 1]  # not the s of "'s"
        if not terms or limit <= 0:
            return []
        scope: Scope = (guild_id, feed_id, "text")
        async with self._db.read() as conn:
            if stems and since is not None and since >= self._clock() - postings.HORIZON:
                rows = await self._from_postings(
                    conn, stems, terms, since=since, limit=limit, scope=scope
                )
                if rows is not None:
                    return [_candidate(m) for m in rows]
            found = await plan(conn, terms, budget=budget, postgres=self._db.is_postgres)
            if not found.terms:
                return []
            conditions = window(guild_id, feed_id, since)
            rows = await self._candidates(
                conn, found, False, conditions, limit, since=since, scope=scope
            )
        return [_candidate(m) for m in rows]

    async def _from_postings(
        self,
        conn: AsyncConnection,
        stems: list[str],
        terms: list[str],
        *,
        since: datetime,
        limit: int,
        scope: Scope,
    ) -> list[Any] | None:
        """The postings' best in the window, then the best of the articles not analysed yet;
        None when the full-text index must rank instead (a long backlog of articles not
        analysed, or too few of the postings' best in the window while more were not read)."""
        chosen = postings.wanted(stems)
        wide = limit * WIDEN
        bound = postings.params(chosen, top=postings.TOP, wide=wide)
        rows: list[Any] = []
        if chosen:  # the best rows carry how far analysis has come (one statement, no other)
            stmt = _postings_in_window(len(chosen), scope)
            found = await conn.execute(stmt, {**bound, "since": since, "limit": limit})
            rows = [dict(m) for m in found.mappings()]
        progress = postings.Progress.of(rows[0]) if rows else await postings.progress(conn, chosen)
        if progress.newest - progress.analysed > BACKLOG:
            return None
        if len(rows) < limit and not progress.complete(top=postings.TOP, wide=wide):
            return None
        guild_id, feed_id, _ = scope
        if progress.newest > progress.analysed:  # stored since the last analysis: full-text
            tail = Plan(terms, progress.analysed + 1)
            postgres = self._db.is_postgres
            ranked = postgres_tail(tail) if postgres else sqlite_matches(tail, False)
            conditions = window(guild_id, feed_id, since)
            view, cols = _view(*scope)
            shown = _shown(_filtered(ranked, conditions, limit), view, cols)
            rows += list((await conn.execute(shown)).mappings())
        return rows

    async def _candidates(
        self,
        conn: AsyncConnection,
        found: Plan,
        match_all: bool,
        conditions: list[ColumnElement[bool]],
        pool: int,
        *,
        since: datetime | None,
        scope: Scope,
    ) -> list[Any]:
        if self._db.is_postgres and not match_all:
            return await _postgres_candidates(conn, found, pool, since, scope)
        view, cols = _view(*scope)
        # The index's best first, then the window and guild on those few rows only; when they
        # leave out too many, every match (within the budget) is filtered before ranking.
        if self._db.is_postgres:
            ranked = postgres_matches(found)  # every word (any word: _postgres_candidates)
        else:
            ranked = sqlite_matches(found, match_all)
        first = _filtered(ranked.limit(pool * WIDEN), conditions, pool)
        rows = list((await conn.execute(_shown(first, view, cols))).mappings())
        if len(rows) < pool and conditions:
            every = _filtered(ranked, conditions, pool)
            rows = list((await conn.execute(_shown(every, view, cols))).mappings())
        return rows


async def _postgres_candidates(
    conn: AsyncConnection, found: Plan, pool: int, since: datetime | None, scope: Scope
) -> list[Any]:
    """Any word's best on PostgreSQL: the time window applied as matches are found (a column of
    the row found), the guild or feed on the shortlist; when that leaves too few, as matches
    are found as well."""
    params = {
        "words": list(found.terms),
        "others": [other_spellings(term) for term in found.terms],
        "floors": list(found.floors),
        "expected": list(found.expected),
        "cap": found.cap or 2**31 - 1,
        "articles": float(max(found.articles, 1)),
        **({} if since is None else {"since": since}),
    }
    windowed = since is not None
    rows = list((await conn.execute(_any(scope, windowed, pool, False), params)).mappings())
    if len(rows) < pool and (scope[0] is not None or scope[1] is not None):
        every = _any(scope, windowed, pool, True)
        rows = list((await conn.execute(every, params)).mappings())
    return rows


Scope = tuple[int | None, int | None, str]  # guild, feed, the body column shown


@functools.lru_cache(maxsize=256)
def _any(scope: Scope, windowed: bool, pool: int, everywhere: bool) -> Any:
    """The statement of :func:`~bot.store.pg_rank.postgres_any` as the scope's view shows it,
    built once (building it costs more than running it): the guild or feed tested on the
    shortlist, or ``everywhere`` as matches are found."""
    guild_id, feed_id, body = scope
    view, cols = _view(guild_id, feed_id, body)
    since = bindparam("since", type_=DateTime(timezone=True)) if windowed else None
    conditions = window(guild_id, feed_id, since)
    near = conditions if everywhere else recent(since)
    ranked = postgres_any(near, max(SHORTLIST, pool * WIDEN))
    return _shown(_filtered(ranked, [] if everywhere else conditions, pool), view, cols)


def _filtered(ranked: Any, conditions: list[ColumnElement[bool]], pool: int) -> Any:
    r = ranked.subquery()
    stmt = select(r.c.id, r.c.relevance).join(Article, Article.id == r.c.id).where(*conditions)
    return stmt.order_by(r.c.relevance.desc(), r.c.id.desc()).limit(pool).subquery()


def _shown(chosen: Any, view: FeedView, cols: list[Any]) -> Any:
    """The chosen rows as the feed's view shows them (and their stored analyses, if asked)."""
    stmt = select(*cols, chosen.c.relevance).select_from(chosen)
    stmt = stmt.join(Article, Article.id == chosen.c.id)
    if any(getattr(c, "table", None) is AnswerDoc.__table__ for c in cols):
        stmt = stmt.outerjoin(AnswerDoc, AnswerDoc.article_id == Article.id)
    return view.join(stmt).order_by(chosen.c.relevance.desc(), Article.id.desc())


def window(guild_id: int | None, feed_id: int | None, since: Since) -> list[ColumnElement[bool]]:
    """Articles of the guild's feeds (or one feed) published or stored since ``since``: an
    article stored a minute ago is recent, whenever its feed says it was published."""
    conditions: list[ColumnElement[bool]] = []
    if guild_id is not None:  # the guild's few feeds listed once, not searched per article
        feeds = select(Subscription.feed_id).where(Subscription.guild_id == guild_id)
        conditions.append(
            exists().where(FeedEntry.article_id == Article.id, FeedEntry.feed_id.in_(feeds))
        )
    if feed_id is not None:
        conditions.append(
            exists().where(FeedEntry.article_id == Article.id, FeedEntry.feed_id == feed_id)
        )
    return conditions + recent(since)


def recent(since: Since) -> list[ColumnElement[bool]]:
    """Articles published or stored since ``since`` (every article when None; a bound
    parameter for a statement built once)."""
    if since is None:
        return []
    return [or_(Article.published >= since, Article.first_seen >= since)]


@functools.lru_cache(maxsize=256)
def _view(guild_id: int | None, feed_id: int | None, body: str) -> tuple[FeedView, list[Any]]:
    """The view and its columns, built once per guild and feed: building them costs more than
    running the query."""
    view = FeedView(guild_id, feed_id)
    cols = [view.column(name) for name in ("id", "title", "url", "published", body)]
    if body == "text":  # /ask: with the stored analyses
        cols += [AnswerDoc.__table__.c.text_hash, AnswerDoc.__table__.c.data]
    return view, cols


@functools.lru_cache(maxsize=256)
def _postings_in_window(n: int, scope: Scope) -> Any:
    """The ``:limit`` best articles in the guild's (or feed's) window since ``:since`` among
    the postings' best of ``n`` stems, as the scope's feed view shows them, in one statement;
    built once per shape."""
    guild_id, feed_id, _ = scope
    best = postings.ranked(n)
    conditions = window(guild_id, feed_id, bindparam("since"))
    chosen = (
        select(best.c.id, best.c.score.label("relevance"))
        .join(Article, Article.id == best.c.id)
        .where(*conditions)
        .order_by(best.c.score.desc(), best.c.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .subquery("chosen")
    )
    return _shown(chosen, *_view(*scope)).add_columns(*postings.progress_columns(n))


def _candidate(m: Any) -> AnswerCandidate:
    return AnswerCandidate(**{k: m[k] for k in AnswerCandidate.__dataclass_fields__})


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
