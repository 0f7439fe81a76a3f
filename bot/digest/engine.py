"""``summarize``: one article's text in, a :class:`bot.models.Digest` out."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from itertools import chain, islice

from bot.digest.features import SentenceFeatures, features, words
from bot.digest.keywords import keywords
from bot.digest.language import UNKNOWN, detect_language, stop_words
from bot.digest.params import Params
from bot.digest.sections import has_sections, select_sections
from bot.digest.select import centrality, relevance, select
from bot.digest.sentences import Sentence, split_sentences
from bot.models import Digest, KeyPoint

log = logging.getLogger(__name__)

MIN_POINTS, MAX_POINTS = 1, 10
# Fewer body sentences or words than this is not worth summarising: the text is returned as is.
MIN_SENTENCES = 2
MIN_WORDS = 15
WORDS_PER_MINUTE = 230
LANGUAGE_SAMPLE_WORDS = 80  # enough to tell the language (py3langid costs per character)


@dataclass(frozen=True, slots=True)
class _Analysis:
    body: list[Sentence]  # non-heading sentences, in order
    headings: list[Sentence]
    feats: list[SentenceFeatures]
    title_terms: frozenset[str]
    language: str
    stops: frozenset[str]
    stems: dict[str, str]  # lower-cased word -> stem, computed once per text
    heading_terms: list[frozenset[str]]


def summarize(
    text: str, *, title: str | None = None, max_points: int = 3, params: Params | None = None
) -> Digest:
    """Digest ``text``: up to ``max_points`` (1..10) verbatim key points in article order."""
    try:
        return _summarize(text, title, min(max(max_points, MIN_POINTS), MAX_POINTS), params)
    except Exception:  # a digest must never take the pipeline down: fall back to the text as is
        log.exception("digest failed; returning the text as is (%d characters)", len(text))
        return _as_is(text, UNKNOWN, (), len(text.split()))


def sentence_scores(text: str, *, title: str | None = None) -> list[float]:
    """Relevance of each non-heading sentence of ``split_sentences(text)`` (by ``.index``).

    Lead-aware salience before redundancy: position, centrality, title overlap and a noise
    penalty (0 for fragments). Useful to rank candidate sentences, e.g. for cited answers.
    """
    analysis = _analyse(text, title)
    return relevance(analysis.feats, analysis.body, analysis.title_terms)


def _analyse(text: str, title: str | None) -> _Analysis:
    sentences = split_sentences(text)
    body = [s for s in sentences if not s.is_heading]
    tokens = [words(s.text) for s in body]
    language = detect_language(islice(chain.from_iterable(tokens), LANGUAGE_SAMPLE_WORDS))
    stops = stop_words(language)
    cache: dict[str, str] = {}
    ends = [
        _ends_line(text, s, body[n + 1] if n + 1 < len(body) else None) for n, s in enumerate(body)
    ]
    feats = [
        features(s.text, t, stops, language, cache, ends_line=end)
        for s, t, end in zip(body, tokens, ends, strict=True)
    ]
    title_terms: frozenset[str] = frozenset()
    if title:
        title_terms = features(title, words(title), stops, language, cache).terms
    headings = [s for s in sentences if s.is_heading]
    heading_terms = [
        features(h.text, words(h.text), stops, language, cache).terms for h in headings
    ]
    return _Analysis(body, headings, feats, title_terms, language, stops, cache, heading_terms)


def _ends_line(text: str, sentence: Sentence, following: Sentence | None) -> bool:
    """Whether a line break (or the end of the text) follows ``sentence``."""
    return following is None or "\n" in text[sentence.end : following.start]


def _summarize(text: str, title: str | None, count: int, params: Params | None) -> Digest:
    analysis = _analyse(text, title)
    word_count = sum(f.n_words for f in analysis.feats)
    word_count += sum(len(words(h.text)) for h in analysis.headings)
    keys = keywords(
        [f.terms for f in analysis.feats],
        [f.tokens for f in analysis.feats],
        analysis.stems,
        emphasised=[analysis.title_terms, *analysis.heading_terms],
    )
    if len(analysis.body) < MIN_SENTENCES or word_count < MIN_WORDS:
        return _as_is(text, analysis.language, keys, word_count)
    params = params or Params()
    scores = relevance(analysis.feats, analysis.body, analysis.title_terms, params)
    if has_sections(analysis.body):
        central = centrality(analysis.feats)
        headed = {
            h.section: terms
            for h, terms in zip(analysis.headings, analysis.heading_terms, strict=True)
            if h.section
        }
        picked = select_sections(
            analysis.feats, analysis.body, scores, central, headed, count=count, params=params
        )
    else:
        picked = select(analysis.feats, scores, count, params)
    points = tuple(_key_point(analysis.body[i]) for i in sorted(picked))
    return Digest(
        key_points=points,
        tldr=_normalise(analysis.body[picked[0]].text),
        keywords=keys,
        word_count=word_count,
        reading_minutes=_reading_minutes(word_count),
        language=analysis.language,
        too_short=False,
    )


def _as_is(text: str, language: str, keys: tuple[str, ...], word_count: int) -> Digest:
    """The digest of a text too short to summarise: the text itself, nothing invented."""
    stripped = text.strip()
    points: tuple[KeyPoint, ...] = ()
    if stripped:
        start = text.index(stripped)
        points = (KeyPoint(_normalise(stripped), 0, start, start + len(stripped)),)
    return Digest(
        key_points=points,
        tldr=_normalise(stripped),
        keywords=keys,
        word_count=word_count,
        reading_minutes=_reading_minutes(word_count),
        language=language,
        too_short=True,
    )


def _key_point(sentence: Sentence) -> KeyPoint:
    return KeyPoint(_normalise(sentence.text), sentence.index, sentence.start, sentence.end)


def _normalise(text: str) -> str:
    """Whitespace runs (line breaks of wrapped text, non-breaking spaces) become one space."""
    return " ".join(text.split())


def _reading_minutes(word_count: int) -> int:
    return math.ceil(word_count / WORDS_PER_MINUTE) if word_count else 0
