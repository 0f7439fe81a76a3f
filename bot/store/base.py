"""What every part of the store shares: the database, the clock, row conversion."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Digest
from bot.store.engine import Database
from bot.store.filters import Filters
from bot.store.rows import ArticleRow, DeliveryRow, FeedRow, SubscriptionRow
from bot.store.tables import Article, Base, Feed, FeedEntry, Subscription

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list: well under SQLite's and asyncpg's parameter limits


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class StoreBase:
    """Base of the store's parts (mixins): one database, one clock."""

    _db: Database
    _clock: Clock


def insert_ignore(db: Database, model: type[Base]) -> Any:
    """INSERT that does nothing when a unique constraint already holds the row.

    Values go in as execution parameters (``conn.execute(stmt, values)``): building the
    statement once and letting the compiled cache do the rest is the cheap path.
    """
    stmt = pg_insert(model) if db.is_postgres else sqlite_insert(model)
    return stmt.on_conflict_do_nothing()


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def feed_row(m: RowMapping) -> FeedRow:
    """A feeds row as a :class:`FeedRow`."""
    return FeedRow(**{name: m[name] for name in FeedRow.__dataclass_fields__})


def subscription_select() -> Select[Any]:
    """Subscriptions with their feed's URL and title."""
    return select(
        *Subscription.__table__.columns,
        Feed.url.label("feed_url"),
        Feed.title.label("feed_title"),
    ).join(Feed, Feed.id == Subscription.feed_id)


def subscription_row(m: RowMapping) -> SubscriptionRow:
    """A row of :func:`subscription_select` as a :class:`SubscriptionRow`."""
    values = {name: m[name] for name in SubscriptionRow.__dataclass_fields__ if name != "filters"}
    return SubscriptionRow(filters=Filters.from_json(m["filters"]), **values)


def article_row(m: RowMapping) -> ArticleRow:
    """An articles row as an :class:`ArticleRow` with its digest rebuilt."""
    values = {name: m[name] for name in ArticleRow.__dataclass_fields__ if name != "digest"}
    return ArticleRow(digest=Digest.from_dict(m["digest"]), **values)


def article_columns() -> list[Any]:
    """The columns an :class:`ArticleRow` is built from."""
    return [Article.__table__.c[name] for name in ArticleRow.__dataclass_fields__]


def delivery_row(
    m: RowMapping,
    article: ArticleRow | None = None,
    feed: tuple[int, str | None] | None = None,
) -> DeliveryRow:
    """A deliveries row as a :class:`DeliveryRow`, with its article and feed when given."""
    skip = {"article", "feed_id", "feed_title"}
    values = {name: m[name] for name in DeliveryRow.__dataclass_fields__ if name not in skip}
    feed_id, feed_title = feed if feed else (None, None)
    return DeliveryRow(article=article, feed_id=feed_id, feed_title=feed_title, **values)


async def fetch_articles(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, ArticleRow]:
    """Articles by id."""
    found: dict[int, ArticleRow] = {}
    for part in chunks(sorted(set(ids))):
        result = await conn.execute(select(*article_columns()).where(Article.id.in_(part)))
        for m in result.mappings():
            found[m["id"]] = article_row(m)
    return found


def scope(
    guild_id: int | None = None, feed_id: int | None = None, since: datetime | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on ``articles`` limiting them to a guild's feeds, one feed, and a start time."""
    conditions: list[ColumnElement[bool]] = []
    if guild_id is not None:
        conditions.append(
            exists()
            .where(FeedEntry.article_id == Article.id)
            .where(Subscription.feed_id == FeedEntry.feed_id, Subscription.guild_id == guild_id)
        )
    if feed_id is not None:
        conditions.append(
            exists().where(FeedEntry.article_id == Article.id, FeedEntry.feed_id == feed_id)
        )
    if since is not None:
        conditions.append(Article.published >= since)
    return conditions
