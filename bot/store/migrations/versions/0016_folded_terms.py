"""Terms lose their accents ("Beyoncé" meets "Beyonce"): every answer analysis is made again.

The analyses in ``answer_docs`` and the postings and counts built from them hold the terms as
they were cut before; a question's terms are now folded, so an old analysis would miss every
accented word it holds. Deleting them makes the catch-up job (``AnswerEngine.catch_up``, which
resumes after the highest analysed article) analyse the archive again in the background and write
the recent articles' postings; until it has, /ask ranks with the full-text index as before.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Forget the analyses, postings and counts made with unfolded terms."""
    _forget_answer_index()


def downgrade() -> None:
    """Forget those made with folded terms (the old code would miss their accented words)."""
    _forget_answer_index()


def _forget_answer_index() -> None:
    # '' is the total row (bot.store.postings.TOTAL when this was written): it stays, emptied.
    op.execute("DELETE FROM answer_postings")
    op.execute("DELETE FROM answer_terms WHERE term <> ''")
    op.execute("UPDATE answer_terms SET articles = 0, length = 0 WHERE term = ''")
    op.execute("DELETE FROM answer_docs")
