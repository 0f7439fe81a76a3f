"""Forum channels: tags per subscription and schedule, and the outbox's in-flight mark.

A forum post has no nonce: an attempt is marked in flight before its request, so the next
attempt on that row looks for the post it may have made (see ``bot.delivery.forum``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    """Add ``forum_tags`` to subscriptions and schedules, ``in_flight_at`` to deliveries."""
    for table in ("subscriptions", "schedules"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("forum_tags", JSON))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("in_flight_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    """Drop the forum columns."""
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("in_flight_at")
    for table in ("subscriptions", "schedules"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("forum_tags")
