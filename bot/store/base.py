"""What every part of the store shares: the database, the clock, row conversion."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

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


def tag_ids(stored: Any) -> tuple[int, ...]:
    """Forum tag ids as stored (a JSON list of strings, or NULL) as a tuple of ints."""
    return tuple(int(t) for t in stored or ())


def stored_tags(tags: Iterable[int]) -> list[str] | None:
    """Forum tag ids as stored: snowflakes as strings (JSON numbers lose precision elsewhere)."""
    return [str(t) for t in tags] or None


def subscription_row(m: RowMapping) -> SubscriptionRow:
    """A row of :func:`subscription_select` as a :class:`SubscriptionRow`."""
    skip = {"filters", "forum_tags"}
    values = {name: m[name] for name in SubscriptionRow.__dataclass_fields__ if name not in skip}
    return SubscriptionRow(
        filters=Filters.from_json(m["filters"]), forum_tags=tag_ids(m["forum_tags"]), **values
    )


def article_row(m: RowMapping) -> ArticleRow:
    """An articles row as an :class:`ArticleRow` with its digest rebuilt (None: not made yet)."""
    values = {name: m[name] for name in ArticleRow.__dataclass_fields__ if name != "digest"}
    stored = m["digest"]
    return ArticleRow(digest=None if stored is None else Digest.from_dict(stored), **values)


def article_columns(view: FeedView | None = None) -> list[Any]:
    """The columns an :class:`ArticleRow` is built from, as seen through ``view`` when given."""
    if view is None or view.entry is None:
        return [Article.__table__.c[name] for name in ArticleRow.__dataclass_fields__]
    return [view.column(name) for name in ArticleRow.__dataclass_fields__]


# A feed's own item replaces these article columns (entry column -> article column).
OWN_ITEM = {"title": "title", "summary": "summary", "link": "url", "author": "author"}
OWN_ITEM |= {"image_url": "image_url"}
# These come from the entry only where it has its own (the shared text came from another feed).
OWN_TEXT = {"text": "text", "text_source": "text_source", "digest": "digest"}


class FeedView:
    """Articles as one feed's subscribers see them: that feed's own title, summary, link...

    For a guild, the entry of the guild's first feed that carried the article. Without a
    guild or feed (console, indexes) the shared article is shown as stored.
    """

    def __init__(self, guild_id: int | None = None, feed_id: int | None = None) -> None:
        scoped = guild_id is not None or feed_id is not None
        self.entry = aliased(FeedEntry, name="own") if scoped else None
        self._guild_id = guild_id
        self._feed_id = feed_id

    def join(self, stmt: Any) -> Any:
        """``stmt`` (selecting from articles) joined to the entry the view shows."""
        e = self.entry
        if e is None:
            return stmt
        if self._feed_id is not None:
            return stmt.join(e, and_(e.article_id == Article.id, e.feed_id == self._feed_id))
        feeds = select(Subscription.feed_id).where(Subscription.guild_id == self._guild_id)
        first = (
            select(func.min(FeedEntry.id))
            .where(FeedEntry.article_id == Article.id, FeedEntry.feed_id.in_(feeds))
            .scalar_subquery()
        )
        return stmt.join(e, and_(e.article_id == Article.id, e.id == first))

    def column(self, name: str) -> Any:
        """The article column ``name`` through this view."""
        base = Article.__table__.c[name]
        e = self.entry
        if e is None:
            return base
        own = {a: en for en, a in (OWN_ITEM | OWN_TEXT).items()}.get(name)
        if own is None:
            return base
        mine = getattr(e, own)
        if own in OWN_TEXT:
            return func.coalesce(mine, base, type_=base.type).label(name)
        # Rows stored before the feed's own item was kept have no title: show the article's.
        return case((e.title.is_(None), base), else_=mine).label(name)

    def expression(self, name: str) -> Any:
        """Like :meth:`column`, unlabelled (for WHERE clauses)."""
        column = self.column(name)
        return getattr(column, "element", column)


def delivery_row(
    m: RowMapping,
    article: ArticleRow | None = None,
    via: Via | None = None,
) -> DeliveryRow:
    """A deliveries row as a :class:`DeliveryRow`, with its article and subscription when given."""
    skip = {"article", "feed_id", "feed_title", "publish", "forum_tags", "ping_role_id"}
    skip |= {"webhook_name", "webhook_avatar"}
    values = {name: m[name] for name in DeliveryRow.__dataclass_fields__ if name not in skip}
    via = via or Via(None, None)
    return DeliveryRow(
        article=article,
        feed_id=via.feed_id,
        feed_title=via.feed_title,
        publish=via.publish,
        forum_tags=via.forum_tags,
        webhook_name=via.webhook_name,
        webhook_avatar=via.webhook_avatar,
        **values,
    )


@dataclass(frozen=True, slots=True)
class Via:
    """What a delivery's subscription says of its posts: the feed, publishing, forum tags."""

    feed_id: int | None
    feed_title: str | None
    publish: bool = False
    forum_tags: tuple[int, ...] = ()
    webhook_name: str | None = None  # posts go through the channel's webhook under this name
    webhook_avatar: str | None = None


async def fetch_feed_articles(
    conn: AsyncConnection, pairs: Iterable[tuple[int, int | None]]
) -> dict[tuple[int, int | None], ArticleRow]:
    """Articles by ``(article id, feed id)``, each as that feed shows it (no feed: as stored)."""
    wanted = set(pairs)
    plain = await fetch_articles(conn, [a for a, f in wanted if f is None])
    found: dict[tuple[int, int | None], ArticleRow] = {(a, None): r for a, r in plain.items()}
    view = FeedView(feed_id=0)  # any feed: the condition below picks each pair's own
    assert view.entry is not None
    e = view.entry
    for part in chunks(sorted((a, f) for a, f in wanted if f is not None)):
        stmt = (
            select(*article_columns(view), e.feed_id.label("own_feed_id"))
            .join(e, e.article_id == Article.id)
            .where(tuple_(e.article_id, e.feed_id).in_(part))
        )
        for m in (await conn.execute(stmt)).mappings():
            found[(m["id"], m["own_feed_id"])] = article_row(m)
    missing = [a for a, f in wanted if f is not None and (a, f) not in found]
    for article_id, row in (await fetch_articles(conn, missing)).items():
        for a, f in wanted:
            if a == article_id and (a, f) not in found:
                found[(a, f)] = row  # the feed no longer carries it (moved or merged)
    return found


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
