"""Small builders of the pipeline's values (Entry, Digest, Article) for store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Article, Digest, Entry, KeyPoint

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def digest(text: str) -> Digest:
    """A plausible digest whose key point is the text's first sentence."""
    first = text.split(". ", maxsplit=1)[0]
    return Digest(
        key_points=(KeyPoint(text=first, sentence=0, start=0, end=len(first)),),
        tldr=first,
        keywords=tuple(sorted(set(text.lower().split()))[:3]),
        word_count=len(text.split()),
        reading_minutes=1,
        language="en",
        too_short=False,
    )


def article(
    entry_id: str,
    *,
    title: str | None = None,
    link: str | None = "auto",
    text: str | None = None,
    published: datetime = T0,
    summary: str = "",
) -> Article:
    """An article with distinct defaults per ``entry_id`` (title, link, and text)."""
    title = title if title is not None else f"Story {entry_id}"
    body = (
        text
        if text is not None
        else (
            f"{title} happened today. This is the body of story {entry_id}, long enough to carry "
            f"a content fingerprint of its own: {' '.join(['word'] * 12)}."
        )
    )
    url = f"https://news.example/{entry_id}" if link == "auto" else link
    entry = Entry(
        id=entry_id,
        link=url,
        title=title,
        author="A. Writer",
        published=published,
        published_estimated=False,
        summary=summary or body[:80],
        content=body,
        image_url=None,
    )
    return Article(entry=entry, text=body, digest=digest(body), text_source="feed")


def hours(n: float) -> timedelta:
    """A timedelta of ``n`` hours."""
    return timedelta(hours=n)
