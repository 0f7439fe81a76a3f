"""Keyword filters of a subscription: which articles it accepts.

A term is a keyword or phrase, matched case-insensitively on word boundaries ("AI" does not match
"said"), or a regular expression written between slashes (``/bank(s|ing)?/``). Regular
expressions come from server members, so they run under the ``regex`` module's timeout: a
catastrophic pattern gives up instead of stalling the bot.

At ingest, :func:`decide` checks each article against every subscription of its feed within one
time budget per article (all terms of all subscriptions together), and is meant to run in a
worker thread, outside any database transaction: ``regex`` releases the GIL while it matches, so
a hostile pattern costs at most the budget and never blocks the event loop. Only regular
expressions are bound by the budget: keywords are literals, matched in linear time, so what a
keyword filter decides never depends on how busy the machine is.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import regex

log = logging.getLogger(__name__)

REGEX_TIMEOUT_SECONDS = 0.05
ARTICLE_BUDGET_SECONDS = 0.1  # all terms of all subscriptions, per article, at ingest
MAX_TERMS = 25
MAX_TERM_LENGTH = 200
MATCH_CHARS = 20_000  # only the start of long texts is searched: bounds the cost per article


class FilterError(ValueError):
    """A filter term is not acceptable (bad regular expression, too long, too many)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """Include and exclude terms; no include term means every article is included."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def build(cls, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Filters:
        """Clean and validate user terms; raises :class:`FilterError` naming the bad term."""
        return cls(_clean(include), _clean(exclude))

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Filters:
        """Rebuild filters stored with :meth:`to_json`."""
        if not data:
            return cls()
        return cls(tuple(data.get("include", ())), tuple(data.get("exclude", ())))

    def to_json(self) -> dict[str, Any] | None:
        """A JSON-ready form; ``None`` when there is nothing to filter."""
        if not self.include and not self.exclude:
            return None
        return {"include": list(self.include), "exclude": list(self.exclude)}

    @property
    def empty(self) -> bool:
        """True when the filters accept everything."""
        return not self.include and not self.exclude

    def accepts(self, *texts: str, deadline: float | None = None) -> bool:
        """True when the texts (title, summary, body...) pass the filters.

        With ``deadline`` (a ``time.monotonic()`` instant) each term's regex timeout is what is
        left until then; a term that runs out of time counts as not matching.
        """
        return self.rejection(*texts, deadline=deadline) is None

    def rejection(self, *texts: str, deadline: float | None = None) -> str | None:
        """Why the texts do not pass, in plain words (the deciding term); None when they pass."""
        if self.empty:
            return None
        haystack = "\n".join(texts)[:MATCH_CHARS]
        if self.include and not any(_matches(t, haystack, deadline) for t in self.include):
            return "matched none of the include terms " + ", ".join(map(_quoted, self.include))
        for term in self.exclude:
            if _matches(term, haystack, deadline):
                return f"matched the exclude term {_quoted(term)}"
        return None


def decide(
    filters: Sequence[Filters],
    texts: Sequence[tuple[str, ...]],
    *,
    budget: float = ARTICLE_BUDGET_SECONDS,
) -> list[frozenset[int]]:
    """For each article's texts, the indexes of the ``filters`` that accept it.

    Blocking: call it in a worker thread. Each article gets ``budget`` seconds for all terms.
    """
    judged = judge(filters, texts, budget=budget)
    return [frozenset(i for i, why in enumerate(reasons) if why is None) for reasons in judged]


def judge(
    filters: Sequence[Filters],
    texts: Sequence[tuple[str, ...]],
    *,
    budget: float = ARTICLE_BUDGET_SECONDS,
) -> list[tuple[str | None, ...]]:
    """For each article's texts, each filter's reason to turn it away (None: accepted).

    Blocking, like :func:`decide`; the reasons are what ``/feed explain`` shows later.
    """
    decisions: list[tuple[str | None, ...]] = []
    over = 0
    for article_texts in texts:
        deadline = time.monotonic() + budget
        decisions.append(tuple(f.rejection(*article_texts, deadline=deadline) for f in filters))
        over += time.monotonic() >= deadline
    if over:  # one line per call, not one per term and article
        log.warning(
            "filters used their %.0f ms budget on %d of %d articles: terms left counted as "
            "not matching",
            budget * 1000,
            over,
            len(texts),
        )
    return decisions


def _clean(terms: Iterable[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for raw in terms:
        term = raw.strip()
        if not term or term in cleaned:
            continue
        if len(term) > MAX_TERM_LENGTH:
            raise FilterError(f"filter term too long (max {MAX_TERM_LENGTH}): {term[:40]}...")
        try:
            _compile(term)
        except regex.error as exc:
            raise FilterError(f"invalid regular expression {term}: {exc}") from None
        cleaned.append(term)
    if len(cleaned) > MAX_TERMS:
        raise FilterError(f"too many filter terms (max {MAX_TERMS})")
    return tuple(cleaned)


@functools.lru_cache(maxsize=1024)
def _compile(term: str) -> regex.Pattern[str]:
    if _is_regex(term):
        return regex.compile(term[1:-1], regex.IGNORECASE | regex.V1)
    # Word boundaries only where the term starts/ends with a word character ("C++" still works).
    words = regex.escape(term)
    start = r"\b" if regex.match(r"\w", term) else ""
    end = r"\b" if regex.search(r"\w$", term) else ""
    return regex.compile(start + words + end, regex.IGNORECASE)


def _quoted(term: str) -> str:
    return term if _is_regex(term) else f"\u201c{term}\u201d"


def _is_regex(term: str) -> bool:
    return len(term) > 2 and term.startswith("/") and term.endswith("/")


def _matches(term: str, text: str, deadline: float | None = None) -> bool:
    if not _is_regex(term):
        # A keyword is an escaped literal: linear time, so it needs no budget, and a busy
        # machine must never change what a keyword filter decides.
        return _compile(term).search(text) is not None
    timeout = REGEX_TIMEOUT_SECONDS
    if deadline is not None:
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            return False  # the article's budget is spent (``decide`` reports it)
    try:
        return _compile(term).search(text, timeout=timeout) is not None
    except TimeoutError:
        if deadline is None:
            log.warning("filter %r timed out: treated as not matching", term)
        return False
    except regex.error as exc:  # stored before validation existed
        log.warning("filter %r is invalid (%s): treated as not matching", term, exc)
        return False
