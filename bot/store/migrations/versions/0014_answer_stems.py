"""English stems are inflections only now: every stored answer analysis is made again.

The analyses in ``answer_docs`` list each sentence's stemmed terms; a question is now stemmed
differently, so an old analysis would miss words it holds. Deleting them makes the catch-up job
(``AnswerEngine.catch_up``, which resumes after the highest analysed article) analyse the whole
archive again in the background; until it has, a question analyses its few candidates itself.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Forget the analyses made with the old stems."""
    op.execute("DELETE FROM answer_docs")


def downgrade() -> None:
    """Forget the analyses made with the new stems (the old code would misread them too)."""
    op.execute("DELETE FROM answer_docs")
