"""JSON Feed 1.0 and 1.1 (jsonfeed.org), read by hand: feedparser 6 finds no entries in it."""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.feeds.dates import parse_date
from bot.feeds.entries import FeedParseError, RawEntry, RawFeed, Text

log = logging.getLogger(__name__)

VERSION_PREFIX = "https://jsonfeed.org/version/"
_FORMATS = {"1": "json10", "1.1": "json11"}


def read_json_feed(body: bytes, *, url: str, charset: str | None = None) -> RawFeed:
    """Read a JSON Feed document into a RawFeed; FeedParseError when it is not one."""
    document = _load(body, charset)
    if not isinstance(document, dict):
        raise FeedParseError(
            "JSON document is not a JSON Feed (top level is not an object)", "json"
        )
    version = document.get("version")
    items = document.get("items")
    if not isinstance(version, str):
        version = ""
    is_jsonfeed = version.startswith(VERSION_PREFIX)
    if not is_jsonfeed and not isinstance(items, list):
        raise FeedParseError("JSON document is not a JSON Feed (no version, no items)", "json")
    warning = None
    if not isinstance(items, list):
        warning = "JSON Feed has no items list"
        items = []
    fmt = _FORMATS.get(version.removeprefix(VERSION_PREFIX), "json") if is_jsonfeed else "json"
    feed_authors = _authors(document)
    entries = tuple(_entry(item, feed_authors) for item in items if isinstance(item, dict))
    if len(entries) != len(items):
        warning = f"{len(items) - len(entries)} JSON Feed items were not objects and were skipped"
    return RawFeed(
        format=fmt,
        title=_text(document.get("title"), is_html=False),
        link=_str(document.get("home_page_url")),
        entries=entries,
        warning=warning,
        base_url=url,
    )


def _load(body: bytes, charset: str | None) -> Any:
    try:
        if charset:
            return json.loads(body.decode(charset).lstrip("\ufeff"))
        return json.loads(body)  # detects UTF-8/16/32 and a UTF-8 BOM itself
    except (LookupError, UnicodeDecodeError):
        try:
            return json.loads(body.decode("utf-8", errors="replace"))
        except ValueError as exc:
            raise FeedParseError(f"invalid JSON: {exc}", "json") from None
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise FeedParseError(f"invalid JSON: {exc}", "json") from None


def _entry(item: dict[str, Any], feed_authors: str | None) -> RawEntry:
    html = _text(item.get("content_html"), is_html=True)
    plain = _text(item.get("content_text"), is_html=False)
    date = parse_date(_str(item.get("date_published"))) or parse_date(
        _str(item.get("date_modified"))
    )
    guid = item.get("id")
    return RawEntry(
        # Spec: id is a string, but numbers are common in the wild.
        guid=str(guid) if isinstance(guid, str | int) and not isinstance(guid, bool) else None,
        link=_str(item.get("url")) or _str(item.get("external_url")),
        title=_text(item.get("title"), is_html=False),
        author=_authors(item) or feed_authors,
        published=date,
        summary=_text(item.get("summary"), is_html=False),
        content=html or plain,
        image_urls=_images(item),
    )


def _authors(obj: dict[str, Any]) -> str | None:
    # 1.1 has "authors" (a list); 1.0 had "author" (one object).
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")]
    names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
    joined = ", ".join(name for name in names if name)
    return joined or None


def _images(item: dict[str, Any]) -> tuple[str, ...]:
    found = [_str(item.get("image")), _str(item.get("banner_image"))]
    attachments = item.get("attachments")
    if isinstance(attachments, list):
        for attachment in attachments:
            if isinstance(attachment, dict) and str(attachment.get("mime_type", "")).startswith(
                "image/"
            ):
                found.append(_str(attachment.get("url")))
    return tuple(url for url in found if url)


def _text(value: Any, *, is_html: bool) -> Text | None:
    text = _str(value)
    return Text(text, is_html) if text else None


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
