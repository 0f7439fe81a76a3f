"""Accent folding of words: "Beyoncé" meets "Beyonce", "Łódź" meets "Lodz", "Guðrún" "Gudrun".

One definition for every index that matches words: the answer index folds its terms with
:func:`fold`, and so do the full-text indexes (migration 0017): SQLite's tokenizer drops most
accents and its triggers replace the letters it keeps; PostgreSQL's ``unaccent`` dictionary maps
them the same way (tested letter by letter).
"""

from __future__ import annotations

import functools
import unicodedata

# Latin letters NFKD does not split into a base letter and a mark (as ``unaccent`` maps them).
_UNSPLIT = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ħ": "h",
        "ŧ": "t",
        "ŋ": "n",
        "ŀ": "l",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
    }
)


def fold(word: str) -> str:
    """``word`` (lower-cased) with its Latin letters' accents dropped ("beyoncé" -> "beyonce",
    "łódź" -> "lodz"): people type names without them. Other scripts are kept as they are."""
    return word if word.isascii() else _fold(word)  # most words: no cache entry spent on them


@functools.lru_cache(maxsize=65536)  # words recur; bounded for long runs
def _fold(word: str) -> str:
    out = []
    for char in word.translate(_UNSPLIT):
        split = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in split if not unicodedata.combining(c))  # "ﬁ" gives "fi"
        out.append(base if base.isascii() and base.isalpha() else char)
    return "".join(out)
