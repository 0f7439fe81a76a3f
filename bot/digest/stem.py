"""A light, deterministic stemmer: enough to match "troops"/"troop" or "warned"/"warning".

English gets a few suffix rules (a tiny subset of Porter's step 1); other languages are cut to a
fixed prefix, the language-agnostic trick that works about as well as a stemmer for matching.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

PREFIX_CHARS = 6


def stem(word: str, language: str = "en") -> str:
    """The stem of a lower-cased ``word`` in ``language`` (ISO 639-1 or "und")."""
    if language != "en":
        return word[:PREFIX_CHARS]
    n = len(word)
    if n <= 3:
        return word
    if word.endswith(("'s", "’s")):
        word, n = word[:-2], n - 2
    if n > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif n > 5 and word.endswith("ing"):
        word = _undouble(word[:-3])
    elif n > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = _undouble(word[:-2])
    elif word.endswith("sses"):
        word = word[:-2]
    elif n > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # "announce" and "announced" meet at "announc", as in Porter's last step.
    if len(word) > 4 and word.endswith("e"):
        return word[:-1]
    return word


def _undouble(base: str) -> str:
    # "stopped" -> "stopp" -> "stop"; keeps "ll"/"ss" words ("called" -> "call").
    if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
        return base[:-1]
    return base
