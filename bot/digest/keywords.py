"""Keywords: the content words found in most sentences, favouring the title and sub-headings."""

from __future__ import annotations

import heapq
import logging
from collections import Counter
from collections.abc import Sequence

log = logging.getLogger(__name__)

MIN_KEYWORDS = 5
MAX_KEYWORDS = 8
TITLE_BONUS = 2.0  # a word of the title or of a sub-heading counts this much more
EARLY_BONUS = 0.5  # a word of the first sentences: news states its subject first
EARLY_SENTENCES = 3
MIN_LENGTH = 3


def keywords(
    body: Sequence[frozenset[str]],
    tokens: Sequence[Sequence[str]],
    stems: dict[str, str],
    *,
    emphasised: Sequence[frozenset[str]] = (),
) -> tuple[str, ...]:
    """5 to 8 keywords, best first (fewer only when the text has fewer content words).

    ``body`` holds each sentence's stemmed content terms, ``emphasised`` those of the title and
    sub-headings; ``tokens`` are the words as written and ``stems`` maps lower-cased words to
    their stems, to show each keyword in its usual spelling.
    """
    score: dict[str, float] = {}
    weighted = [(terms, 1.0 + TITLE_BONUS) for terms in emphasised]
    weighted += [
        (terms, 1.0 + (EARLY_BONUS if i < EARLY_SENTENCES else 0.0)) for i, terms in enumerate(body)
    ]
    for terms, weight in weighted:
        for term in terms:
            score[term] = score.get(term, 0.0) + weight
    order = {key: n for n, key in enumerate(score)}  # first seen: ties go to the earlier word
    ranked = heapq.nsmallest(  # keys are unique (first-seen order), so this is a stable sort
        MAX_KEYWORDS,
        (k for k in score if len(k) >= MIN_LENGTH and not k.isdigit()),
        key=lambda k: (-score[k], order[k]),
    )
    chosen = [k for n, k in enumerate(ranked) if n < MIN_KEYWORDS or score[k] >= 2]
    spellings = _spellings(frozenset(chosen), body, tokens, stems)
    return tuple(_display(spellings[k]) for k in chosen if spellings.get(k))


def _spellings(
    keys: frozenset[str],
    body: Sequence[frozenset[str]],
    tokens: Sequence[Sequence[str]],
    stems: dict[str, str],
) -> dict[str, Counter[str]]:
    """How each chosen stem is written in the text, possessives dropped ("Russia’s": "Russia")."""
    found: dict[str, Counter[str]] = {}
    for terms, sentence in zip(body, tokens, strict=True):
        if terms.isdisjoint(keys):
            continue
        for token in sentence:
            key = stems.get(token.lower())
            if key in keys:
                bare = token[:-2] if token.endswith(("'s", "’s")) else token
                found.setdefault(key, Counter())[bare] += 1
    return found


def _display(forms: Counter[str]) -> str:
    """The usual spelling of a word: capitalised only when always written so (a name)."""
    best = max(forms, key=lambda f: (forms[f], f))
    return best if all(f[:1].isupper() for f in forms) else best.lower()
