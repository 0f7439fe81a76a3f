"""Impact-ordered postings: /ask's first stage reads a few index entries per stem.

For every analysed article stored or published in the last ``HORIZON`` (the windows /ask reads
here: a feed may date an article up to two days ahead, so its date can stay in a window after its
storage has left it), ``answer_postings`` holds one row per stem with the stem's BM25
term-frequency weight (k1 1.2, b 0.75) in the key, so a stem's best articles are read in order
straight from the index; ``answer_terms`` counts the articles holding each stem (its idf). A
question reads its stems' ``TOP`` best postings each and sums idf x weight per article: a cost
set by the question, not by the archive, on SQLite and PostgreSQL alike.
FTS5's ``bm25()`` and ``ts_rank_cd`` score every match of a word before any limit applies.

The empty stem's posting holds an article's length and its ``answer_terms`` row the number of
articles and their total length (the mean length of BM25's weights). Counts change in the
transaction that changes postings; on PostgreSQL that transaction first locks the empty stem's
row (``lock``), so concurrent writers never interleave, nor deadlock, on the counts.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    String,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from bot.store.base import CHUNK, chunks
from bot.store.rows import AnswerDocRow
from bot.store.tables import AnswerDoc, AnswerPosting, AnswerTerm, Article

K1, B = 1.2, 0.75
# Postings read per stem: the speed/quality dial. Quality still rises past it (validated by
# benchmarks/archive_validate.py); 800 keeps a question near 5 ms at 100,000 articles.
TOP = 800
HORIZON = timedelta(days=8)  # stored or published this recently: postings (/ask's week)
MAX_TERM = 64  # longer stems get no posting: nobody asks them
SCALE = 1000  # weights are stored as integers (2 bytes on disk): to 0.001 of k1 + 1 = 2.2
MAX_TERMS = 32  # stems of one question (bot.store.search.MAX_TERMS)
TOTAL = ""  # the stem whose rows hold articles' lengths and the count of articles


async def replace(
    conn: AsyncConnection,
    docs: Sequence[AnswerDocRow],
    *,
    floor: int,
    cut: datetime,
    postgres: bool,
) -> None:
    """Write the postings of ``docs`` within the horizon (an article id from ``floor``: stored
    since it; or published since ``cut``, where it began), replacing any the articles had, in a
    transaction that holds :func:`lock`."""
    if not docs:
        return
    await _drop(conn, [d.article_id for d in docs])
    docs = await _within(conn, docs, floor, cut)
    if not docs:
        return
    articles, length = (await conn.execute(_TOTALS)).first() or (0, 0)
    # The mean length so far with these articles: later weights drift with it only slowly.
    mean = (length + sum(d.length for d in docs)) / max(articles + len(docs), 1) or 1.0
    rows: list[dict[str, Any]] = []
    held: Counter[str] = Counter()
    for doc in docs:
        norm = K1 * (1 - B + B * doc.length / mean)
        rows.append({"term": TOTAL, "weight": doc.length, "article_id": doc.article_id})
        for term, tf in doc.terms.items():
            if 0 < len(term) <= MAX_TERM:
                weight = round(SCALE * tf * (K1 + 1) / (tf + norm))
                rows.append({"term": term, "weight": weight, "article_id": doc.article_id})
                held[term] += 1
    for part in chunks(rows, CHUNK * 4):
        await conn.execute(insert(AnswerPosting), list(part))
    counts = [{"term": t, "articles": n, "length": 0} for t, n in sorted(held.items())]
    counts.append({"term": TOTAL, "articles": len(docs), "length": sum(d.length for d in docs)})
    stmt = (pg_insert if postgres else sqlite_insert)(AnswerTerm)
    stmt = stmt.on_conflict_do_update(
        index_elements=[AnswerTerm.term],
        set_={
            "articles": AnswerTerm.articles + stmt.excluded.articles,
            "length": AnswerTerm.length + stmt.excluded.length,
        },
    )
    for part in chunks(counts, CHUNK * 4):
        await conn.execute(stmt, list(part))


async def _within(
    conn: AsyncConnection, docs: Sequence[AnswerDocRow], floor: int, cut: datetime
) -> list[AnswerDocRow]:
    """The ``docs`` stored since the horizon began (an id from ``floor``) or published since
    (``cut``)."""
    dated = await _published_since(conn, [d.article_id for d in docs if d.article_id < floor], cut)
    return [d for d in docs if d.article_id >= floor or d.article_id in dated]


async def _published_since(conn: AsyncConnection, ids: Sequence[int], cut: datetime) -> set[int]:
    """Those of ``ids`` whose articles were published since ``cut``."""
    dated: set[int] = set()
    for part in chunks(ids):
        found = select(Article.id).where(Article.id.in_(part), Article.published >= cut)
        dated.update(await conn.scalars(found))
    return dated


async def drop(conn: AsyncConnection, article_ids: Sequence[int], *, postgres: bool) -> None:
    """Remove the postings of these articles (deleted, stripped, or older than the horizon)."""
    if article_ids:
        await lock(conn, postgres=postgres)
        await _drop(conn, article_ids)


async def prune(
    conn: AsyncConnection, floor: int, cut: datetime, *, after: int, postgres: bool
) -> tuple[int, int | None]:
    """Remove the postings of the next batch of articles after ``after`` with an id below
    ``floor`` (stored before the horizon) that were not published since ``cut`` either.

    Returns how many articles lost their postings, and the last id looked at (None when no more
    lie below the floor): the articles kept for their date stay below the floor, so the next
    batch starts after them.
    """
    # Along the index of article ids: nothing below the floor costs one seek.
    ids = list(
        await conn.scalars(
            select(AnswerPosting.article_id)
            .distinct()
            .where(AnswerPosting.article_id > after, AnswerPosting.article_id < floor)
            .order_by(AnswerPosting.article_id)
            .limit(CHUNK)
        )
    )
    dated = await _published_since(conn, ids, cut)  # few, if any: dated ahead by their feed
    await drop(conn, [i for i in ids if i not in dated], postgres=postgres)
    return len(ids) - len(dated), ids[-1] if len(ids) == CHUNK else None


async def horizon_floor(conn: AsyncConnection, since: Any) -> int | None:
    """The id of the first article stored since ``since`` (None: none is)."""
    first = select(Article.id).where(Article.first_seen >= since)
    return await conn.scalar(first.order_by(Article.first_seen, Article.id).limit(1))


def wanted(stems: Iterable[str]) -> list[str]:
    """The stems a question's postings are read for, in a fixed order."""
    return sorted({s for s in stems if 0 < len(s) <= MAX_TERM})


def params(stems: Sequence[str], *, top: int, wide: int) -> dict[str, Any]:
    """The values :func:`ranked` and :func:`progress` bind for these stems."""
    return {"top": top, "wide": wide, **{f"t{i}": term for i, term in enumerate(stems)}}


@dataclass(frozen=True, slots=True)
class Progress:
    """How far analysis has come, and how many articles hold a question's stems."""

    analysed: int  # the highest analysed article id
    newest: int  # the highest stored article id
    most: int  # articles holding the commonest of the stems (0: none has postings)
    total: int  # articles holding each stem, summed

    def complete(self, *, top: int, wide: int) -> bool:
        """Whether the ``wide`` best of each stem's ``top`` best postings are every article
        holding any of the stems."""
        return self.most <= top and self.total <= wide

    @classmethod
    def of(cls, row: Any) -> Progress:
        """The progress columns of a row of :func:`progress`'s statement (or of one beside
        :func:`ranked`'s rows)."""
        values = (row["analysed"], row["newest"], row["most"], row["total"])
        return cls(*(int(v or 0) for v in values))


@functools.lru_cache(maxsize=MAX_TERMS)
def progress_columns(n: int) -> tuple[Any, ...]:
    """:class:`Progress`'s columns for ``n`` stems (``:t0``...), as scalar subqueries: computed
    once per statement, so they can ride along any statement's rows."""
    stems = AnswerTerm.term.in_([bindparam(f"t{i}", type_=String) for i in range(n)])
    return (
        select(func.max(AnswerDoc.article_id)).scalar_subquery().label("analysed"),
        select(func.max(Article.id)).scalar_subquery().label("newest"),
        select(func.max(AnswerTerm.articles)).where(stems).scalar_subquery().label("most"),
        select(func.sum(AnswerTerm.articles)).where(stems).scalar_subquery().label("total"),
    )


async def progress(conn: AsyncConnection, stems: Sequence[str]) -> Progress:
    """:class:`Progress` for ``stems`` alone (when no posting came back to carry it)."""
    found = await conn.execute(select(*progress_columns(len(stems))), params(stems, top=0, wide=0))
    return Progress.of(found.mappings().one())


@functools.lru_cache(maxsize=MAX_TERMS)
def ranked(n: int) -> Any:
    """(id, score) of the articles among ``n`` stems' (``:t0``...) ``:top`` best postings each,
    by weight x idf summed, the ``:wide`` best. Each stem's idf comes from its count in the same
    statement; built once per number of stems; each stem's postings read backwards along the
    key."""
    stem, archive = aliased(AnswerTerm, name="stem"), aliased(AnswerTerm, name="archive")
    parts = []
    for i in range(n):
        term = bindparam(f"t{i}", type_=String)
        # BM25's idf (never negative) per stored unit of weight, in a scalar subquery: computed
        # once per statement, not once per posting.
        rarity = 1.0 + (archive.articles - stem.articles + 0.5) / (stem.articles + 0.5)
        idf = (
            select(func.ln(rarity) / SCALE)
            .select_from(stem)
            .join(archive, archive.term == TOTAL)
            .where(stem.term == term)
            .scalar_subquery()
        )
        each = (
            select(AnswerPosting.article_id, AnswerPosting.weight)
            .where(AnswerPosting.term == term)
            .order_by(AnswerPosting.weight.desc())
            .limit(bindparam("top", type_=Integer))
            .subquery(f"p{i}")
        )
        score = cast(each.c.weight * idf, Float).label("s")
        parts.append(select(each.c.article_id, score))
    every = union_all(*parts).subquery("postings")
    score = func.sum(every.c.s).label("score")
    return (
        select(every.c.article_id.label("id"), score)
        .group_by(every.c.article_id)
        .order_by(score.desc(), every.c.article_id.desc())
        .limit(bindparam("wide", type_=Integer))
        .subquery("ranked")
    )


async def best(
    conn: AsyncConnection, stems: Iterable[str], *, top: int = TOP, wide: int = 1000
) -> tuple[dict[int, float], bool]:
    """The ``wide`` best articles of the archive's postings for ``stems`` with their scores, and
    whether those are every article holding any of them."""
    chosen = wanted(stems)
    if not chosen:
        return {}, True
    bound = params(chosen, top=top, wide=wide)
    rows = await conn.execute(select(ranked(len(chosen))), bound)
    found = await progress(conn, chosen)
    return {i: float(score) for i, score in rows}, found.complete(top=top, wide=wide)


async def lock(conn: AsyncConnection, *, postgres: bool) -> None:
    """Take the counts for this transaction (PostgreSQL): writers of postings queue here."""
    if postgres:  # one writer of counts at a time (SQLite writers are one at a time already)
        await conn.execute(text("SELECT 1 FROM answer_terms WHERE term = '' FOR UPDATE"))


async def _drop(conn: AsyncConnection, article_ids: Sequence[int]) -> None:
    for part in chunks(article_ids):
        held = AnswerPosting.article_id.in_(part)
        found = await conn.execute(
            select(AnswerPosting.term, func.count(), func.sum(AnswerPosting.weight))
            .where(held)
            .group_by(AnswerPosting.term)
        )
        less: list[dict[str, Any]] = [
            {"t": t, "n": int(n), "l": int(total or 0) if t == TOTAL else 0}
            for t, n, total in found
        ]
        if not less:
            continue
        # The empty stem's weights are lengths: its count loses their sum as well.
        await conn.execute(_LESS, sorted(less, key=lambda r: str(r["t"])))
        for terms in chunks([r["t"] for r in less if r["t"] != TOTAL]):
            gone = AnswerTerm.term.in_(terms), AnswerTerm.articles <= 0
            await conn.execute(delete(AnswerTerm).where(*gone))
        await conn.execute(delete(AnswerPosting).where(held))


_TOTALS = select(AnswerTerm.articles, AnswerTerm.length).where(AnswerTerm.term == TOTAL)
_LESS = (
    update(AnswerTerm)
    .where(AnswerTerm.term == bindparam("t"))
    .values(
        articles=AnswerTerm.articles - bindparam("n"), length=AnswerTerm.length - bindparam("l")
    )
)
