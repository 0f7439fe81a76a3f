"""The answer engine: questions answered by quoting the sentences of stored articles.

- :class:`AnswerEngine` keeps a :class:`SentenceIndex` up to date with the store and answers.
- :func:`rank` scores the sentences of a pool for a question (BM25 lifted by article, context,
  answer type and salience); :class:`Params` holds its few knobs.
"""

from __future__ import annotations

import logging

from bot.answer.engine import Answer, AnswerEngine
from bot.answer.index import DocKey, DocRef, IndexedDoc, SentenceIndex
from bot.answer.rank import Params, Scored, rank

log = logging.getLogger(__name__)

__all__ = [
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
