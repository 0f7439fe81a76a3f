"""Builders for digest tests: stored rows (unit tests) and articles to store (end-to-end)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Article, Digest, Entry, KeyPoint
from bot.store import ArticleRow, DeliveryRow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def digest_of(points: list[str]) -> Digest:
    """A digest whose key points are ``points``."""
    key_points = tuple(
        KeyPoint(text=p, sentence=i, start=0, end=len(p)) for i, p in enumerate(points)
    )
    return Digest(
        key_points=key_points,
        tldr=points[0] if points else "",
        keywords=(),
        word_count=sum(len(p.split()) for p in points),
        reading_minutes=1,
        language="en",
        too_short=False,
    )


def points_for(n: int, length: int = 60, count: int = 3) -> list[str]:
    """``count`` distinct key points of about ``length`` characters for article ``n``."""
    return [
        (f"Point {k} of story {n} says something notable. " * (length // 40 + 1))[:length]
        for k in range(count)
    ]


def article_row(n: int, *, published: datetime = T0, point_length: int = 60) -> ArticleRow:
    """A stored article ``n``."""
    return ArticleRow(
        id=n,
        url=f"https://example.org/news/{n}",
        fingerprint=None,
        title=f"Story {n}",
        author=None,
        published=published,
        published_estimated=False,
        summary=f"Summary of story {n}.",
        text=f"Text of story {n}.",
        text_source="feed",
        extraction_note=None,
        image_url=None,
        language="en",
        digest=digest_of(points_for(n, point_length)),
        first_seen=published,
    )


def delivery(
    n: int,
    *,
    feed_id: int | None = 1,
    feed_title: str | None = "Alpha News",
    channel_id: int = 100,
    published: datetime = T0,
    created_at: datetime = T0,
    point_length: int = 60,
) -> DeliveryRow:
    """A pending digest delivery (id 1000 + n) of article ``n``."""
    return DeliveryRow(
        id=1000 + n,
        article_id=n,
        channel_id=channel_id,
        guild_id=1,
        subscription_id=feed_id,
        kind="digest",
        status="pending",
        attempts=0,
        next_attempt_at=created_at,
        last_error=None,
        message_id=None,
        created_at=created_at,
        sent_at=None,
        article=article_row(n, published=published, point_length=point_length),
        feed_id=feed_id,
        feed_title=feed_title,
    )


def article(n: int, *, published: datetime = T0, title: str | None = None) -> Article:
    """An article ready for ``store_articles`` (entry id ``story-n``)."""
    points = points_for(n)
    entry = Entry(
        id=f"story-{n}",
        link=f"https://example.org/news/{n}",
        title=title or f"Story {n}",
        author=None,
        published=published,
        published_estimated=False,
        summary=points[0],
        content=" ".join(points),
    )
    return Article(entry=entry, text=" ".join(points), digest=digest_of(points), text_source="feed")


def hours(n: float) -> timedelta:
    """``n`` hours."""
    return timedelta(hours=n)
