"""Per-sentence features: content terms, noise (captions, bylines, fragments) and similarity.

Noise is judged on form only, so it works for any article: fragments and datelines without a
clause, over-long runs (photo captions glued to a sentence), site boilerplate, quoted speech.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from bot.digest.stem import stem

log = logging.getLogger(__name__)

# Chinese and Japanese are written without spaces: each ideograph or kana counts as one word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:['’][^\W_{_CJK}]+)?")
MIN_WORDS = 6  # shorter sentences are fragments ("'That's hilarious.") or bylines
MAX_WORDS = 55  # longer ones are mostly photo captions glued to a sentence, or run-on lists
# Quoted speech is colour more often than fact: readers' summaries paraphrase. A sentence loses
# up to this much in proportion to the share of it inside quotation marks.
QUOTES = "\"'“‘«„"
QUOTE_WEIGHT = 0.7
_QUOTED = re.compile(r"[“\"«„][^“”\"«»„]*[”\"»]")
# What a reader is told to do, not told: "Click here", "Sign up for our newsletter", "Read more".
_CALL_TO_ACTION = re.compile(
    r"(?:click|tap|sign up|subscribe|follow|share|read|watch|listen|download|join|register|"
    r"log in|see also|related)\b(?! (?:by|that|as|to the report)\b)",
    re.IGNORECASE,
)
_ENDS_STATEMENT = ".!…。！।॥۔։።"
_CLOSING_MARKS = "\"'”’»)]」』 "
# Matched against the lower-cased text: several times faster than re.IGNORECASE.
_BOILERPLATE = re.compile(
    r"scroll down for|click here|read more:|follow us|sign up|all rights reserved|"
    r"published:|updated:|share this|copyright|@\w+ on twitter"
)


@dataclass(frozen=True, slots=True)
class SentenceFeatures:
    """What the selector knows of one body sentence."""

    terms: frozenset[str]  # stemmed content words
    tokens: tuple[str, ...]  # every word, as written
    n_words: int
    quality: float  # 0..1: 1 for a well-formed sentence, lower for likely noise


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits, inner apostrophes kept)."""
    return WORD.findall(text)


def features(
    text: str,
    tokens: list[str],
    stops: frozenset[str],
    language: str,
    cache: dict[str, str],
    *,
    ends_line: bool = True,
) -> SentenceFeatures:
    """Content terms and a noise-aware quality score for one sentence and its ``words``.

    ``ends_line``: the sentence ends its line, so a missing final stop marks a caption; inside a
    line the cut before it was a guess (a caption glued on), so only its form is judged.
    """
    terms = set()
    # Each distinct word once: a sentence repeats its function words.
    for low in set(" ".join(tokens).lower().split(" ")) - stops if tokens else ():
        if len(low) < 2 and not low.isdigit():
            continue
        stemmed = cache.get(low)
        if stemmed is None:
            stemmed = cache[low] = stem(low, language)
        terms.add(stemmed)
    statement = _has_clause(tokens) and is_statement(text, final_stop=ends_line)
    quality = _quality(text, len(tokens)) if statement else 0.0
    return SentenceFeatures(frozenset(terms), tuple(tokens), len(tokens), quality)


def is_statement(text: str, *, final_stop: bool = True) -> bool:
    """Whether ``text`` states something: not a question, a list introduction ending in a
    colon, a call to action, or (``final_stop``) a line without final punctuation (a caption)."""
    core = text.rstrip(_CLOSING_MARKS)
    if not core or core[-1] in ":?;？：؟" or (final_stop and core[-1] not in _ENDS_STATEMENT):
        return False
    return not _CALL_TO_ACTION.match(text.lstrip(_CLOSING_MARKS + "*•-–—►"))


def _has_clause(tokens: list[str]) -> bool:
    """Whether there are at least two lower-case words: datelines, bylines and credits
    ("10:02 EST, 3 May 2013", "Daily Mail Reporter") have none, real clauses have several.
    Scripts without letter case (Chinese, Arabic...) cannot tell, so they pass."""
    lower = 0
    for token in tokens:
        if token[0].islower():
            lower += 1
            if lower == 2:
                return True
    return not any(t[0].isupper() for t in tokens)


def _quality(text: str, n_words: int) -> float:
    """Down-weights what readers skip: fragments, captions, bylines, all-caps banners."""
    if n_words < 3 or (not any(ch.islower() for ch in text) and any(ch.isupper() for ch in text)):
        return 0.0  # a fragment, or an all-caps banner
    quality = 1.0
    if n_words < MIN_WORDS:
        quality *= 0.3
    if n_words > MAX_WORDS:
        quality *= MAX_WORDS / n_words
    if _BOILERPLATE.search(text.lower()):
        quality *= 0.2
    quality *= 1.0 - (1.0 - QUOTE_WEIGHT) * _quoted_share(text)
    return quality


def _quoted_share(text: str) -> float:
    """Share of the characters of ``text`` inside quotation marks (1 for a pure quotation)."""
    if text[:1] in QUOTES:
        return 1.0
    inside = sum(len(m.group(0)) for m in _QUOTED.finditer(text))
    return min(1.0, inside / len(text))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine similarity of two term sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))
