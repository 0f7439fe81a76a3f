"""Key-point selection: lead-aware salience with topic coverage and no redundancy.

Each body sentence gets a relevance score mixing three interpretable signals:

- *position*: news puts the essentials first (the inverted pyramid) and every sub-heading opens a
  smaller pyramid, so the prior decays with rank in the article and in the section (``position``);
- *centrality*: how many other sentences share its content words (a cheap degree-centrality, the
  idea behind LexRank without the power iteration), plus overlap with the title when there is one;
- *quality*: fragments, bylines and glued photo captions are down-weighted (see ``features``).

Sentences are then picked greedily by maximal marginal relevance (MMR): relevance minus similarity
to what is already picked, so a later sentence wins when it brings a topic the lead does not cover.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from bot.digest.features import SentenceFeatures, similarity
from bot.digest.params import Params
from bot.digest.position import position_prior
from bot.digest.sentences import Sentence

log = logging.getLogger(__name__)

MIN_CENTRALITY = 2.0  # raw centrality (shared words / sqrt(length)) that counts as fully central


def relevance(
    feats: Sequence[SentenceFeatures],
    body: Sequence[Sentence],
    title_terms: frozenset[str] = frozenset(),
    params: Params | None = None,
) -> list[float]:
    """Relevance of each body sentence (about 0..1.1), before redundancy is taken into account."""
    params = params or Params()
    if not feats:
        return []
    central = centrality(feats)
    prior = position_prior(body, [feat.n_words for feat in feats], params)
    lead = params.structured_lead if any(s.section for s in body) else params.lead
    scores = []
    for i, feat in enumerate(feats):
        score = lead * prior[i] + (1.0 - lead) * central[i]
        if title_terms and feat.terms:
            score += params.title * len(feat.terms & title_terms) / len(title_terms)
        scores.append(score * feat.quality)
    return scores


def centrality(feats: Sequence[SentenceFeatures]) -> list[float]:
    """How much of a sentence's content recurs in other sentences (degree centrality), 0..1."""
    df: Counter[str] = Counter()
    for feat in feats:
        df.update(feat.terms)
    raw = []
    for feat in feats:
        shared = sum(df[t] - 1 for t in feat.terms)
        # Dividing by sqrt(length) keeps long sentences from winning by size alone.
        raw.append(shared / (len(feat.terms) ** 0.5) if feat.terms else 0.0)
    # Scaled by the best sentence, but a word or two in common is not centrality: short texts
    # would otherwise crown any sentence that happens to repeat one word.
    top = max(*raw, MIN_CENTRALITY)
    return [r / top for r in raw]


def select(
    feats: Sequence[SentenceFeatures],
    scores: Sequence[float],
    count: int,
    params: Params | None = None,
) -> list[int]:
    """Indices of up to ``count`` sentences by MMR, best first (callers sort for article order)."""
    params = params or Params()
    candidates = [i for i, s in enumerate(scores) if s > 0] or list(range(len(scores)))
    picked: list[int] = []
    max_sim = [0.0] * len(scores)
    while candidates and len(picked) < count:
        best = max(candidates, key=lambda i: (scores[i] - params.redundancy * max_sim[i], -i))
        picked.append(best)
        candidates.remove(best)
        for i in candidates:
            max_sim[i] = max(max_sim[i], similarity(feats[i].terms, feats[best].terms))
    return picked
