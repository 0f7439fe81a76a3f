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
from bot.feeds.entries import FeedParseError
from bot.feeds.errors import FetchError
from bot.feeds.fetch import Fetcher, FetchResult
from bot.feeds.teaser import is_teaser
from bot.jobs import digest_texts, parse_feed, prepare_article, prepare_articles
from bot.models import Article, Digest, Entry, ParsedFeed
from bot.workers import WorkerCrashed, Workers

log = logging.getLogger(__name__)

# Pages fetched at once for one feed's teasers: the fetcher's per-host limit applies as well.
PAGE_CONCURRENCY = 4
# Entries of one feed prepared at a time: bounds what one feed holds in flight (pages, jobs).
PREPARE_CHUNK = 50
# Entries digested from their feed text in one pool job: a digest takes milliseconds, so one
# job per entry would cost more in the round trip to the worker than in the work itself.
DIGEST_BATCH = 25


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
        self,
        fetcher: Fetcher,
        workers: Workers,
        *,
        teaser_words: int = 150,
        max_points: int = 3,
        max_entries: int | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._workers = workers
        self._teaser_words = teaser_words
        self._max_points = max_points
        # Only a feed's newest entries are read (None: all); the others are cut in the worker.
        self._max_entries = max_entries

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
        if parsed.dropped:
            log.info(
                "%s holds %d entries: only the newest %d are read",
                url,
                len(parsed.entries) + parsed.dropped,
                len(parsed.entries),
            )
        return FeedRead(url=url, fetch=result, parsed=parsed)

    async def prepare(
        self, entries: Sequence[Entry], *, fetch_pages: bool = True, digest: bool = True
    ) -> list[Article]:
        """Digest entries into articles, fetching the page of each teaser when ``fetch_pages``.

        Without ``digest`` the articles keep their text undigested (see :meth:`digest`).
        Works through ``entries`` a chunk at a time, so one feed never has more than
        :data:`PREPARE_CHUNK` entries in flight (pages, pool jobs, results) at once.
        """
        articles: list[Article] = []
        for start in range(0, len(entries), PREPARE_CHUNK):
            chunk = entries[start : start + PREPARE_CHUNK]
            articles.extend(
                await self._prepare_chunk(chunk, fetch_pages=fetch_pages, digest=digest)
            )
        return articles

    async def digest(self, texts: Sequence[tuple[str, str]]) -> list[Digest]:
        """The digests of ``(title, text)`` pairs, made in the workers a batch per job."""
        batches = [texts[s : s + DIGEST_BATCH] for s in range(0, len(texts), DIGEST_BATCH)]
        done = await asyncio.gather(
            *(self._workers.run(digest_texts, b, max_points=self._max_points) for b in batches)
        )
        return [d for batch in done for d in batch]

    async def _prepare_chunk(
        self, entries: Sequence[Entry], *, fetch_pages: bool, digest: bool
    ) -> list[Article]:
        teasers = [fetch_pages and self._is_teaser(entry) for entry in entries]
        plain = [i for i, teaser in enumerate(teasers) if not teaser]
        paged = [i for i, teaser in enumerate(teasers) if teaser]
        batches = [plain[s : s + DIGEST_BATCH] for s in range(0, len(plain), DIGEST_BATCH)]
        gate = asyncio.Semaphore(PAGE_CONCURRENCY)
        digested, with_pages = await asyncio.gather(
            asyncio.gather(*(self._digest([entries[i] for i in b], digest) for b in batches)),
            asyncio.gather(*(self._prepare_with_page(entries[i], gate) for i in paged)),
        )
        ordered: dict[int, Article] = dict(zip(paged, with_pages, strict=True))
        for batch, articles in zip(batches, digested, strict=True):
            ordered.update(zip(batch, articles, strict=True))
        return [ordered[i] for i in range(len(entries))]

    def _is_teaser(self, entry: Entry) -> bool:
        text = entry.content or entry.summary
        return bool(entry.link) and is_teaser(text, min_words=self._teaser_words)

    async def _digest(self, entries: Sequence[Entry], digest: bool) -> list[Article]:
        return await self._workers.run(
            prepare_articles, entries, max_points=self._max_points, digest=digest
        )

    async def _prepare_with_page(self, entry: Entry, gate: asyncio.Semaphore) -> Article:
        assert entry.link is not None
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
        except (TimeoutError, WorkerCrashed) as exc:
            if page is None:
                raise
            # A page that stalls or kills its worker must not cost the article: keep feed text.
            why = "timed out" if isinstance(exc, TimeoutError) else "crashed its worker"
            log.warning("extracting %s %s; using the feed's text", entry.link, why)
            return await self._workers.run(
                prepare_article,
                entry,
                None,
                note=f"page text not extracted: extraction {why}",
                max_points=self._max_points,
            )

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
                parse_feed,
                result.body,
                url=result.url,
                content_type=result.content_header,
                limit=self._max_entries,
            )
        except TimeoutError:
            raise FeedUnavailable(
                "parsing the feed took too long", transient=True, kind="timeout"
            ) from None
        except WorkerCrashed as exc:
            raise FeedUnavailable(
                f"parsing the feed crashed its worker process: {exc}", transient=True, kind="worker"
            ) from None

    async def _fetch_page(self, link: str) -> tuple[FetchResult | None, str | None]:
        try:
            return await self._fetcher.fetch_page(link), None
        except FetchError as exc:
            return None, f"page not fetched: {exc}"
