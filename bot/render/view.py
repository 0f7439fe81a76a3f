"""The article as every renderer reads it: posts, digests, ``/feed preview`` and ``/keypoints``.

A stored article comes from the store's ``FeedView`` (the feed's own title, summary and link);
a previewed one straight from the feed, never stored. Both become the same :class:`ArticleView`,
so the same article renders the same wherever it is shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.models import Article, Digest
from bot.store.rows import ArticleRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArticleView:
    """What a rendered article shows."""

    title: str
    url: str | None
    published: datetime
    image_url: str | None
    summary: str
    digest: Digest | None  # None: not made yet (a first poll's backlog); the summary shows

    @classmethod
    def of(cls, article: ArticleRow | ArticleView) -> ArticleView:
        """The view of a stored article (as its feed's ``FeedView`` gave it)."""
        if isinstance(article, ArticleView):
            return article
        return cls(
            article.title,
            article.url,
            article.published,
            article.image_url,
            article.summary,
            article.digest,
        )

    @classmethod
    def of_preview(cls, article: Article) -> ArticleView:
        """The view of an article read from a feed for a preview (not stored)."""
        entry = article.entry
        return cls(
            entry.title, entry.link, entry.published, entry.image_url, entry.summary, article.digest
        )
