"""Channel controls: quiet hours, a daily cap and a digest maximum per channel; held posts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``channel_controls``; add ``held``, ``held_at`` and ``cap_day`` to deliveries."""
    op.create_table(
        "channel_controls",
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("quiet_start", sa.String(5)),
        sa.Column("quiet_end", sa.String(5)),
        sa.Column("daily_cap", sa.Integer()),
        sa.Column("digest_max", sa.Integer()),
        sa.Column("updated_by", sa.BigInteger()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name="pk_channel_controls"),
    )
    op.create_index("ix_channel_controls_guild_id", "channel_controls", ["guild_id"])
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("held", sa.String(16)))
        batch.add_column(sa.Column("held_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("cap_day", sa.String(10)))
    op.create_index("ix_deliveries_channel_cap_day", "deliveries", ["channel_id", "cap_day"])


def downgrade() -> None:
    """Drop what :func:`upgrade` added."""
    op.drop_index("ix_deliveries_channel_cap_day", "deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("cap_day")
        batch.drop_column("held_at")
        batch.drop_column("held")
    op.drop_table("channel_controls")
