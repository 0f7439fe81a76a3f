"""British spellings stem as American ones ("colour" meets "color"): answers are analysed again.

The analyses in ``answer_docs`` and the postings and counts built from them hold "colour" and
"defence" as written, where a question's "color" or "defense" (or the same words in an American
outlet's article) now stem as they do. Deleting them makes the catch-up job
(``AnswerEngine.catch_up``) analyse the archive again in the background and write the recent
articles' postings; until it has, /ask ranks with the full-text index, as after 0016 and 0018.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Forget the analyses, postings and counts made with British spellings as written."""
    _forget_answer_index()


def downgrade() -> None:
    """Forget those made with the new stems (the old code would miss "colour" in them)."""
    _forget_answer_index()


def _forget_answer_index() -> None:
    # '' is the total row (bot.store.postings.TOTAL when this was written): it stays, emptied.
    op.execute("DELETE FROM answer_postings")
    op.execute("DELETE FROM answer_terms WHERE term <> ''")
    op.execute("UPDATE answer_terms SET articles = 0, length = 0 WHERE term = ''")
    op.execute("DELETE FROM answer_docs")
