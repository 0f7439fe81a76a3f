"""Position prior: where a sentence stands says much about its weight in news writing.

News follows the inverted pyramid: the essentials come first and the prior decays with distance
from the start. In a text without paragraphs that distance is counted in words, not sentences:
the lead is the opening few dozen words, however many sentences they make, so one long opening
sentence uses up more of it than a short one.

When the text has real paragraphs, rank is counted in paragraphs (a paragraph's first sentence is
its topic sentence; the others get ``inner``) and every sub-heading opens a new, smaller pyramid
(``section``). When sub-headings follow a lead block, its closing paragraph, which carries the
lead's qualification, gets a floor (``closing``). The article's own last paragraph gets none: it
is mostly a routine closing line. (Key points of sub-headed articles are chosen by
``bot.digest.sections``; this prior ranks the lead block there and serves ``sentence_scores``.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.digest.params import Params
from bot.digest.sentences import Sentence

log = logging.getLogger(__name__)

MIN_PARAGRAPHS = 4  # fewer paragraphs than this: treat the text as one run of sentences


def position_prior(body: Sequence[Sentence], n_words: Sequence[int], params: Params) -> list[float]:
    """Prior in 0..1 for each body sentence (headings excluded; ``n_words`` each), in order."""
    if not body:
        return []
    paragraphs = sorted({s.paragraph for s in body})
    if len(paragraphs) < MIN_PARAGRAPHS:
        prior, before = [], 0
        for count in n_words:
            prior.append(_decay(before, params.lead_words))
            before += count
        return prior
    rank = {p: n for n, p in enumerate(paragraphs)}
    first_rank: dict[int, int] = {}  # section -> rank of its first paragraph
    last_par: dict[int, int] = {}  # section -> its last paragraph
    for s in body:
        first_rank.setdefault(s.section, rank[s.paragraph])
        last_par[s.section] = s.paragraph
    # A lead block before sub-headings ends on a paragraph that qualifies the lead; an article's
    # own last paragraph gets no floor (mostly a routine closing line).
    closings = {last_par[0]} if len(last_par) > 1 and 0 in last_par else set()
    prior = []
    for i, s in enumerate(body):
        opening = i == 0 or body[i - 1].paragraph != s.paragraph
        factor = 1.0 if opening else params.inner
        value = _decay(rank[s.paragraph], params.decay)
        if s.section:
            local = rank[s.paragraph] - first_rank[s.section]
            value = max(value, params.section * _decay(local, params.decay))
        if opening and s.paragraph in closings:
            value = max(value, params.closing)
        prior.append(value * factor)
    return prior


def _decay(distance: int, half: float) -> float:
    # Flat at first, then falling: the lead is a block, not a single sentence.
    return 1.0 / (1.0 + (distance / half) ** 2)
