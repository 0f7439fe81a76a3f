"""Explaining an article's way: first-poll entries are marked, filter rejections are recorded.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add ``entries.first_poll`` and the ``filter_verdicts`` table."""
    with op.batch_alter_table("entries") as batch:
        # Rows stored before this are unknown: false, so explain never claims a first poll.
        batch.add_column(
            sa.Column("first_poll", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "filter_verdicts",
        sa.Column("id", ID, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("subscription_id", ID, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_filter_verdicts_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_filter_verdicts_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filter_verdicts")),
        sa.UniqueConstraint(
            "article_id",
            "subscription_id",
            name=op.f("uq_filter_verdicts_article_id_subscription_id"),
        ),
    )
    op.create_index(
        op.f("ix_filter_verdicts_subscription_id"), "filter_verdicts", ["subscription_id"]
    )


def downgrade() -> None:
    """Drop the ``filter_verdicts`` table and ``entries.first_poll``."""
    op.drop_index(op.f("ix_filter_verdicts_subscription_id"), table_name="filter_verdicts")
    op.drop_table("filter_verdicts")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("first_poll")
