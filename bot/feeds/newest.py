"""Keep only a feed's newest entries: by date, falling back to document order.

A feed may hold 100,000 items; turning each into Python objects costs hundreds of megabytes and
seconds of CPU. :func:`trim_xml` cuts an RSS/Atom document down to its newest ``limit`` items
at the byte level, before feedparser builds anything; :func:`newest` applies the same rule to
entries already read (JSON Feed, or what the byte-level cut could not decide).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from bot.feeds.dates import parse_date

T = TypeVar("T")

# An item or entry element, with or without a namespace prefix ("<atom:entry>", "<rss:item>").
_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(item|entry)[\s>/]")
# The first date an item carries: RSS pubDate, Atom published/updated, Dublin Core date.
_DATE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:pubDate|published|updated|date|issued|modified)(?:\s[^>]*)?>"
    rb"\s*(?:<!\[CDATA\[)?\s*([^<\]]{6,64}?)\s*(?:\]\]>)?\s*</",
    re.IGNORECASE,
)
# Undated items sort after every dated one, then by document order.
_UNDATED = datetime.min.replace(tzinfo=UTC)


def newest(
    items: Sequence[T], limit: int, date: Callable[[T], datetime | None]
) -> tuple[list[T], int]:
    """The newest ``limit`` of ``items`` in document order, and how many were left out."""
    if len(items) <= limit:
        return list(items), 0
    ranked = sorted(range(len(items)), key=lambda i: (date(items[i]) or _UNDATED, -i))
    kept = sorted(ranked[len(items) - limit :])
    return [items[i] for i in kept], len(items) - limit


def trim_xml(body: bytes, limit: int) -> tuple[bytes, int]:
    """``body`` with only its newest ``limit`` items, and how many items were cut.

    Returns the body unchanged (and 0) when it holds no more than ``limit`` items or when its
    items cannot be delimited safely (nested or unclosed elements): the caller then reads it
    whole and applies :func:`newest` to the entries.
    """
    spans = _item_spans(body, limit)
    if spans is None:
        return body, 0
    kept, dropped = newest(spans, limit, lambda span: _span_date(body, span))
    parts = [body[: spans[0][0]]]
    parts.extend(body[start:end] for start, end in kept)
    parts.append(body[spans[-1][1] :])
    return b"\n".join(parts), dropped


def _item_spans(body: bytes, limit: int) -> list[tuple[int, int]] | None:
    """Byte ranges of every item element, or None when there are few or they are irregular."""
    starts = list(_OPEN.finditer(body))
    if len(starts) <= limit:
        return None
    spans: list[tuple[int, int]] = []
    for index, match in enumerate(starts):
        name = match.group(0)[1:-1].rstrip(b"/")
        end = body.find(b"</" + name + b">", match.start())
        following = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        if end < 0 or end > following:
            return None  # self-closing, nested or unclosed: not safe to cut by bytes
        spans.append((match.start(), end + len(name) + 3))
    return spans


def _span_date(body: bytes, span: tuple[int, int]) -> datetime | None:
    match = _DATE.search(body, span[0], span[1])
    if match is None:
        return None
    return parse_date(match.group(1).decode("ascii", "replace"))
