"""The answer engine: questions answered by quoting the sentences of stored articles.

- :class:`AnswerEngine` answers from the store (full-text candidates, stored analyses) or from
  documents given to its own :class:`SentenceIndex`.
- :func:`rank` scores the sentences of a pool for a question (BM25 lifted by article, context,
  answer type and salience); :class:`Params` holds its few knobs.
"""

from __future__ import annotations

import logging

from bot.answer.engine import DEFAULT_DAYS, Answer, AnswerEngine
from bot.answer.index import DocKey, DocRef, IndexedDoc, SentenceIndex
from bot.answer.rank import Params, Scored, rank

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_DAYS",
    "Answer",
    "AnswerEngine",
    "DocKey",
    "DocRef",
    "IndexedDoc",
    "Params",
    "Scored",
    "SentenceIndex",
    "rank",
]
