"""Feed bytes to a ParsedFeed: feedparser for RSS 0.9x/1.0/2.0 and Atom, our reader for JSON Feed.

:func:`parse_feed` is pure and synchronous, plain data in and out, so the poller can run it in a
worker process.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.feeds.dates import from_struct, parse_date
from bot.feeds.entries import FeedParseError, RawEntry, RawFeed, Text, build_feed
from bot.feeds.jsonfeed import read_json_feed
from bot.feeds.newest import newest, trim_xml
from bot.models import ParsedFeed

__all__ = ["MAX_DECOMPRESSED_BYTES", "FeedParseError", "parse_feed"]

log = logging.getLogger(__name__)

# A gzip body (a .gz file served as is) is inflated up to this size, no further (gzip bombs).
MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_JSON_TYPES = frozenset({"application/json", "application/feed+json", "text/json"})
_HTML_ROOTS = frozenset({b"html", b"head", b"body"})
# XML declaration, comments, processing instructions and a doctype before the root element.
_PROLOG = re.compile(
    rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^>\[]|\[.*?\])*>)*", re.DOTALL | re.IGNORECASE
)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_XML_START = re.compile(rb"<\?xml|<rss[\s>]|<feed[\s>]|<rdf:RDF[\s>]")
_DOCTYPE_HTML = re.compile(rb"<!DOCTYPE\s+html", re.IGNORECASE)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_SNIFF_BYTES = 4096
_TAG = re.compile(r"<[A-Za-z!/]")
_URLISH = re.compile(r"^(?:[A-Za-z][\w+.-]*:|/|\.{1,2}/)|[\w-]\.[A-Za-z]")
# "jo@example.org (Jo Bloggs)", "Jo Bloggs (jo@example.org)", "Jo Bloggs <jo@example.org>".
_EMAIL_NAME = re.compile(
    r"^\s*(?:\S+@\S+\s*\(\s*([^()]+?)\s*\)|([^()<>]+?)\s*[(<]\s*\S+@\S+\s*[)>]|\S+@\S+)\s*$"
)
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    now: datetime | None = None,
    max_decompressed: int = MAX_DECOMPRESSED_BYTES,
    limit: int | None = None,
) -> ParsedFeed:
    """Parse a feed document fetched from ``url`` (relative links resolve against it).

    With ``limit``, only the newest ``limit`` items (by date, then document order) are read;
    ``ParsedFeed.dropped`` counts the others. A huge document is cut before it is parsed.

    Malformed documents still yield what can be recovered (``ParsedFeed.warning`` says what was
    wrong). Raises :class:`FeedParseError` when the bytes are not a feed: empty, invalid JSON, an
    HTML page (``kind == "html"``: try feed discovery), or XML without a feed element.
    """
    now = now or datetime.now(UTC)
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip(body, max_decompressed)
    media_type, charset = _split_content_type(content_type)
    head = _skip_bom(body[:_SNIFF_BYTES]).lstrip()
    if not head:
        raise FeedParseError("empty document: no feed", "empty")
    cut = 0
    if head[:1] in (b"{", b"[") or (media_type in _JSON_TYPES and head[:1] != b"<"):
        raw = read_json_feed(body, url=url, charset=charset)
    else:
        _refuse_html(head, media_type)
        if limit is not None:
            body, cut = trim_xml(body, limit)
        raw = _read_xml(body, url=url, charset=charset)
    if limit is None:
        return build_feed(raw, now=now)
    entries, more = newest(raw.entries, limit, lambda entry: entry.published)
    feed = build_feed(replace(raw, entries=tuple(entries)), now=now)
    return replace(feed, dropped=cut + more)


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise FeedParseError(f"corrupt gzip body: {exc}", "not_a_feed") from None
    if len(data) > limit:
        raise FeedParseError(f"gzip body inflates beyond {limit} bytes", "too_large")
    if not inflater.eof and not data:
        raise FeedParseError("corrupt gzip body: truncated before any data", "not_a_feed")
    return data  # a truncated stream still yields what it holds


def _split_content_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    media_type = content_type.partition(";")[0].strip().lower()
    match = _CHARSET.search(content_type)
    return media_type, match.group(1) if match else None


def _skip_bom(data: bytes) -> bytes:
    for bom in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :]
    return data


def _refuse_html(head: bytes, media_type: str) -> None:
    prolog = _PROLOG.match(head)
    end = prolog.end() if prolog else 0
    root = _ROOT.match(head, end)
    name = root.group(1).lower() if root else b""
    if name in _HTML_ROOTS or (not name and _DOCTYPE_HTML.search(head[:end])):
        raise FeedParseError(
            f"the document is an HTML page (<{name.decode() or '!DOCTYPE html'}>), not a feed",
            "html",
        )
    if not root and media_type in _HTML_TYPES:
        raise FeedParseError(f"the document is {media_type}, not a feed", "html")


def _trim_leading_junk(body: bytes) -> tuple[bytes, str | None]:
    """Drop what precedes the XML: whitespace, or a server's error text ("Warning: ...")."""
    if body.startswith(_BOMS[0]) and body[3:4].isspace():
        body = body[3:]  # UTF-8 is the default anyway; the BOM would hide the whitespace
    if body[:1].isspace():
        body = body.lstrip()
    if body[:1] not in (b"<", b"") and not body.startswith(_BOMS):
        start = _XML_START.search(body, 0, _SNIFF_BYTES)
        if start:
            return body[start.start() :], f"{start.start()} bytes of text before the XML ignored"
    return body, None


def _read_xml(body: bytes, *, url: str, charset: str | None) -> RawFeed:
    # Anything before the XML declaration makes expat give up on the whole document.
    body, junk = _trim_leading_junk(body)
    # Always name an XML media type: without one feedparser assumes ISO-8859-1 for undeclared
    # documents (mangling UTF-8), and text/xml would mean US-ASCII. The charset is kept.
    # No Content-Location: feedparser would resolve permalink guids ("12345") against the feed
    # URL, so ids would change when the feed moves. xml:base still applies; what stays relative
    # is resolved against ``url`` afterwards.
    headers = {"content-type": "application/xml" + (f"; charset={charset}" if charset else "")}
    try:
        # BytesIO: feedparser would treat bytes that look like a path or URL as one to open.
        # No sanitising: nothing here is ever shown as HTML (text.py keeps only the text, without
        # script or style), and the sanitiser is a quarter of the CPU (benchmarks/parse_speed.py).
        result = feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            resolve_relative_uris=True,  # xml:base inside content, for the first <img>
            sanitize_html=False,
        )
    except Exception as exc:  # feedparser has crashed on pathological input before
        log.warning("feedparser failed on %s: %r", url, exc)
        raise FeedParseError(f"the XML parser failed: {exc!r}", "not_a_feed") from None
    version = result.get("version") or ""
    warning = "; ".join(note for note in (junk, _warning(result)) if note) or None
    if not version and not result.entries and not result.feed:
        detail = f" ({warning})" if warning else ""
        raise FeedParseError(f"no RSS, Atom or JSON Feed found in the document{detail}")
    return RawFeed(
        format=version or "unknown",
        title=_detail_text(result.feed, "title"),
        link=result.feed.get("link"),
        entries=tuple(_raw_entry(entry) for entry in result.entries),
        ttl_minutes=_int(result.feed.get("ttl")),
        warning=warning,
        base_url=url,
    )


def _warning(result: Any) -> str | None:
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return f"encoding not declared or wrong; decoded as {result.get('encoding')}"
    if isinstance(exc, feedparser.NonXMLContentType):
        return None  # we always pass an XML media type; nothing to report
    return f"malformed document, read leniently: {exc}"


def _raw_entry(entry: Any) -> RawEntry:
    return RawEntry(
        guid=entry.get("id") or None,
        link=_link(entry),
        title=_detail_text(entry, "title"),
        author=_author(entry),
        published=_published(entry),
        summary=_detail_text(entry, "summary"),
        content=_fullest_content(entry.get("content") or []),
        image_urls=_images(entry),
    )


def _link(entry: Any) -> str | None:
    link = entry.get("link") or None
    # A guid is a permalink by default in RSS, so feedparser offers "12345" as the link.
    if link and entry.get("guidislink") and not _URLISH.match(link):
        return None
    return link


def _author(entry: Any) -> str | None:
    raw = entry.get("author") or ""
    if "@" in raw:
        # RSS <author> is "email (Name)"; feedparser splits long TLDs wrongly. No bare emails.
        match = _EMAIL_NAME.match(raw)
        return next((g for g in match.groups() if g), None) if match else None
    return (entry.get("author_detail") or {}).get("name") or raw or None


def _published(entry: Any) -> datetime | None:
    # dict.get: FeedParserDict.get("updated") falls back to "published" with a warning.
    return (
        from_struct(dict.get(entry, "published_parsed"))
        or from_struct(dict.get(entry, "updated_parsed"))
        or parse_date(dict.get(entry, "published"))
        or parse_date(dict.get(entry, "updated"))
    )


def _detail_text(obj: Any, key: str) -> Text | None:
    value = obj.get(key)
    if not value:
        return None
    kind = (obj.get(f"{key}_detail") or {}).get("type")
    if not kind:  # feedparser copies Atom content into summary without its type
        return Text(value, bool(_TAG.search(value)))
    return Text(value, _is_html(kind))


def _fullest_content(contents: list[Any]) -> Text | None:
    best = max(contents, key=lambda c: len(c.get("value") or ""), default=None)
    if best is None or not best.get("value"):
        return None
    return Text(best["value"], _is_html(best.get("type", "text/html")))


def _is_html(kind: str) -> bool:
    return kind.lower() in _HTML_TYPES


def _images(entry: Any) -> tuple[str, ...]:
    # The widest media:content image first (feeds list several sizes), then thumbnails, ...
    pictures = [media for media in entry.get("media_content") or [] if _is_image(media)]
    pictures.sort(key=lambda media: -(_int(media.get("width")) or 0))
    found: list[str] = [media.get("url") or "" for media in pictures]
    found.extend(thumb.get("url") or "" for thumb in entry.get("media_thumbnail") or [])
    for enclosure in entry.get("enclosures") or []:
        if (enclosure.get("type") or "").lower().startswith("image/"):
            found.append(enclosure.get("href") or "")
    itunes_image = entry.get("image")
    if isinstance(itunes_image, dict):
        found.append(itunes_image.get("href") or "")
    return tuple(url for url in found if url)


def _is_image(media: Any) -> bool:
    kind = (media.get("medium") or media.get("type") or "").lower()
    if kind:
        return kind == "image" or kind.startswith("image/")
    # Neither medium nor type (The Guardian): judge by the file name.
    path = urlsplit(media.get("url") or "").path.lower()
    return path.endswith(_IMAGE_SUFFIXES)


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
