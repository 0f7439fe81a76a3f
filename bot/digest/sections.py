"""Key points of an article with sub-headings: the lead, then what each section adds.

A sub-headed article is a lead block followed by sections, each a small story of its own. After
the lead, every candidate is weighed by what it would add to the digest so far:

- in the lead block, its lead-aware relevance less its redundancy with the points chosen (MMR);
- in a later section, wherever it stands there, what it adds: its *new* content words (those
  the points chosen do not already say), its concrete quantities (numbers other than years:
  "400,000 customers", "4.5 percent") and a little centrality (it is about the article's
  subject), scaled by ``params.section``. A sentence anchored in a year ("First proposed in
  2012, ...") is background, which readers' summaries leave out, and counts half. A section
  that already gave a point gives another only when it clearly adds more (``SECTION_REPEAT``).

Section sentences get no position prior, so a routine closing line ("The next meeting is on
Friday.") wins only on what it says.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence

from bot.digest.features import SentenceFeatures, similarity
from bot.digest.params import Params
from bot.digest.sentences import Sentence

log = logging.getLogger(__name__)

SECTION_CENTRALITY = 0.25  # weight of centrality beside novelty for a section's sentence
# Novelty is new content words / sqrt(content words): about this much for a full, new sentence.
FULL_NOVELTY = 5.0
FULL_QUANTITIES = 2  # this many numbers make a sentence fully concrete
BACKGROUND = 0.5  # share of its weight a sentence naming a year loses
SECTION_REPEAT = 0.2  # cost of a second point from a section that gave one
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")
_NUMBER = re.compile(r"\d")


def has_sections(body: Sequence[Sentence]) -> bool:
    """Whether the article has sub-headings (some sentence stands after one)."""
    return any(s.section for s in body)


def select_sections(
    feats: Sequence[SentenceFeatures],
    body: Sequence[Sentence],
    scores: Sequence[float],
    central: Sequence[float],
    *,
    count: int,
    params: Params,
) -> list[int]:
    """Indices of up to ``count`` key points of a sub-headed article, best first."""
    candidates = [i for i, s in enumerate(scores) if s > 0 and feats[i].terms]
    candidates = candidates or list(range(len(scores)))  # all noise: still give the best
    lead_block = [i for i in candidates if not body[i].section] or candidates
    picked = [max(lead_block, key=lambda i: (scores[i], -i))]
    while len(picked) < count:
        covered = frozenset().union(*(feats[j].terms for j in picked))
        sections = {body[j].section for j in picked}
        best, value = -1, -math.inf
        for i in candidates:
            if i in picked:
                continue
            if body[i].section:
                gain = _section_gain(feats[i], central[i], covered, params)
                gain -= SECTION_REPEAT if body[i].section in sections else 0.0
            else:
                redundancy = max(similarity(feats[i].terms, feats[j].terms) for j in picked)
                gain = scores[i] - params.redundancy * redundancy
            if gain > value:
                best, value = i, gain
        if best < 0:
            break
        picked.append(best)
    return picked


def _section_gain(
    feat: SentenceFeatures, central: float, covered: frozenset[str], params: Params
) -> float:
    novelty = len(feat.terms - covered) / math.sqrt(len(feat.terms) or 1) / FULL_NOVELTY
    years = sum(1 for t in feat.tokens if _YEAR.fullmatch(t))
    quantities = sum(1 for t in feat.tokens if _NUMBER.search(t)) - years
    concrete = min(1.0, quantities / FULL_QUANTITIES)
    gain = novelty + params.quantities * concrete + SECTION_CENTRALITY * central
    return params.section * feat.quality * gain * (1.0 - BACKGROUND if years else 1.0)
