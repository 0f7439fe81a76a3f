"""English "-ied" stems like "-ies" ("denied" meets "deny"): every answer analysis is made again.

The analyses in ``answer_docs`` and the postings and counts built from them hold "denied" as
"deni", where a question's "deny" or "denies" is now "deny" as "denied" is. Deleting them makes
the catch-up job (``AnswerEngine.catch_up``) analyse the archive again in the background and write
the recent articles' postings; until it has, /ask ranks with the full-text index, as after 0016.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Forget the analyses, postings and counts made with the old "-ied" stems."""
    _forget_answer_index()


def downgrade() -> None:
    """Forget those made with the new ones (the old code would miss "denied" in them)."""
    _forget_answer_index()


def _forget_answer_index() -> None:
    # '' is the total row (bot.store.postings.TOTAL when this was written): it stays, emptied.
    op.execute("DELETE FROM answer_postings")
    op.execute("DELETE FROM answer_terms WHERE term <> ''")
    op.execute("UPDATE answer_terms SET articles = 0, length = 0 WHERE term = ''")
    op.execute("DELETE FROM answer_docs")
