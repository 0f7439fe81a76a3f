"""Which stored article each new feed entry belongs to: one look-up per batch, no per-row SELECT.

An entry is the same story as a stored article with its canonical URL, else with its content
fingerprint. A feed that links every item to one page (a home page) is spotted when it already
gave that URL to an item with another title: there the link says nothing, the fingerprint decides.
Stories new to the database become pending articles, inserted together afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Article as ArticleModel
from bot.store.base import chunks
from bot.store.identity import article_fingerprint, key_hash, same_title
from bot.store.tables import Article, FeedEntry

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Story:
    """A stored article (``id`` set) or one this batch will insert (``id`` None until then)."""

    url: str | None
    fingerprint: str | None
    title: str
    text_source: str
    id: int | None = None
    article: ArticleModel | None = None  # what a pending story is inserted from
    created: bool = False  # inserted by this batch (not by another writer meanwhile)


@dataclass(slots=True)
class Link:
    """A feed's new entry and the story it belongs to."""

    feed_id: int
    article: ArticleModel
    story: Story
    own_text: bool  # the shared text came from another feed and differs: keep this feed's


@dataclass(slots=True)
class Plan:
    """The links of a batch and the stories it must insert."""

    links: list[Link] = field(default_factory=list)
    pending: list[Story] = field(default_factory=list)
    skipped: dict[int, list[str]] = field(default_factory=dict)  # feed id -> entry ids


async def known_keys(
    conn: AsyncConnection, pairs: Iterable[tuple[int, str]]
) -> set[tuple[int, str]]:
    """The ``(feed id, entry id)`` pairs whose entry the feed has already carried."""
    by_hash = {(feed_id, key_hash(key)): (feed_id, key) for feed_id, key in pairs}
    known: set[tuple[int, str]] = set()
    for part in chunks(list(by_hash)):
        stmt = select(FeedEntry.feed_id, FeedEntry.key_hash).where(
            tuple_(FeedEntry.feed_id, FeedEntry.key_hash).in_(part)
        )
        known.update(by_hash[(row[0], row[1])] for row in await conn.execute(stmt))
    return known


async def plan(conn: AsyncConnection, items: Sequence[tuple[int, Sequence[ArticleModel]]]) -> Plan:
    """Link each new entry of ``(feed id, articles)`` to a stored or pending story."""
    result = Plan()
    wanted = [(feed_id, a.entry.id) for feed_id, articles in items for a in articles]
    known = await known_keys(conn, wanted)
    fresh: list[tuple[int, ArticleModel, str | None]] = []
    for feed_id, articles in items:
        # Oldest first, so a channel receives a burst in the order things happened.
        for article in sorted(articles, key=lambda a: a.entry.published):
            key = (feed_id, article.entry.id)
            if key in known:
                result.skipped.setdefault(feed_id, []).append(article.entry.id)
                continue
            known.add(key)
            fresh.append((feed_id, article, article_fingerprint(article)))
    stories = _Stories(await _stored(conn, fresh))
    carried = await _carried(conn, fresh, stories)
    for feed_id, article, fp in fresh:
        story = stories.resolve(feed_id, article, fp, carried)
        if story.id is None and story.article is None:
            story.article = article
            result.pending.append(story)
        own = (
            story.text_source != "page" and story.fingerprint != fp and story.article is not article
        )
        result.links.append(Link(feed_id, article, story, own))
        carried.add((feed_id, id(story)))
    return result


class _Stories:
    """Stories by URL and by fingerprint: the stored ones, then those this batch adds."""

    def __init__(self, stored: Iterable[Story]) -> None:
        self.by_url: dict[str, Story] = {}
        self.by_fp: dict[str, Story] = {}
        for story in stored:
            self._index(story)

    def _index(self, story: Story) -> None:
        if story.url is not None:
            self.by_url.setdefault(story.url, story)
        if story.fingerprint is not None:
            self.by_fp.setdefault(story.fingerprint, story)

    def resolve(
        self,
        feed_id: int,
        article: ArticleModel,
        fp: str | None,
        carried: set[tuple[int, int]],
    ) -> Story:
        """The story of this entry; a new pending one when none matches."""
        url = article.entry.link or None
        found = self.by_url.get(url) if url is not None else None
        reused = found is not None and (feed_id, id(found)) in carried
        if reused and found is not None and not same_title(found.title, article.entry.title):
            url, found = None, None  # the link names a page, not this item
        if found is None and fp is not None:
            found = self.by_fp.get(fp)
        if found is not None:
            return found
        story = Story(url, fp, article.entry.title, article.text_source)
        self._index(story)
        return story


async def _stored(
    conn: AsyncConnection, fresh: Sequence[tuple[int, ArticleModel, str | None]]
) -> list[Story]:
    """Stored articles sharing a URL or a fingerprint with the batch: one query per chunk."""
    urls = sorted({a.entry.link for _, a, _ in fresh if a.entry.link})
    fps = sorted({fp for _, _, fp in fresh if fp})
    columns = (Article.id, Article.url, Article.fingerprint, Article.title, Article.text_source)
    found: dict[int, Story] = {}
    for url_part, fp_part in _pairs(chunks(urls), chunks(fps)):
        stmt = select(*columns).where(
            or_(Article.url.in_(url_part), Article.fingerprint.in_(fp_part))
        )
        for row in await conn.execute(stmt):
            found[row[0]] = Story(row[1], row[2], row[3], row[4], id=row[0])
    return list(found.values())


async def _carried(
    conn: AsyncConnection,
    fresh: Sequence[tuple[int, ArticleModel, str | None]],
    stories: _Stories,
) -> set[tuple[int, int]]:
    """(feed id, story) pairs already linked, for stored stories whose URL a feed reuses."""
    pairs = {
        (feed_id, story.id)
        for feed_id, article, _ in fresh
        if article.entry.link
        and (story := stories.by_url.get(article.entry.link)) is not None
        and story.id is not None
        and not same_title(story.title, article.entry.title)
    }
    by_id = {story.id: story for story in stories.by_url.values()}
    carried: set[tuple[int, int]] = set()
    for part in chunks(sorted(pairs)):
        stmt = select(FeedEntry.feed_id, FeedEntry.article_id).where(
            tuple_(FeedEntry.feed_id, FeedEntry.article_id).in_(part)
        )
        carried.update((row[0], id(by_id[row[1]])) for row in await conn.execute(stmt))
    return carried


def _pairs(
    a: Iterable[Sequence[str]], b: Iterable[Sequence[str]]
) -> Iterable[tuple[Sequence[str], Sequence[str]]]:
    """Zip two chunk streams, padding the shorter with empty chunks."""
    left, right = list(a), list(b)
    for i in range(max(len(left), len(right))):
        yield (left[i] if i < len(left) else ()), (right[i] if i < len(right) else ())
