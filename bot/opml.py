"""OPML: read the subscription lists other feed readers export, and write one they can read.

OPML files are user uploads: they are parsed with defusedxml (no entity expansion, no external
entities, so no XXE and no billion laughs) and refused above a size cap. Reading is lenient about
what readers vary in (attribute case, ``text`` or ``title``, categories as nested outlines or a
``category`` attribute); writing produces plain OPML 2.0 with categories as nested outlines.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.errors import BriefingError
from bot.feeds.errors import FetchError
from bot.feeds.guard import check_url
from bot.feeds.identity import normalize_url
from bot.store import Store

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_FEEDS = 20_000
MAX_DEPTH = 32


class OpmlError(BriefingError, ValueError):
    """The file is not OPML Briefing can read; the message says why (and where)."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed of a subscription list."""

    url: str
    title: str | None = None
    html_url: str | None = None
    category: tuple[str, ...] = ()  # outer category first


@dataclass(frozen=True, slots=True)
class OpmlDocument:
    """What an OPML file holds: its title, its feeds, and outlines that were left out (why)."""

    title: str | None
    feeds: tuple[OpmlFeed, ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())  # (url, reason)


def parse_opml(
    data: bytes, *, allow_private: bool = False, max_bytes: int = MAX_BYTES
) -> OpmlDocument:
    """Parse an OPML file; raises :class:`OpmlError` when it is not one (nothing half-read).

    Feed URLs are normalised and deduplicated (the first occurrence wins); URLs that are not
    http(s), or point at private addresses without ``allow_private``, are listed as skipped.
    """
    if len(data) > max_bytes:
        raise OpmlError(f"the file is {len(data):,} bytes; at most {max_bytes:,} are accepted")
    try:
        root = fromstring(data)
    except DefusedXmlException as exc:
        raise OpmlError(f"the file uses XML features refused for safety ({exc})") from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise OpmlError(f"not well-formed XML at line {line}, column {column}") from None
    if _local(root.tag) != "opml":
        raise OpmlError(f"not an OPML file: the root element is <{_local(root.tag)}>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OpmlError("not an OPML file: it has no <body>")
    head = next((child for child in root if _local(child.tag) == "head"), None)
    title_el = (
        next((c for c in head if _local(c.tag) == "title"), None) if head is not None else None
    )
    reader = _Reader(allow_private)
    reader.walk(body, (), 0)
    title = (title_el.text or "").strip() or None if title_el is not None else None
    return OpmlDocument(title=title, feeds=tuple(reader.feeds), skipped=tuple(reader.skipped))


class _Reader:
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.feeds: list[OpmlFeed] = []
        self.skipped: list[tuple[str, str]] = []
        self.seen: set[str] = set()

    def walk(self, parent: ET.Element, path: tuple[str, ...], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise OpmlError(f"outlines nested more than {MAX_DEPTH} deep")
        for outline in parent:
            if _local(outline.tag) != "outline":
                continue
            attrs = {_local(k).lower(): v.strip() for k, v in outline.attrib.items()}
            label = attrs.get("text") or attrs.get("title") or ""
            if attrs.get("xmlurl"):
                self.add(attrs, label, path)
            # A feed outline may itself hold outlines (some readers nest that way).
            self.walk(
                outline, (*path, label) if label and not attrs.get("xmlurl") else path, depth + 1
            )

    def add(self, attrs: dict[str, str], label: str, path: tuple[str, ...]) -> None:
        raw = attrs["xmlurl"]
        try:
            check_url(raw, allow_private=self.allow_private)
        except FetchError as exc:
            self.skipped.append((raw, str(exc)))
            return
        url = normalize_url(raw)
        if url in self.seen:
            return
        if len(self.feeds) >= MAX_FEEDS:
            raise OpmlError(f"more than {MAX_FEEDS:,} feeds in one file")
        self.seen.add(url)
        category = path or _categories(attrs.get("category", ""))
        self.feeds.append(
            OpmlFeed(
                url=url,
                title=attrs.get("title") or label or None,
                html_url=attrs.get("htmlurl") or None,
                category=category,
            )
        )


def _categories(value: str) -> tuple[str, ...]:
    # OPML 2.0's category attribute: comma-separated slash paths; the first path is kept.
    first = value.split(",", maxsplit=1)[0].strip().strip("/")
    return tuple(part for part in first.split("/") if part)


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1]


def write_opml(
    feeds: Iterable[OpmlFeed], *, title: str = "Briefing subscriptions", now: datetime | None = None
) -> bytes:
    """An OPML 2.0 document of ``feeds``, categories as nested outlines (UTF-8 bytes)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for feed in feeds:
        parent = _folder(folders, feed.category)
        attrs = {"type": "rss", "text": feed.title or feed.url}
        if feed.title:
            attrs["title"] = feed.title
        attrs["xmlUrl"] = feed.url
        if feed.html_url:
            attrs["htmlUrl"] = feed.html_url
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


def _folder(folders: dict[tuple[str, ...], ET.Element], path: Sequence[str]) -> ET.Element:
    key = tuple(path)
    if key not in folders:
        parent = _folder(folders, key[:-1])
        folders[key] = ET.SubElement(parent, "outline", {"text": key[-1], "title": key[-1]})
    return folders[key]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an OPML import did."""

    feeds: int  # distinct feeds in the file
    feeds_created: int
    subscribed: int
    already_subscribed: int
    skipped: tuple[tuple[str, str], ...]  # (url, reason) of outlines left out


async def import_opml(
    store: Store,
    data: bytes,
    *,
    guild_id: int,
    channel_id: int,
    mode: str = "instant",
    added_by: int | None = None,
    allow_private: bool = False,
) -> ImportResult:
    """Subscribe the channel to every feed of an OPML file: one transaction, nothing fetched.

    The core of ``python -m bot opml import`` and ``/feed import`` (which passes the uploaded
    bytes). Raises :class:`OpmlError` for a file that is not OPML: then nothing is imported.
    """
    document = parse_opml(data, allow_private=allow_private)
    if not document.feeds:
        raise OpmlError("the file lists no feeds (no outline has an xmlUrl)")
    result = await store.subscribe_many(
        [(feed.url, feed.title) for feed in document.feeds],
        guild_id,
        channel_id,
        mode=mode,
        added_by=added_by,
    )
    log.info(
        "opml import: %d feeds, %d new, %d subscribed, %d already, %d skipped",
        len(document.feeds),
        result.feeds_created,
        result.subscribed,
        result.already_subscribed,
        len(document.skipped),
    )
    return ImportResult(
        feeds=len(document.feeds),
        feeds_created=result.feeds_created,
        subscribed=result.subscribed,
        already_subscribed=result.already_subscribed,
        skipped=document.skipped,
    )


async def export_opml(store: Store, guild_id: int | None = None) -> bytes:
    """The feeds a guild follows (every feed when ``guild_id`` is None) as OPML 2.0."""
    if guild_id is None:
        feeds = [OpmlFeed(f.url, f.title, f.site_link) for f in await store.list_feeds()]
        return write_opml(feeds)
    seen: dict[int, OpmlFeed] = {}
    for sub in await store.list_subscriptions(guild_id=guild_id):
        if sub.feed_id not in seen:
            seen[sub.feed_id] = OpmlFeed(sub.feed_url, sub.feed_title)
    links = {f.id: f.site_link for f in await store.list_feeds() if f.id in seen}
    feeds = [OpmlFeed(feed.url, feed.title, links.get(feed_id)) for feed_id, feed in seen.items()]
    return write_opml(feeds, title=f"Briefing subscriptions of server {guild_id}")
