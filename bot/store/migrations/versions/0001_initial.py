"""Initial schema: feeds, subscriptions, articles (+ full text), entries, schedules, deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")

# Full text: SQLite FTS5 over (title, text), kept in step with `articles` by triggers.
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
]
# PostgreSQL: a stored generated tsvector (title weighted A, text B) with a GIN index. The text
# is cut at 200,000 characters: a tsvector cannot exceed 1 MB.
PG_FTS = [
    """ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, left(coalesce(text, ''), 200000)), 'B')
    ) STORED""",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
]


def upgrade() -> None:
    """Create every table and the full-text index of the dialect."""
    _create_feeds()
    _create_subscriptions()
    _create_articles()
    _create_entries()
    _create_schedules()
    _create_deliveries()
    bind = op.get_bind()
    for statement in SQLITE_FTS if bind.dialect.name == "sqlite" else PG_FTS:
        op.execute(statement)


def _create_feeds() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", ID, primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("site_link", sa.Text()),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("interval_seconds", sa.Integer()),
        sa.Column("next_poll_at", WHEN, nullable=False),
        sa.Column("last_polled_at", WHEN),
        sa.Column("last_success_at", WHEN),
        sa.Column("last_error", sa.Text()),
        sa.Column("last_error_at", WHEN),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("broken_reason", sa.Text()),
        sa.Column("failure_notice_at", WHEN),
        sa.Column("baseline_done", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    op.create_index("ix_feeds_next_poll_at", "feeds", ["next_poll_at"])


def _create_subscriptions() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("feed_id", ID, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("filters", JSON),
        sa.Column("added_by", sa.BigInteger()),
        sa.Column("paused_reason", sa.Text()),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name="fk_subscriptions_feed_id_feeds", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("feed_id", "channel_id", name="uq_subscriptions_feed_id_channel_id"),
        sa.CheckConstraint("mode IN ('instant', 'digest')", name="ck_subscriptions_mode"),
    )
    for column in ("feed_id", "guild_id", "channel_id"):
        op.create_index(f"ix_subscriptions_{column}", "subscriptions", [column])


def _create_articles() -> None:
    op.create_table(
        "articles",
        sa.Column("id", ID, primary_key=True),
        sa.Column("url", sa.Text()),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author", sa.Text()),
        sa.Column("published", WHEN, nullable=False),
        sa.Column("published_estimated", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_source", sa.String(16), nullable=False),
        sa.Column("extraction_note", sa.Text()),
        sa.Column("image_url", sa.Text()),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("digest", JSON, nullable=False),
        sa.Column("first_seen", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("url", name="uq_articles_url"),
        sa.UniqueConstraint("fingerprint", name="uq_articles_fingerprint"),
    )
    op.create_index("ix_articles_published", "articles", ["published"])


def _create_entries() -> None:
    op.create_table(
        "entries",
        sa.Column("id", ID, primary_key=True),
        sa.Column("feed_id", ID, nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("entry_key", sa.Text(), nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("first_seen", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name="fk_entries_feed_id_feeds", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_entries_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("feed_id", "key_hash", name="uq_entries_feed_id_key_hash"),
    )
    op.create_index("ix_entries_article_id", "entries", ["article_id"])


def _create_schedules() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", ID, primary_key=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("cron", sa.String(128), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("last_run_at", WHEN),
        sa.Column("next_run_at", WHEN),
        sa.Column("created_by", sa.BigInteger()),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schedules"),
        sa.UniqueConstraint("channel_id", name="uq_schedules_channel_id"),
    )
    op.create_index("ix_schedules_guild_id", "schedules", ["guild_id"])


def _create_deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", ID, primary_key=True),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", ID),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("message_id", sa.BigInteger()),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_deliveries_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_deliveries_subscription_id_subscriptions",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("article_id", "channel_id", name="uq_deliveries_article_id_channel_id"),
        sa.CheckConstraint("kind IN ('instant', 'digest')", name="ck_deliveries_kind"),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'skipped')", name="ck_deliveries_status"
        ),
    )
    op.create_index("ix_deliveries_claim", "deliveries", ["status", "kind", "next_attempt_at"])
    op.create_index("ix_deliveries_channel_status", "deliveries", ["channel_id", "status"])
    op.create_index("ix_deliveries_subscription_id", "deliveries", ["subscription_id"])


def downgrade() -> None:
    """Drop everything (the full-text objects go with their table)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS articles_fts")
    for table in ("deliveries", "schedules", "entries", "articles", "subscriptions", "feeds"):
        op.drop_table(table)
