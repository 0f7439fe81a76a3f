"""Workers with heartbeats; claims of feeds and deliveries name the worker that made them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
CLAIMED = ("feeds", "deliveries")


def upgrade() -> None:
    """Add ``workers`` and the ``claimed_by``/``claimed_at`` columns."""
    op.create_table(
        "workers",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("heartbeat_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workers"),
        # Ids are never reused (SQLite would reuse a deleted highest id): claims name them.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_workers_name", "workers", ["name"])
    for table in CLAIMED:
        # No foreign key: a claim outlives its worker's row (that is how it is taken over).
        op.add_column(table, sa.Column("claimed_by", ID))
        op.add_column(table, sa.Column("claimed_at", WHEN))
        op.create_index(f"ix_{table}_claimed_by", table, ["claimed_by"])


def downgrade() -> None:
    """Drop the claim columns and ``workers``."""
    for table in CLAIMED:
        op.drop_index(f"ix_{table}_claimed_by", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("claimed_at")
            batch.drop_column("claimed_by")
    op.drop_index("ix_workers_name", table_name="workers")
    op.drop_table("workers")
