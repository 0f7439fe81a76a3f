"""Ranking sentences for a question: BM25 over sentences, lifted by their article and context.

The score of sentence *s* of article *d* for question *q*, each part scaled by the pool's best::

    bm25(q, s) / best
      + context * (bm25(q, s-1) + bm25(q, s+1) [+ anaphora * bm25(q, s-1)]) / best
      + document * bm25(q, d) / best_article
      + answer_type * [s holds what q asks for (a date, a number, a name) beyond q's own words]
      + salience * the digest engine's relevance of s within d
      + novelty * the share of s's words that q does not use
      + coverage * the share of q's idf mass that s and its neighbours match

Questions paraphrase the answer sentence: they keep its words and put a question word where the
answer was. So the answer sentence holds words the question does not (the answer), and what a
"when" asks for is a time the question does not already name; a sentence made only of the
question's words restates it. Questions also share words with the answer's neighbours and its
article, hence the context and document parts; a sentence opening with a pronoun ("It was
worth...") leans on the one before it. BM25 rewards a sentence for repeating a word of the
question; coverage counts each word once, so a passage holding most of what the question names
ranks above one that says its topic five times. Words of a small thesaurus
(``bot.answer.related``) match for ``related`` of their weight. idf and mean lengths are
computed over the pool only.

Confidence: a sentence is quoted only when it and its neighbours match at least
``min_coverage`` of the question's idf mass (a word no article uses weighs the most), and only
from an article that names the question's rarest name found in the pool, in its title or text
(when the question names something: "Tesla", "UMC", "iPhone"; an acronym is also named by what
it abbreviates); a question naming only things no article mentions answers nothing.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection
from dataclasses import dataclass

from bot.answer.index import DocKey, IndexedDoc, SentenceIndex
from bot.answer.related import related
from bot.answer.tokenize import Want, expansion, name_terms, offers_beyond, question_terms, wanted

log = logging.getLogger(__name__)

RERANK = 50  # sentences whose text _finish reads for the answer-type check, at most


@dataclass(frozen=True, slots=True)
class Params:
    """The ranking's few knobs: context, document, answer_type, novelty and coverage as most
    folds chose them in a 5-fold validation over 28 Wikipedia articles, the dev split's 17 and 11
    from SQuAD's training split (benchmarks/ask_validate.py --also), the rest as tuned on dev
    before."""

    k1: float = 1.2  # BM25 term-frequency saturation
    b: float = 0.75  # BM25 length normalisation
    context: float = 0.1  # share of the neighbours' scores a sentence inherits
    anaphora: float = 1.0  # s opening with a pronoun: extra share (x context) of s-1's score
    document: float = 0.6  # weight of the article's own BM25 score
    answer_type: float = 0.3  # bonus when the sentence holds the kind of answer asked for
    salience: float = 0.05  # weight of the digest engine's sentence relevance
    related: float = 0.5  # a related word (bot.answer.related) counts this much of the word
    # Share of the question's idf mass the sentence (with its neighbours) must match to be
    # quoted: below it, the answer is "nothing relevant".
    min_coverage: float = 0.3
    novelty: float = 0.6  # weight of the share of the sentence's words the question does not use
    coverage: float = 0.8  # weight of the share of q's idf mass s and its neighbours match


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate answer: a sentence of an article, its score and how much of q it covers."""

    doc: IndexedDoc
    position: int  # index into doc.sentences
    score: float
    coverage: float


@dataclass(slots=True)
class _Pool:
    docs: dict[DocKey, IndexedDoc]
    sentences: int
    mean_sentence: float
    mean_doc: float


@dataclass(slots=True)
class _Evidence:
    sent: dict[tuple[DocKey, int], float]  # BM25 of each (article, sentence) with a match
    matched: dict[tuple[DocKey, int], set[str]]  # the question terms each of them holds
    doc_scores: dict[DocKey, float]  # BM25 of each article with a match
    weights: dict[str, float]  # idf of each question term over the pool's sentences
    want: Want
    names: set[str]  # terms of the names the question mentions
    question: str
    vocabulary: set[str]  # the question's terms and their related words


def rank(
    index: SentenceIndex,
    question: str,
    keys: Collection[DocKey] | None = None,
    params: Params | None = None,
) -> list[Scored]:
    """Candidate sentences of the pool (``keys``, else every article) for ``question``, best
    first; those covering too little of the question are left out."""
    p = params or Params()
    q_terms = question_terms(question)
    names = set(name_terms(question))
    pool = _pool(index, keys)
    if not q_terms or not pool.docs:
        return []
    ev = _Evidence({}, {}, {}, {}, wanted(question), names, question, _vocabulary(q_terms))
    for term in q_terms:
        ev.weights[term] = _idf(pool.sentences, _sentence_df(index, pool, term))
        variants = [(term, 1.0)] + [(r, p.related) for r in sorted(related(term))]
        for variant, factor in variants:
            _score_term(index, pool, ev, term=term, variant=variant, factor=factor, p=p)
    if not ev.sent:
        return []
    return _finish(_combine(pool, ev, p), ev, p)


def vocabulary(question: str) -> set[str]:
    """Every term :func:`rank` looks up for ``question``: its terms and their related words."""
    return _vocabulary(question_terms(question))


def _vocabulary(q_terms: list[str]) -> set[str]:
    found = set(q_terms)
    for term in q_terms:
        found.update(related(term))
    return found


def _sentence_df(index: SentenceIndex, pool: _Pool, term: str) -> int:
    return sum(len(occ) for k, occ in index.postings(term).items() if k in pool.docs)


def _score_term(
    index: SentenceIndex,
    pool: _Pool,
    ev: _Evidence,
    *,
    term: str,
    variant: str,
    factor: float,
    p: Params,
) -> None:
    """Add the BM25 contributions of ``variant`` (``term`` itself or a related word)."""
    hits = [(k, occ) for k, occ in index.postings(variant).items() if k in pool.docs]
    idf = factor * _idf(pool.sentences, sum(len(occ) for _, occ in hits))
    doc_idf = factor * _idf(len(pool.docs), len(hits))
    for key, occ in hits:
        doc = pool.docs[key]
        for position, tf in occ:
            norm = 1 - p.b + p.b * doc.lengths[position] / pool.mean_sentence
            spot = (key, position)
            ev.sent[spot] = ev.sent.get(spot, 0.0) + idf * tf * (p.k1 + 1) / (tf + p.k1 * norm)
            ev.matched.setdefault(spot, set()).add(term)
        tf = doc.doc_tf[variant]
        norm = 1 - p.b + p.b * doc.doc_length / pool.mean_doc
        gain = doc_idf * tf * (p.k1 + 1) / (tf + p.k1 * norm)
        ev.doc_scores[key] = ev.doc_scores.get(key, 0.0) + gain


def _named_docs(pool: _Pool, e: _Evidence) -> set[DocKey] | None:
    """Articles naming the question's rarest name found in the pool (None: no name asked).

    An article without it (e.g. without "Rhine" for "the Rhine forms the border between Austria
    and what?") is about something else. An article names it in its title or its text. An
    acronym is also named by what it abbreviates: "UMC" by "United Methodist Church".
    """
    if not e.names:
        return None
    by_doc: dict[DocKey, set[str]] = {}
    for (key, _), found in e.matched.items():
        by_doc.setdefault(key, set()).update(found)
    for name in e.names:
        spelled = expansion(e.question, name)
        if spelled is None:
            continue
        for key, found in by_doc.items():
            if name not in found and any(spelled.search(s.text) for s in pool.docs[key].sentences):
                found.add(name)
    for key, found in by_doc.items():
        # A headline names what its article is about where the sentences may not ("Chopin"
        # throughout, "Frédéric Chopin" in the title): doc_tf counts the title's terms too.
        found.update(name for name in e.names if pool.docs[key].doc_tf.get(name))
    present = {t for found in by_doc.values() for t in found} & e.names
    if not present:
        return set()
    rarest = max(present, key=lambda t: (e.weights[t], t))
    return {key for key, found in by_doc.items() if rarest in found}


def _combine(pool: _Pool, e: _Evidence, p: Params) -> list[Scored]:
    sent, matched, weights = e.sent, e.matched, e.weights
    best = max(sent.values())
    best_doc = max(e.doc_scores.values()) or 1.0
    total = sum(weights.values()) or 1.0
    named = _named_docs(pool, e)
    spots = set(sent)
    spots.update((k, i + d) for k, i in sent for d in (-1, 1))  # a neighbour may hold the answer
    out = []
    for key, position in spots:
        doc = pool.docs[key]
        if not 0 <= position < len(doc.sentences):
            continue
        own = sent.get((key, position), 0.0)
        before = sent.get((key, position - 1), 0.0)
        near = before + sent.get((key, position + 1), 0.0)
        if doc.leans_back[position]:  # "It was ...": the previous sentence says what "it" is
            near += p.anaphora * before
        covered = set(matched.get((key, position), ()))
        for side in (position - 1, position + 1):
            covered.update(matched.get((key, side), ()))
        coverage = sum(weights[t] for t in covered) / total
        if coverage < p.min_coverage or (named is not None and key not in named):
            continue
        score = (own + p.context * near) / best + p.document * e.doc_scores[key] / best_doc
        if e.want is not Want.ANY and e.want in doc.offers[position]:
            score += p.answer_type  # until _finish reads whether it is beyond q's own words
        score += p.salience * doc.salience[position] + p.coverage * coverage
        if doc.lengths[position]:
            used = sum(n for t, n in doc.tfs[position].items() if t in e.vocabulary)
            score += p.novelty * max(0, doc.lengths[position] - used) / doc.lengths[position]
        out.append(Scored(doc, position, score, coverage))
    out.sort(key=_order)
    return out


def _finish(ranked: list[Scored], e: _Evidence, p: Params) -> list[Scored]:
    """``ranked`` with the answer-type bonus read from sentence text for the few sentences that
    could reach the top three: kept only when the kind asked for is there beyond the question's
    words.

    The check can only take a bonus away, so a sentence's score here is its best case.
    Sentences are finished from the best down, until the next is below the third best finished
    score: the rest cannot reach the top three and keep their places below it (with a bonus
    their text may not confirm).
    """
    if e.want is Want.ANY:
        return ranked
    finished: list[Scored] = []
    third = -math.inf
    for s in ranked[:RERANK]:
        if s.score < third:
            break  # the scores only go down from here
        score = s.score
        text = s.doc.sentences[s.position].text
        if e.want in s.doc.offers[s.position] and not offers_beyond(text, e.want, e.question):
            score -= p.answer_type
        finished.append(Scored(s.doc, s.position, score, s.coverage))
        if len(finished) >= 3:
            third = sorted((f.score for f in finished), reverse=True)[2]
    return sorted(finished, key=_order) + ranked[len(finished) :]


def _order(s: Scored) -> tuple[float, str, int]:
    """Best first; ties by article key and position, so answers never depend on insertion."""
    return (-s.score, str(s.doc.ref.key), s.position)


def _idf(n: int, df: int) -> float:
    """Okapi idf floored at a small positive value (Lucene's form: never negative)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _pool(index: SentenceIndex, keys: Collection[DocKey] | None) -> _Pool:
    docs = {d.ref.key: d for d in index.docs(keys)}
    n_sentences = sum(len(d.lengths) for d in docs.values())
    sentence_terms = sum(sum(d.lengths) for d in docs.values())
    doc_terms = sum(d.doc_length for d in docs.values())
    return _Pool(
        docs=docs,
        sentences=n_sentences,
        mean_sentence=(sentence_terms / n_sentences if n_sentences else 0.0) or 1.0,
        mean_doc=(doc_terms / len(docs) if docs else 0.0) or 1.0,
    )
