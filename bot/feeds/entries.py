"""From the fields a feed format carries (RawEntry) to the normalised, frozen Entry."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.feeds.changes import content_hash
from bot.feeds.dates import settle
from bot.feeds.identity import entry_key, normalize_url, resolve_link
from bot.feeds.text import clean_title, first_words, html_to_text, plain_to_text
from bot.models import Entry, ParsedFeed

log = logging.getLogger(__name__)

# Words of text used as a title when an item has none (micro-blog posts, some podcasts).
FALLBACK_TITLE_WORDS = 12


class FeedParseError(Exception):
    """The document is not a feed that can be read; ``kind`` says why.

    Kinds: ``empty``, ``html`` (a web page: try feed discovery on it), ``json`` (invalid JSON or
    not a JSON Feed), ``not_a_feed`` (no feed element found), ``too_large`` (compressed body
    beyond the cap). Picklable, so it crosses process pools intact.
    """

    def __init__(self, message: str, kind: str = "not_a_feed") -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def looks_like_html(self) -> bool:
        """Whether the document was a web page, which may advertise its feeds."""
        return self.kind == "html"

    def __reduce__(self) -> tuple[type[FeedParseError], tuple[str, str]]:
        return (type(self), (str(self), self.kind))


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of feed text and whether it is HTML."""

    value: str
    is_html: bool


@dataclass(frozen=True, slots=True)
class RawEntry:
    """What one item of any format says, before normalisation."""

    guid: str | None
    link: str | None
    title: Text | None
    author: str | None
    published: datetime | None
    summary: Text | None
    content: Text | None
    image_urls: tuple[str, ...] = ()  # explicit images (media:*, enclosures, JSON image), in order


@dataclass(frozen=True, slots=True)
class RawFeed:
    """What a feed document says, before normalisation."""

    format: str
    title: Text | None
    link: str | None
    entries: tuple[RawEntry, ...]
    ttl_minutes: int | None = None
    warning: str | None = None
    base_url: str | None = None  # where relative links resolve


def build_feed(raw: RawFeed, *, now: datetime) -> ParsedFeed:
    """Normalise a raw feed: clean text, stable ids, UTC dates; duplicate ids keep the first."""
    items = (item for item in raw.entries if not _is_empty(item))
    entries = _unique(build_entry(item, base_url=raw.base_url, now=now) for item in items)
    link = resolve_link(raw.link, raw.base_url)
    ttl = raw.ttl_minutes * 60 if raw.ttl_minutes and raw.ttl_minutes > 0 else None
    return ParsedFeed(
        title=_title(raw.title),
        link=normalize_url(link) if link else None,
        format=raw.format,
        entries=entries,
        ttl_seconds=ttl,
        warning=raw.warning,
    )


def build_entry(raw: RawEntry, *, base_url: str | None, now: datetime) -> Entry:
    """Normalise one item; its id follows the chain guid -> normalised link -> content hash."""
    summary, summary_image = _text(raw.summary)
    if raw.content is not None and raw.summary is not None and raw.content == raw.summary:
        content, content_image = summary, summary_image
    else:
        content, content_image = _text(raw.content)
    absolute = resolve_link(raw.link, base_url)
    link = normalize_url(absolute) if absolute else None
    title = _title(raw.title) or first_words(summary or content, FALLBACK_TITLE_WORDS)
    published, estimated = settle(raw.published, now)
    return Entry(
        id=entry_key(guid=raw.guid, link=_identity_link(absolute), title=title, summary=summary),
        link=link,
        title=title,
        author=clean_title(raw.author) or None if raw.author else None,
        published=published,
        published_estimated=estimated,
        summary=summary,
        content=content,
        image_url=_image(raw.image_urls, content_image or summary_image, base_url),
        content_hash=content_hash(title, summary, content),
    )


def _identity_link(absolute: str | None) -> str | None:
    # The id keeps a fragment: some feeds tell items apart only by "page#item-3".
    if absolute is None:
        return None
    base, _, fragment = absolute.partition("#")
    normal = normalize_url(base)
    return f"{normal}#{fragment}" if fragment else normal


def _is_empty(raw: RawEntry) -> bool:
    # Broken nesting makes feedparser report husks of items with nothing in them.
    return not (raw.guid or raw.link or raw.title or raw.summary or raw.content)


def _unique(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if entry.id in seen:
            log.debug("duplicate entry id %r in one document: keeping the first", entry.id)
            continue
        seen.add(entry.id)
        kept.append(entry)
    return tuple(kept)


def _title(raw: Text | None) -> str:
    return clean_title(raw.value, is_html=raw.is_html) if raw else ""


def _text(raw: Text | None) -> tuple[str, str | None]:
    if raw is None or not raw.value:
        return "", None
    if raw.is_html:
        result = html_to_text(raw.value)
        return result.text, result.first_image
    return plain_to_text(raw.value), None


def _image(explicit: tuple[str, ...], inline: str | None, base_url: str | None) -> str | None:
    for candidate in (*explicit, inline):
        url = resolve_link(candidate, base_url)
        if url:
            return url
    return None
