"""Impact-ordered postings: /ask's first stage reads a few index entries per stem.

``answer_postings`` holds, for every recent analysed article, one row per stem with its BM25
term-frequency weight in the key, so a stem's best articles are read in order; ``answer_terms``
counts the articles holding each stem (``bot.store.postings``). The recent articles' analyses are
deleted so the catch-up job analyses them again and writes their postings in the background;
until it has, /ask ranks with the full-text index as before.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

HORIZON = timedelta(days=8)  # bot.store.postings.HORIZON when this was written


def upgrade() -> None:
    """Create the postings and the stems' counts; re-analyse the recent articles."""
    article_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "answer_postings",
        sa.Column("term", sa.String(64), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column(
            "article_id",
            article_id,
            sa.ForeignKey(
                "articles.id",
                ondelete="CASCADE",
                name="fk_answer_postings_article_id_articles",
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("term", "weight", "article_id", name="pk_answer_postings"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_answer_postings_article_id", "answer_postings", ["article_id"])
    if op.get_bind().dialect.name == "postgresql":
        # Postings are read from their index alone once vacuum has marked their pages visible:
        # vacuum after 2 % new rows, not autovacuum's default 20 %.
        op.execute("ALTER TABLE answer_postings SET (autovacuum_vacuum_insert_scale_factor = 0.02)")
    op.create_table(
        "answer_terms",
        sa.Column("term", sa.String(64), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("length", article_id, nullable=False),
        sa.PrimaryKeyConstraint("term", name="pk_answer_terms"),
    )
    op.execute("INSERT INTO answer_terms (term, articles, length) VALUES ('', 0, 0)")
    cut = datetime.now(UTC) - HORIZON
    # SQLite keeps naive UTC text, PostgreSQL timestamptz: DateTime binds either.
    when = sa.bindparam("cut", cut, type_=sa.DateTime(timezone=True))
    recent = op.get_bind().scalar(
        sa.text("SELECT min(id) FROM articles WHERE first_seen >= :cut").bindparams(when)
    )
    if recent is not None:
        op.execute(sa.text(f"DELETE FROM answer_docs WHERE article_id >= {int(recent)}"))


def downgrade() -> None:
    """Drop the postings and the counts (the analyses stay valid)."""
    op.drop_table("answer_terms")
    op.drop_index("ix_answer_postings_article_id", table_name="answer_postings")
    op.drop_table("answer_postings")
