"""Articles for rendering and posting tests: stored rows and pipeline models."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, TypeVar

import discord

from bot.delivery import DeliveryWorker
from bot.models import Article, Digest, Entry, KeyPoint
from bot.store import ArticleRow, Store
from tests.fixtures.bot import RunningBot

PUBLISHED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
T = TypeVar("T")
POINTS = ("First point.", "Second point.", "Third point.")


def digest(points: tuple[str, ...] = POINTS, tldr: str = "In short.") -> Digest:
    """A digest holding ``points`` verbatim."""
    return Digest(
        key_points=tuple(KeyPoint(p, i, 0, len(p)) for i, p in enumerate(points)),
        tldr=tldr,
        keywords=(),
        word_count=100,
        reading_minutes=1,
        language="en",
        too_short=False,
    )


def article_row(
    *,
    title: str = "A title",
    points: tuple[str, ...] = POINTS,
    tldr: str = "In short.",
    url: str | None = "https://example.org/a",
    image_url: str | None = None,
    summary: str = "Summary.",
) -> ArticleRow:
    """A stored article as the store hands it out."""
    return ArticleRow(
        id=7,
        url=url,
        fingerprint=None,
        title=title,
        author=None,
        published=PUBLISHED,
        published_estimated=False,
        summary=summary,
        text="",
        text_source="feed",
        extraction_note=None,
        image_url=image_url,
        language="en",
        digest=digest(points, tldr),
        first_seen=PUBLISHED,
    )


def article(n: int, *, title: str | None = None, points: tuple[str, ...] = POINTS) -> Article:
    """The ``n``-th article of a feed (older for smaller ``n``), ready to store."""
    text = " ".join(points)
    entry = Entry(
        id=f"item-{n}",
        link=f"https://example.org/news/{n}",
        title=title or f"Story {n}",
        author=None,
        published=PUBLISHED + timedelta(minutes=n),
        published_estimated=False,
        summary=text,
        content=text,
    )
    return Article(entry=entry, text=text, digest=digest(points), text_source="feed")


async def queue_posts(
    store: Store,
    guild_id: int,
    channel_ids: list[int],
    articles: list[Article],
    *,
    feed_url: str = "https://example.org/feed.xml",
    feed_title: str = "Example News",
) -> int:
    """Subscribe the channels to a feed and store its articles: one delivery per pair."""
    feed = await store.add_feed(feed_url, title=feed_title)
    for channel_id in channel_ids:
        await store.subscribe(feed.id, guild_id, channel_id, mode="instant", added_by=1)
    result = await store.store_articles(feed.id, articles, deliver=True)
    return len(result.deliveries)


async def eventually(
    check: Callable[[], Awaitable[T | None]],
    *,
    timeout: float = 5.0,  # noqa: ASYNC109
    what: str = "condition",
) -> T:
    """Poll an async ``check`` until it returns something truthy; fail after ``timeout``."""
    try:
        async with asyncio.timeout(timeout):
            while not (result := await check()):  # noqa: ASYNC110 - the store has no events
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
    return result


def worker_of(running: RunningBot) -> DeliveryWorker:
    """The delivery worker of a running bot's Posting cog."""
    # load_extension imports the cog's module afresh: find the worker by attribute.
    worker = getattr(running.bot.get_cog("Posting"), "worker", None)
    assert isinstance(worker, DeliveryWorker)
    return worker


def http_error(cls: type[discord.HTTPException], status: int, code: int) -> discord.HTTPException:
    """An error as discord.py raises it for a response with ``status`` and Discord ``code``."""
    response: Any = SimpleNamespace(status=status, reason="reason")
    return cls(response, {"code": code, "message": "text"})
