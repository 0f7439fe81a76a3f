"""Small frozen dataclasses exchanged between the pipeline's stages.

Stages never pass ORM rows or loose dicts to each other: what one stage hands to the next is
defined here, so each stage can be built and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """One key point: a verbatim sentence of the article and where it stands."""

    text: str
    sentence: int  # 0-based index among the article's sentences (headings are not counted)
    start: int  # character offset of the sentence in the text that was summarised
    end: int


@dataclass(frozen=True, slots=True)
class Digest:
    """What the digest engine makes of one article."""

    key_points: tuple[KeyPoint, ...]
    tldr: str
    keywords: tuple[str, ...]
    word_count: int
    reading_minutes: int
    language: str  # ISO 639-1 code, or "und" when unknown
    too_short: bool  # True when the text was too short to summarise and is returned as is

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for storage and ``--json`` output."""
        return {
            "key_points": [
                {"text": p.text, "sentence": p.sentence, "start": p.start, "end": p.end}
                for p in self.key_points
            ],
            "tldr": self.tldr,
            "keywords": list(self.keywords),
            "word_count": self.word_count,
            "reading_minutes": self.reading_minutes,
            "language": self.language,
            "too_short": self.too_short,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Digest:
        """Rebuild a digest stored with :meth:`to_dict`."""
        return cls(
            key_points=tuple(KeyPoint(**p) for p in data["key_points"]),
            tldr=data["tldr"],
            keywords=tuple(data["keywords"]),
            word_count=data["word_count"],
            reading_minutes=data["reading_minutes"],
            language=data["language"],
            too_short=data["too_short"],
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed, normalised whatever the feed's format."""

    id: str  # stable identity: guid, else normalised link, else hash of title + summary
    link: str | None  # canonical (normalised) article URL
    title: str  # plain text: HTML stripped, entities decoded
    author: str | None
    published: datetime  # timezone-aware UTC
    published_estimated: bool  # True when the feed gave no usable date (first-seen time used)
    summary: str  # plain text
    content: str  # plain text of the fullest content the feed carries ("" when none)
    image_url: str | None = None
    # Of the normalised title and text (bot.feeds.changes), set where the feed is parsed.
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed document parsed into entries."""

    title: str
    link: str | None  # the site's home page, when the feed names it
    format: str  # e.g. "rss20", "atom10", "json11"
    entries: tuple[Entry, ...]
    ttl_seconds: int | None = None  # RSS <ttl>
    warning: str | None = None  # set when the document was malformed but entries were recovered
    dropped: int = 0  # older items left out because the feed holds more than the limit


@dataclass(frozen=True, slots=True)
class Article:
    """An entry made ready to store: its best text and its digest (None: made when needed)."""

    entry: Entry
    text: str
    digest: Digest | None  # None for a first poll's backlog: digested when first asked for
    text_source: str  # "feed" or "page"
    extraction_note: str | None = None  # why the page was not used, when it was tried and failed
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> str:
        """The text's language as its digest found it ("und" while there is none)."""
        return self.digest.language if self.digest is not None else "und"
