"""The answer index in the database: each article's analysed sentences, shared by processes.

``/ask`` reads the few articles the full-text index ranks first, with their analysis stored here,
so no process holds the whole archive in memory. ``articles.first_seen`` gets an index: time
windows count an article stored recently as recent, whenever it was published. On SQLite an
``fts5vocab`` table tells how many articles hold a term (PostgreSQL's statistics say it there).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``answer_docs`` and index ``articles.first_seen``."""
    op.create_table(
        "answer_docs",
        sa.Column(
            "article_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("text_hash", sa.String(16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index("ix_articles_first_seen", "articles", ["first_seen"])
    if op.get_bind().dialect.name == "sqlite":
        # How many articles hold each term: /ask leaves the commonest out of its first stage.
        op.execute("CREATE VIRTUAL TABLE articles_fts_vocab USING fts5vocab(articles_fts, row)")


def downgrade() -> None:
    """Drop the stored analyses and the index."""
    op.execute("DROP TABLE IF EXISTS articles_fts_vocab")
    op.drop_index("ix_articles_first_seen", table_name="articles")
    op.drop_table("answer_docs")
