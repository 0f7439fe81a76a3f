"""Role pings: a subscription may name one role its posts mention.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``subscriptions.ping_role_id`` (NULL: no ping, as before)."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("ping_role_id", sa.BigInteger()))


def downgrade() -> None:
    """Drop ``subscriptions.ping_role_id``."""
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("ping_role_id")
