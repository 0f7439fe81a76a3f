"""Updates: edits of posted messages when a feed changes an item.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the entry's content hash, the subscription's switch and the outbox's edit times."""
    with op.batch_alter_table("entries") as batch:
        # NULL in rows stored before: their first hash is recorded, never taken for a change.
        batch.add_column(sa.Column("content_hash", sa.String(64)))
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column("updates", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("edit_due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True)))
        # Where a digest message shows the post (its embed's index): an edit keeps the order.
        batch.add_column(sa.Column("position", sa.Integer()))
        batch.create_index("ix_deliveries_edit_due_at", ["edit_due_at"])


def downgrade() -> None:
    """Drop the columns ``upgrade`` added."""
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_edit_due_at")
        batch.drop_column("position")
        batch.drop_column("edited_at")
        batch.drop_column("edit_due_at")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("updates")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("content_hash")
