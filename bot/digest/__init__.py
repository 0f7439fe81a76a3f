"""The digest engine: key points, TL;DR, keywords and reading time of one article.

Pure and deterministic: text in, :class:`bot.models.Digest` out; no I/O, no models to download.

- :func:`summarize` is the entry point.
- :func:`split_sentences` gives the sentences (and sub-headings) with their character offsets.
- :func:`sentence_scores` gives each body sentence's relevance (lead-aware salience), for modules
  that rank sentences for other purposes, e.g. choosing which sentences to cite in an answer.
"""

from __future__ import annotations

import logging

from bot.digest.engine import sentence_scores, summarize
from bot.digest.language import detect_language, stop_words
from bot.digest.params import Params
from bot.digest.sentences import Sentence, split_sentences

log = logging.getLogger(__name__)

__all__ = [
    "Params",
    "Sentence",
    "detect_language",
    "sentence_scores",
    "split_sentences",
    "stop_words",
    "summarize",
]
