"""Feed discovery: the RSS, Atom and JSON Feed links a web page advertises in its ``<head>``."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

log = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/x.atom+xml",
        "application/x-atom+xml",
        "application/x-rss+xml",
    }
)
# Pages are read up to this many characters: feed links live in the head.
MAX_SCAN_CHARS = 2 * 1024 * 1024
_CHUNK = 64 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


class _LinkCollector(HTMLParser):
    """Collects ``<link rel="alternate">`` feed hrefs and the first ``<base href>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.hrefs: list[str] = []
        self.body_started = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"].strip()
        elif tag == "link" and _is_feed_link(values):
            self.hrefs.append(values["href"].strip())
        elif tag == "body":
            self.body_started = True


def _is_feed_link(attrs: dict[str, str]) -> bool:
    rels = attrs.get("rel", "").lower().split()
    media_type = attrs.get("type", "").partition(";")[0].strip().lower()
    href = attrs.get("href", "").strip()
    if "alternate" not in rels or not href:
        return False
    if media_type == "application/json":
        # JSON Feeds predating application/feed+json; WordPress also lists its REST API so.
        return "feed" in href.lower() or "feed" in attrs.get("title", "").lower()
    return media_type in FEED_TYPES


def discover_feeds(html: bytes | str, *, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page advertises, in document order, without duplicates.

    Links resolve against ``<base href>`` (itself resolved against ``base_url``) or the page
    URL; only http(s) results are kept.
    """
    text = _decode(html) if isinstance(html, bytes) else html
    parser = _LinkCollector()
    for start in range(0, min(len(text), MAX_SCAN_CHARS), _CHUNK):
        parser.feed(text[start : start + _CHUNK])
        if parser.body_started and parser.hrefs:
            break  # feeds are advertised in the head; no need to read the whole page
    base = urljoin(base_url, parser.base) if parser.base else base_url
    found: list[str] = []
    for href in parser.hrefs:
        url = urldefrag(urljoin(base, href)).url
        if urlsplit(url).scheme.lower() in ("http", "https") and url not in found:
            found.append(url)
    log.debug("discovered %d feed link(s) on %s", len(found), base_url)
    return found


def _decode(data: bytes) -> str:
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("utf-8", errors="replace")
