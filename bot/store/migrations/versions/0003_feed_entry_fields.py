"""A feed's own item on its entries: title, summary, link, author, image and, when needed, text.

Articles are shared across feeds by canonical URL; what a feed's subscribers see comes from that
feed's own entry, so one feed can never choose the words another feed's subscribers read.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
TEXT_COLUMNS = ("title", "summary", "link", "author", "image_url", "text")


def upgrade() -> None:
    """Add the per-feed item columns (NULL in old rows: they show the shared article's)."""
    with op.batch_alter_table("entries") as batch:
        for name in TEXT_COLUMNS:
            batch.add_column(sa.Column(name, sa.Text()))
        batch.add_column(sa.Column("text_source", sa.String(16)))
        batch.add_column(sa.Column("digest", JSON))


def downgrade() -> None:
    """Drop the per-feed item columns."""
    with op.batch_alter_table("entries") as batch:
        for name in (*TEXT_COLUMNS, "text_source", "digest"):
            batch.drop_column(name)
