"""Fixtures of the /ask store tests: a store on the test database whose clock (when articles are
stored) the test sets, a feed a guild follows, and the articles the tests store."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from bot.answer import AnswerEngine
from bot.models import Article
from bot.store import Store
from tests.answer.pools import SEED_TITLE
from tests.conftest import SEED_ARTICLE
from tests.poller.builders import Clock
from tests.poller.conftest import clocked_store
from tests.store.factory import T0, article

__all__ = ["Clock", "clocked_store"]  # the poller's clock and clocked store, with this clock

WORDS = ("harbour", "bridge", "council", "budget", "river", "school", "train", "market")


def filler_articles(n: int, prefix: str, *, about: str = "") -> list[Article]:
    """``n`` short articles, each with two of a few words (and ``about`` when given)."""
    out = []
    for i in range(n):
        a, b = WORDS[i % len(WORDS)], WORDS[(i // len(WORDS)) % len(WORDS)]
        body = f"The {a} and the {b} were discussed again on day {i}. {about}".strip()
        out.append(article(f"{prefix}{i}", title=f"{a.title()} report {prefix}{i}", text=body))
    return out


def seed_article(key: str = "seed", published: datetime = T0) -> Article:
    """The seed article (the withdrawal from Syria) under entry id ``key``."""
    return article(key, title=SEED_TITLE, text=SEED_ARTICLE.read_text(), published=published)


@pytest.fixture
def clock() -> Clock:
    """The store's clock: when articles are stored (``first_seen``)."""
    return Clock(T0)


@pytest.fixture
def store(clocked_store: Store) -> Store:
    """A store on the test database whose clock is :func:`clock`."""
    return clocked_store


async def followed_feed(store: Store, url: str, guild: int) -> int:
    """A feed at ``url`` that ``guild`` follows (instant mode), its id."""
    feed = await store.add_feed(url)
    await store.subscribe(feed.id, guild, guild * 10, mode="instant", added_by=None)
    return feed.id


async def store_analyses_without_postings(store: Store) -> None:
    """Analyse every stored article into ``answer_docs`` as the code before the postings did
    (an older schema has no postings to write)."""
    insert = text("INSERT INTO answer_docs (article_id, text_hash, data) VALUES (:a, :h, :d)")
    async with store._db.write() as conn:
        for row in await store.articles_after(0, limit=1000):
            doc = AnswerEngine().stored_row(row.id, row.title, row.text)
            await conn.execute(insert, {"a": row.id, "h": doc.text_hash, "d": doc.data})


async def counts_match_postings(store: Store) -> tuple[int, int]:
    """Asserts every stem's count is the number of articles its postings name, and the total
    row's count and length those of the articles with postings; returns (articles, postings)."""
    async with store._db.read() as conn:
        counted: dict[str, int] = dict(
            (await conn.execute(text("SELECT term, articles FROM answer_terms"))).all()
        )
        actual: dict[str, int] = dict(
            (
                await conn.execute(text("SELECT term, count(*) FROM answer_postings GROUP BY term"))
            ).all()
        )
        length = await conn.scalar(
            text("SELECT coalesce(sum(weight), 0) FROM answer_postings WHERE term = ''")
        )
        total_length = await conn.scalar(text("SELECT length FROM answer_terms WHERE term = ''"))
        postings = await conn.scalar(text("SELECT count(*) FROM answer_postings"))
    articles = counted.pop("", 0)
    assert articles == actual.pop("", 0)
    assert counted == actual  # no stem's count drifts, none is left at 0
    assert int(total_length or 0) == int(length)
    return articles, int(postings or 0)
