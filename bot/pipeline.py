"""One article's way: fetch -> parse -> (teaser? fetch page + extract) -> digest.

Shared by the poller, ``briefing preview`` and ``/feed preview``. Network I/O stays on the event
loop; parsing, extraction and digesting run in :class:`bot.workers.Workers` processes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.feeds.discover import discover_feeds
from bot.feeds.errors import FetchError
from bot.feeds.fetch import Fetcher, FetchResult
from bot.feeds.parse import FeedParseError, parse_feed
from bot.feeds.teaser import is_teaser
from bot.models import Article, Entry, ParsedFeed
from bot.prepare import prepare_article
from bot.workers import Workers

log = logging.getLogger(__name__)

# Pages fetched at once for one feed's teasers: the fetcher's per-host limit applies as well.
PAGE_CONCURRENCY = 4


class FeedUnavailable(Exception):
    """A feed could not be read; ``transient`` says whether trying later may help."""

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        kind: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FeedRead:
    """A feed that was read: ``parsed`` is None when the server answered 304 Not Modified."""

    url: str  # the feed's URL after discovery (what should be stored)
    fetch: FetchResult
    parsed: ParsedFeed | None


class Pipeline:
    """Reads feeds and turns their entries into digested articles."""

    def __init__(
        self, fetcher: Fetcher, workers: Workers, *, teaser_words: int = 150, max_points: int = 3
    ) -> None:
        self._fetcher = fetcher
        self._workers = workers
        self._teaser_words = teaser_words
        self._max_points = max_points

    async def read_feed(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        discover: bool = True,
    ) -> FeedRead:
        """Fetch and parse a feed; with ``discover``, a web page's advertised feed is followed."""
        result = await self._fetch(url, etag=etag, last_modified=last_modified)
        if result.not_modified:
            return FeedRead(url=url, fetch=result, parsed=None)
        try:
            parsed = await self._parse(result)
        except FeedParseError as exc:
            if not discover:
                raise FeedUnavailable(str(exc), transient=False, kind="not_a_feed") from None
            links = discover_feeds(result.body, base_url=result.url)
            if not links:
                raise FeedUnavailable(
                    f"{exc} (and the page advertises no feed)", transient=False, kind="not_a_feed"
                ) from None
            log.info("%s is a page; following its feed %s", url, links[0])
            return await self.read_feed(links[0], discover=False)
        return FeedRead(url=url, fetch=result, parsed=parsed)

    async def prepare(self, entries: Sequence[Entry], *, fetch_pages: bool = True) -> list[Article]:
        """Digest entries into articles, fetching the page of each teaser when ``fetch_pages``."""
        gate = asyncio.Semaphore(PAGE_CONCURRENCY)

        async def one(entry: Entry) -> Article:
            feed_text = entry.content or entry.summary
            page: FetchResult | None = None
            note: str | None = None
            if fetch_pages and entry.link and is_teaser(feed_text, min_words=self._teaser_words):
                async with gate:
                    page, note = await self._fetch_page(entry.link)
            try:
                return await self._workers.run(
                    prepare_article,
                    entry,
                    page.body if page else None,
                    content_type=page.content_header if page else None,
                    note=note,
                    max_points=self._max_points,
                )
            except TimeoutError:
                if page is None:
                    raise
                log.warning("extracting %s timed out; using the feed's text", entry.link)
                return await self._workers.run(
                    prepare_article,
                    entry,
                    None,
                    note="page text not extracted: extraction timed out",
                    max_points=self._max_points,
                )

        return list(await asyncio.gather(*(one(entry) for entry in entries)))

    async def _fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        try:
            return await self._fetcher.fetch(url, etag=etag, last_modified=last_modified)
        except FetchError as exc:
            raise FeedUnavailable(
                str(exc),
                transient=exc.transient,
                kind=exc.kind,
                status=exc.status,
                retry_after=exc.retry_after,
            ) from None

    async def _parse(self, result: FetchResult) -> ParsedFeed:
        try:
            return await self._workers.run(
                parse_feed, result.body, url=result.url, content_type=result.content_header
            )
        except TimeoutError:
            raise FeedUnavailable(
                "parsing the feed took too long", transient=True, kind="timeout"
            ) from None

    async def _fetch_page(self, link: str) -> tuple[FetchResult | None, str | None]:
        try:
            return await self._fetcher.fetch_page(link), None
        except FetchError as exc:
            return None, f"page not fetched: {exc}"
