"""The schema as SQLAlchemy declarative models; migrations/ creates it, this module describes it.

Full-text search objects are not mapped here: the FTS5 table and its triggers (SQLite) and the
generated ``search_vector`` column (PostgreSQL) exist only in the migrations and ``search.py``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.types import BigId, Json, Snowflake, UTCDateTime

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints the same way."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: Json}


class Feed(Base):
    """A feed URL, polled once however many channels subscribe to it."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    site_link: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    interval_seconds: Mapped[int | None] = mapped_column(Integer)
    next_poll_at: Mapped[datetime] = mapped_column(index=True)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    broken_reason: Mapped[str | None] = mapped_column(Text)
    failure_notice_at: Mapped[datetime | None]
    baseline_done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    claimed_by: Mapped[int | None] = mapped_column(BigId, index=True)  # workers.id
    claimed_at: Mapped[datetime | None]


class Subscription(Base):
    """A feed posted into one Discord channel."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("feed_id", "channel_id"),
        CheckConstraint("mode IN ('instant', 'digest')", name="mode"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    channel_id: Mapped[int] = mapped_column(Snowflake, index=True)
    mode: Mapped[str] = mapped_column(String(16))
    filters: Mapped[dict[str, Any] | None]
    added_by: Mapped[int | None] = mapped_column(Snowflake)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    # An announcement channel's posts are published (crossposted) to following servers.
    publish: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    forum_tags: Mapped[list[str] | None] = mapped_column(Json)  # tag ids of a forum's posts
    ping_role_id: Mapped[int | None] = mapped_column(Snowflake)  # the role its posts mention
    # Posted messages are edited when the feed changes their item (``/feed set updates``).
    updates: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Posts go through the channel's webhook under this name and avatar (NULL: as the bot).
    webhook_name: Mapped[str | None] = mapped_column(String(80))
    webhook_avatar: Mapped[str | None] = mapped_column(Text)


class Article(Base):
    """One story, however many feeds carry it."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str | None] = mapped_column(Text, unique=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime] = mapped_column(index=True)
    published_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_source: Mapped[str] = mapped_column(String(16))
    extraction_note: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    # JSON null (never SQL NULL) for a first poll's backlog until its digest is made.
    digest: Mapped[dict[str, Any]]
    first_seen: Mapped[datetime] = mapped_column(index=True)


class AnswerDoc(Base):
    """An article's sentences analysed for /ask, kept so no process re-analyses the archive."""

    __tablename__ = "answer_docs"

    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    text_hash: Mapped[str] = mapped_column(String(16))  # of the text analysed: stale when changed
    data: Mapped[str] = mapped_column(Text)  # JSON, see bot.answer.stored


class AnswerPosting(Base):
    """One stem of one recent article's analysis with its BM25 term-frequency weight: a stem's
    best articles are read in order from the key (``bot.store.postings``). The empty stem's row
    holds the article's length instead."""

    __tablename__ = "answer_postings"
    __table_args__ = (
        Index("ix_answer_postings_article_id", "article_id"),
        {"sqlite_with_rowid": False},
    )

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, primary_key=True)  # x postings.SCALE
    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )


class AnswerTerm(Base):
    """How many articles with postings hold a stem (its idf); the empty stem's row counts the
    articles and sums their lengths."""

    __tablename__ = "answer_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    articles: Mapped[int] = mapped_column(Integer, default=0)
    length: Mapped[int] = mapped_column(BigId, default=0)


class FeedEntry(Base):
    """What a feed has carried (by entry id), so nothing it carries is posted twice."""

    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("feed_id", "key_hash"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    # sha256 of the entry id: guids can be arbitrarily long, index keys cannot.
    key_hash: Mapped[str] = mapped_column(String(64))
    entry_key: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    first_seen: Mapped[datetime]
    # Recorded by the feed's first poll (its baseline): kept, never posted.
    first_poll: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The feed's own item: what this feed's subscribers see (NULL in rows stored before 0003,
    # which show the article's). Articles are shared by URL, so these never come from another feed.
    title: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    # Set only when the shared article's text came from another feed and differs from this one's.
    text: Mapped[str | None] = mapped_column(Text)
    text_source: Mapped[str | None] = mapped_column(String(16))
    digest: Mapped[dict[str, Any] | None]
    # Of the item's normalised title and text (bot.feeds.changes): a new hash is a real change.
    content_hash: Mapped[str | None] = mapped_column(String(64))


class FilterVerdict(Base):
    """An article a subscription's filters turned away at ingest, and the term that decided."""

    __tablename__ = "filter_verdicts"
    __table_args__ = (UniqueConstraint("article_id", "subscription_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Schedule(Base):
    """A channel's digest schedule."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    channel_id: Mapped[int] = mapped_column(Snowflake, unique=True)
    cron: Mapped[str] = mapped_column(String(128))
    timezone: Mapped[str] = mapped_column(String(64))
    last_run_at: Mapped[datetime | None]
    next_run_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime]
    publish: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    forum_tags: Mapped[list[str] | None] = mapped_column(Json)


class Delivery(Base):
    """The outbox: one article to post in one channel, written with the article."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("article_id", "channel_id"),
        CheckConstraint("kind IN ('instant', 'digest')", name="kind"),
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'skipped')", name="status"),
        Index("ix_deliveries_claim", "status", "kind", "next_attempt_at"),
        Index("ix_deliveries_channel_status", "channel_id", "status"),
        Index("ix_deliveries_channel_cap_day", "channel_id", "cap_day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(Snowflake)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # Set before a request that has no nonce (a forum post): a later attempt looks for its post.
    in_flight_at: Mapped[datetime | None]
    claimed_by: Mapped[int | None] = mapped_column(BigId, index=True)  # workers.id
    claimed_at: Mapped[datetime | None]
    # An instant post kept back by its channel's controls ("quiet" or "cap"): never claimed.
    held: Mapped[str | None] = mapped_column(String(16))
    held_at: Mapped[datetime | None]
    # The channel's local day (YYYY-MM-DD) whose daily cap this post counted in.
    cap_day: Mapped[str | None] = mapped_column(String(10))
    # A sent post whose item changed: edit its message from then on (claimed like a post).
    edit_due_at: Mapped[datetime | None] = mapped_column(index=True)
    edited_at: Mapped[datetime | None]  # the last edit: at most one an hour
    position: Mapped[int | None] = mapped_column(Integer)  # its embed's index in its message


class ChannelControls(Base):
    """A channel's quiet hours, daily cap and digest maximum (NULL: not limited)."""

    __tablename__ = "channel_controls"

    channel_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_start: Mapped[str | None] = mapped_column(String(5))  # "HH:MM", local
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    digest_max: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(Snowflake)
    updated_at: Mapped[datetime]


class Worker(Base):
    """A running Briefing process; its claims are alive while its heartbeat is recent."""

    __tablename__ = "workers"
    # Ids are never reused (SQLite would reuse a deleted highest id): claims name them.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Stable across restarts (host, database, shards, roles): a restart takes over its claims.
    name: Mapped[str] = mapped_column(Text, index=True)
    host: Mapped[str] = mapped_column(Text)
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class ClusterState(Base):
    """A named record shared by every process (last global command sync, last retention run)."""

    __tablename__ = "cluster_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class RateBudget(Base):
    """A token bucket shared by every process: ``rate`` tokens a second, at most ``capacity``."""

    __tablename__ = "rate_budget"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    rate: Mapped[float] = mapped_column(Float)
    capacity: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime]


class Welcome(Base):
    """A guild the bot has greeted: one welcome per guild, never again after a rejoin."""

    __tablename__ = "welcomes"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    channel_id: Mapped[int] = mapped_column(Snowflake)
    welcomed_at: Mapped[datetime]


class ChannelWebhook(Base):
    """The webhook Briefing made in a channel (threads post through their parent's).

    ``token`` is a secret: whoever has it can post there. It is never logged or shown.
    """

    __tablename__ = "channel_webhooks"

    channel_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    webhook_id: Mapped[int] = mapped_column(Snowflake)
    token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
