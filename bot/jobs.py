"""The jobs worker processes run, named so the event loop can submit them without their imports.

A pool job travels by reference (module and name): the main process must import the function
it submits. These stand-ins import feedparser, trafilatura and the digest engine only when they
run, in a worker, so the main process never loads them (tens of MB and seconds it would keep).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.models import Article, Digest, Entry, ParsedFeed


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
) -> ParsedFeed:
    """:func:`bot.feeds.parse.parse_feed`, in the worker that runs it."""
    from bot.feeds.parse import parse_feed as parse  # noqa: PLC0415  (workers only)

    return parse(body, url=url, content_type=content_type, now=now, limit=limit)


def prepare_article(
    entry: Entry,
    page: bytes | None,
    *,
    content_type: str | None = None,
    note: str | None = None,
    max_points: int = 3,
) -> Article:
    """:func:`bot.prepare.prepare_article`, in the worker that runs it."""
    from bot.prepare import prepare_article as prepare  # noqa: PLC0415  (workers only)

    return prepare(entry, page, content_type=content_type, note=note, max_points=max_points)


def prepare_articles(
    entries: Sequence[Entry], *, max_points: int = 3, digest: bool = True
) -> list[Article]:
    """:func:`bot.prepare.prepare_articles`, in the worker that runs it."""
    from bot.prepare import prepare_articles as prepare  # noqa: PLC0415  (workers only)

    return prepare(entries, max_points=max_points, digest=digest)


def digest_texts(texts: Sequence[tuple[str, str]], *, max_points: int = 3) -> list[Digest]:
    """:func:`bot.prepare.digest_texts`, in the worker that runs it."""
    from bot.prepare import digest_texts as digest  # noqa: PLC0415  (workers only)

    return digest(texts, max_points=max_points)
