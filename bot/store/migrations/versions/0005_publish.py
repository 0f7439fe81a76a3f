"""Announcement channels: a subscription or digest schedule may publish (crosspost) each post.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("subscriptions", "schedules")


def upgrade() -> None:
    """Add ``publish`` (false in existing rows) to subscriptions and schedules."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("publish", sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade() -> None:
    """Drop ``publish``."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("publish")
