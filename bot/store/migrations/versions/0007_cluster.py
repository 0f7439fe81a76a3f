"""What the processes of one installation share: once-only records and Discord's rate budget.

``cluster_state`` holds small named records that used to live in a process's files (the
fingerprint of the last global command sync) or nowhere (when retention last ran), so that one
process does each once for the whole cluster. ``rate_budget`` is a token bucket per budget
name (Discord's global limit), refilled by the database's own clock.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``cluster_state`` and ``rate_budget``."""
    op.create_table(
        "cluster_state",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rate_budget",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("capacity", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("rate_budget")
    op.drop_table("cluster_state")
