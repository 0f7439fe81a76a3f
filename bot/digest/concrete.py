"""What a sentence states concretely: amounts, and whether it is anchored in the past.

News readers' key points carry amounts ("400,000 customers", "eight years", "4.5 percent") and
leave out background, which news anchors in the past ("First proposed in 2012", "in the 1990s",
"last week", "decades ago"). Digits and years are read in any language; number words and the
words of time are English (other languages count digits only).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from bot.digest.language import word_set

log = logging.getLogger(__name__)

_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")
_DECADE = re.compile(r"(?:1[5-9]|20)\d0s")
_DIGIT = re.compile(r"\d")
# Amounts written out are as concrete as digits ("eight years", "two of its managers"); "one" is
# left out (a pronoun as often as a number), and so are orders of magnitude ("hundreds of").
_NUMBER_WORDS = word_set(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty
    fifty sixty seventy eighty ninety hundred thousand million billion trillion dozen half"""
)
# A day of the month is a date, not an amount ("on 12 June", "June 12").
_MONTHS = word_set(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec"""
)
_PAST_MARKERS = frozenset(("last", "previous", "earlier"))
_PAST_UNITS = word_set("week weeks month months year years decade decades century centuries")


def amounts(tokens: Sequence[str]) -> int:
    """How many amounts ``tokens`` state: a run of digits and number words is one amount
    ("2.7 million", "€1.1 billion"); years and days of the month are not amounts."""
    count = 0
    run = False
    for n, token in enumerate(tokens):
        number = bool(_DIGIT.search(token)) or token.lower() in _NUMBER_WORDS
        if number and not run and not _YEAR.fullmatch(token) and not _day(tokens, n):
            count += 1
        run = number
    return count


def in_past(tokens: Sequence[str]) -> bool:
    """Whether a sentence is anchored in the past: a year or a decade, "last week", "ago"."""
    for n, token in enumerate(tokens):
        low = token.lower()
        if _YEAR.fullmatch(token) or _DECADE.fullmatch(token) or low == "ago":
            return True
        if low in _PAST_MARKERS and n + 1 < len(tokens) and tokens[n + 1].lower() in _PAST_UNITS:
            return True
    return False


def _day(tokens: Sequence[str], n: int) -> bool:
    """Whether the number at ``tokens[n]`` is a day next to a month's name."""
    if not (tokens[n].isdigit() and len(tokens[n]) <= 2):
        return False
    near = [tokens[k] for k in (n - 1, n + 1) if 0 <= k < len(tokens)]
    return any(w[:1].isupper() and w.lower() in _MONTHS for w in near)  # "May", not "may"
