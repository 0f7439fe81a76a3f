"""An in-memory sentence index, updated article by article as articles are stored.

Each article is split once (with the digest engine's splitter, so positions match key points),
its sentences cut into terms and scored for salience; postings map a term to the sentences that
hold it. Nothing is rebuilt per question: a question only walks the postings of its own terms,
and pool statistics (idf, mean lengths) are summed over the articles of its pool.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.answer.tokenize import Want, leans_back, offers, terms
from bot.digest import Sentence, sentence_scores, split_sentences

log = logging.getLogger(__name__)

DocKey = int | str


@dataclass(frozen=True, slots=True)
class DocRef:
    """What an answer cites of its article."""

    key: DocKey  # the article's id in the store (or a document id in a batch)
    title: str
    link: str | None = None
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    """One article as the index holds it: its sentences, their terms and signals."""

    ref: DocRef
    sentences: tuple[Sentence, ...]  # body sentences only (headings are never answers)
    tfs: tuple[dict[str, int], ...]  # term frequencies per sentence
    lengths: tuple[int, ...]  # terms per sentence
    doc_tf: dict[str, int]  # term frequencies of the whole article, title included
    doc_length: int
    salience: tuple[float, ...]  # the digest engine's relevance, 0..1, per sentence
    offers: tuple[frozenset[Want], ...]  # the kinds of answer each sentence can give
    leans_back: tuple[bool, ...]  # opens with a pronoun pointing to the previous sentence


class SentenceIndex:
    """Sentences of many articles with term postings; add and remove articles one at a time."""

    def __init__(self) -> None:
        self._docs: dict[DocKey, IndexedDoc] = {}
        # term -> article key -> [(sentence position, term frequency), ...]
        self._postings: dict[str, dict[DocKey, list[tuple[int, int]]]] = {}
        self._stems: dict[str, str] = {}  # word -> stem, shared by all articles
        self.last_article_id = 0  # highest store id indexed: where catching up resumes

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, key: object) -> bool:
        return key in self._docs

    def get(self, key: DocKey) -> IndexedDoc | None:
        """The indexed article with this key, if any."""
        return self._docs.get(key)

    def keys(self) -> Iterator[DocKey]:
        """The keys of every indexed article."""
        return iter(self._docs)

    def postings(self, term: str) -> dict[DocKey, list[tuple[int, int]]]:
        """Where ``term`` occurs: article key -> [(sentence position, frequency), ...]."""
        return self._postings.get(term, {})

    def add(self, ref: DocRef, text: str) -> IndexedDoc:
        """Index (or re-index) one article's text; returns what was stored."""
        return self.insert(self.analyse(ref, text))

    def analyse(self, ref: DocRef, text: str) -> IndexedDoc:
        """What :meth:`insert` stores for an article; touches no index structure, so it may
        run on another thread."""
        return self._analyse(ref, text)

    def insert(self, doc: IndexedDoc, only: Collection[str] | None = None) -> IndexedDoc:
        """Index (or re-index) an analysed article; with ``only``, post just those terms (an
        index built for one question needs no others)."""
        ref = doc.ref
        if ref.key in self._docs:
            self.remove(ref.key)
        self._docs[ref.key] = doc
        for position, tf in enumerate(doc.tfs):
            for term in tf.keys() & only if only is not None else tf:
                self._postings.setdefault(term, {}).setdefault(ref.key, []).append(
                    (position, tf[term])
                )
        if isinstance(ref.key, int):
            self.last_article_id = max(self.last_article_id, ref.key)
        return doc

    def remove(self, key: DocKey) -> bool:
        """Forget one article (e.g. one past the retention window); False when not indexed."""
        doc = self._docs.pop(key, None)
        if doc is None:
            return False
        for term in doc.doc_tf:
            by_doc = self._postings.get(term)
            if by_doc is not None and by_doc.pop(key, None) is not None and not by_doc:
                del self._postings[term]
        return True

    def remove_older(self, cutoff: datetime) -> int:
        """Forget articles published before ``cutoff``; returns how many."""
        old = [k for k, d in self._docs.items() if d.ref.published and d.ref.published < cutoff]
        for key in old:
            self.remove(key)
        return len(old)

    def docs(self, keys: Iterable[DocKey] | None = None) -> list[IndexedDoc]:
        """The indexed articles among ``keys`` (all of them when None)."""
        if keys is None:
            return list(self._docs.values())
        return [d for d in (self._docs.get(k) for k in keys) if d is not None]

    def _analyse(self, ref: DocRef, text: str) -> IndexedDoc:
        body = tuple(s for s in split_sentences(text) if not s.is_heading)
        tfs = tuple(dict(Counter(terms(s.text, self._stems))) for s in body)
        doc_tf: Counter[str] = Counter(terms(ref.title, self._stems))
        for tf in tfs:
            doc_tf.update(tf)
        salience = sentence_scores(text, title=ref.title) if body else []
        if len(salience) != len(body):  # defensive: never index misaligned signals
            salience = [0.5] * len(body)
        top = max(salience, default=0.0) or 1.0
        return IndexedDoc(
            ref=ref,
            sentences=body,
            tfs=tfs,
            lengths=tuple(sum(tf.values()) for tf in tfs),
            doc_tf=dict(doc_tf),
            doc_length=sum(doc_tf.values()),
            salience=tuple(s / top for s in salience),
            offers=tuple(offers(s.text) for s in body),
            leans_back=tuple(leans_back(s.text) for s in body),
        )
