"""Is a feed's text only a teaser? Then the article page is worth fetching.

Apart from :mod:`bot.feeds.extract` so the event-loop side can decide without importing
trafilatura (only worker processes extract).
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
# Chinese and Japanese have no spaces: a run of these counts as one word per two characters.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A truncation marker is believed on a short last line, or at the end of a long one right after
# a sentence ends ("... the vote. Continue reading →"), never in the middle of prose.
_MARKER_LINE_WORDS = 12
_WORDS_AFTER_MARKER = 8  # "Continue reading “Harbour wall” on The Coast Courier"
_MARKERS = (
    r"\b(?:continue|keep)\s+reading\b"
    r"|\bread\s+(?:more|on|the\s+(?:full|rest|whole|entire))\b"
    r"|\b(?:full|whole)\s+(?:story|article)\b"
    r"|\blire\s+la\s+suite\b|\bweiterlesen\b|\bleia\s+mais\b|\bleggi\s+(?:tutto|di\s+più)\b"
    r"|\b(?:seguir|sigue|continuar)\s+leyendo\b|\bleer\s+más\b|\blees\s+verder\b"
)
_MARKER = re.compile(_MARKERS, re.IGNORECASE)
_MARKER_AFTER_SENTENCE = re.compile(r"[.!?…][\"'”’)]*\s+(?:" + _MARKERS + ")", re.IGNORECASE)
_ELIDED = re.compile(r"\[\s*(?:\.{3}|…)\s*\]\s*$")  # WordPress excerpts: "[...]", "[…]"


def count_words(text: str) -> int:
    """Words in ``text``: runs of word characters; Chinese/Japanese count a word per 2 chars."""
    cjk = sum((len(run) + 1) // 2 for run in _CJK.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk


def has_truncation_marker(text: str) -> bool:
    """Whether ``text`` ends like a cut excerpt: "[…]", "Continue reading", "Read more" and kin."""
    last = next((line for line in reversed(text.strip().splitlines()) if line.strip()), "")
    if _ELIDED.search(last):
        return True
    if count_words(last) <= _MARKER_LINE_WORDS:
        return bool(_MARKER.search(last))
    return any(
        count_words(last[match.end() :]) <= _WORDS_AFTER_MARKER
        for match in _MARKER_AFTER_SENTENCE.finditer(last)
    )


def is_teaser(text: str, *, min_words: int = 150) -> bool:
    """Whether a feed's best text is only a teaser, so the article page is worth fetching.

    True under ``min_words`` words or when the text ends with a truncation marker;
    ``min_words <= 0`` turns full-text fetching off (always False).
    """
    if min_words <= 0:
        return False
    return count_words(text) < min_words or has_truncation_marker(text)
