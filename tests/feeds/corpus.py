"""The real-world feed corpus of ../shared/feeds: each file with what parsing it must give.

Reusable: the direct parsing test and an over-HTTP test can both iterate :func:`corpus_cases`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from bot.models import ParsedFeed
from tests.conftest import SHARED, shared_path

ABSENT = "(corpus absent)"


class Expect(StrEnum):
    """What parsing a corpus file must give."""

    ENTRIES = "entries"  # at least one entry
    NO_ENTRIES = "no_entries"  # a feed, read without error, that carries no item
    HTML = "html"  # FeedParseError, kind "html" (feed discovery may be tried)
    NOT_A_FEED = "not_a_feed"  # FeedParseError of another kind


# Files whose format could carry items but which do not; the reason is MANIFEST.md's (or ours).
NO_ENTRIES = {
    "enc_big5_undeclared.xml": "feed-level title only",
    "enc_euckr_declared.xml": "channel-level text only",
    "enc_utf16le_bom.xml": "channel-level only",
    "enc_utf32be.xml": "channel-level only",
    "ill_undeclared_namespace.xml": "a channel with one itunes:subtitle, no items",
    "rss20_invalid_1.xml": "truncated after the channel header, before any item",
    "atom_incomplete_fields.xml": "its one <entry> holds only an empty <author>: a husk, dropped",
    "ill_incomplete_cdata.xml": "its one <item> breaks off in an unterminated CDATA: a husk",
}
# Files that are not feeds although MANIFEST.md names an XML format for them.
NOT_FEEDS = {"ill_empty_document.xml": "an XML comment and nothing else"}
# An Atom Entry Document (RFC 5023) is read as a one-entry feed: feedparser reads it so, and a
# feed URL that serves one entry is better shown than refused.
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|")


@dataclass(frozen=True)
class CorpusCase:
    """One corpus file: its name, bytes, MANIFEST format and what parsing must give."""

    name: str
    body: bytes
    format: str
    expect: Expect


def manifest_formats(manifest: Path) -> dict[str, str]:
    """File name -> format column of MANIFEST.md."""
    formats = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            formats[match.group(1)] = match.group(2)
    return formats


def expectation(name: str, fmt: str) -> Expect:
    """What parsing the file must give, from its MANIFEST format and the lists above."""
    if fmt == "HTML":
        return Expect.HTML
    if fmt == "not a feed" or name in NOT_FEEDS:
        return Expect.NOT_A_FEED
    if name in NO_ENTRIES:
        return Expect.NO_ENTRIES
    return Expect.ENTRIES


def corpus_names() -> list[str]:
    """The corpus file names, for parametrisation.

    When ../shared is absent this is one placeholder, so the test runs and
    :func:`corpus_case` skips it with the reason.
    """
    manifest = SHARED / "feeds" / "MANIFEST.md"
    return sorted(manifest_formats(manifest)) if manifest.is_file() else [ABSENT]


def corpus_case(name: str) -> CorpusCase:
    """Load one corpus file; skips the calling test when ../shared is absent."""
    manifest = shared_path("feeds", "MANIFEST.md")
    fmt = manifest_formats(manifest)[name]
    body = shared_path("feeds", "files", name).read_bytes()
    return CorpusCase(name=name, body=body, format=fmt, expect=expectation(name, fmt))


def corpus_cases() -> list[CorpusCase]:
    """Every corpus file with its expectation; skips the calling test when ../shared is absent."""
    shared_path("feeds", "MANIFEST.md")
    return [corpus_case(name) for name in corpus_names()]


def check_parsed(parsed: ParsedFeed, expect: Expect, *, now: datetime) -> None:
    """The invariants every parsed corpus feed must meet (reusable over HTTP)."""
    assert isinstance(parsed.title, str)
    if expect is Expect.ENTRIES:
        assert parsed.entries, "the format carries items: entries expected"
    else:
        assert not parsed.entries
    ids = [entry.id for entry in parsed.entries]
    assert len(ids) == len(set(ids)), "ids must be unique within a document"
    for entry in parsed.entries:
        assert isinstance(entry.id, str)
        assert entry.id.strip()
        assert isinstance(entry.title, str)
        assert entry.published.tzinfo is UTC
        assert entry.published <= now
        assert entry.link is None or entry.link.startswith(("http://", "https://"))
        assert entry.image_url is None or entry.image_url.startswith(("http://", "https://"))
        assert isinstance(entry.summary, str)
        assert isinstance(entry.content, str)
