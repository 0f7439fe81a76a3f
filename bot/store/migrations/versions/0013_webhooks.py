"""Webhooks: a subscription may post under its own name and avatar, through the channel's webhook.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SNOWFLAKE = sa.BigInteger()


def upgrade() -> None:
    """Add the subscription's webhook name and avatar, and the ``channel_webhooks`` table."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("webhook_name", sa.String(80)))  # NULL: posts as the bot
        batch.add_column(sa.Column("webhook_avatar", sa.Text()))
    op.create_table(
        "channel_webhooks",
        sa.Column("channel_id", SNOWFLAKE, nullable=False, autoincrement=False),
        sa.Column("guild_id", SNOWFLAKE, nullable=False),
        sa.Column("webhook_id", SNOWFLAKE, nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name="pk_channel_webhooks"),
    )


def downgrade() -> None:
    """Drop the webhook columns and table."""
    op.drop_table("channel_webhooks")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("webhook_avatar")
        batch.drop_column("webhook_name")
