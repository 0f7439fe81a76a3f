"""parse_feed with a limit: only the newest entries are read, the rest counted, however big."""

from __future__ import annotations

import json
import random
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.feeds.parse import parse_feed

URL = "https://feeds.example/feed.xml"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def rss(numbers: list[int], *, dated: bool = True, prefix: str = "") -> bytes:
    """An RSS document whose item ``n`` is published ``n`` minutes after BASE."""
    tag = f"{prefix}:item" if prefix else "item"
    items = "".join(
        f"<{tag}><guid>g{n}</guid><title>Item {n}</title><link>https://e.org/{n}</link>"
        + (f"<pubDate>{format_datetime(BASE + timedelta(minutes=n))}</pubDate>" if dated else "")
        + f"</{tag}>"
        for n in numbers
    )
    xmlns = f" xmlns:{prefix}='http://backend.userland.com/rss2'" if prefix else ""
    return (
        f"<?xml version='1.0'?><rss version='2.0'{xmlns}><channel><title>Big</title>"
        f"<link>https://e.org/</link>{items}<image><url>https://e.org/i.png</url></image>"
        "</channel></rss>"
    ).encode()


def atom(numbers: list[int]) -> bytes:
    entries = "".join(
        f"<entry><id>urn:e:{n}</id><title>Item {n}</title>"
        f"<updated>{(BASE + timedelta(minutes=n)).isoformat()}</updated></entry>"
        for n in numbers
    )
    return (
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Big</title>"
        f"{entries}</feed>"
    ).encode()


def titles(body: bytes, limit: int | None) -> list[str]:
    return [entry.title for entry in parse_feed(body, url=URL, now=NOW, limit=limit).entries]


def test_a_100000_item_feed_yields_its_newest_entries_and_counts_the_rest() -> None:
    body = rss(list(range(100_000)))
    tracemalloc.start()
    try:
        feed = parse_feed(body, url=URL, now=NOW, limit=300)
        peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert len(feed.entries) == 300
    assert feed.dropped == 99_700
    assert {e.title for e in feed.entries} == {f"Item {n}" for n in range(99_700, 100_000)}
    # Parsed whole, this 12 MB document takes feedparser ~240 MiB; cut first, about its size.
    assert peak_mib < 64


@pytest.mark.parametrize("make", [rss, atom], ids=["rss", "atom"])
def test_the_newest_by_date_are_kept_in_any_document_order(make: object) -> None:
    numbers = list(range(2_000))
    random.Random(7).shuffle(numbers)
    body = make(numbers)  # type: ignore[operator]
    kept = titles(body, 50)
    assert sorted(kept) == sorted(f"Item {n}" for n in range(1_950, 2_000))
    # Document order is kept among the survivors.
    assert kept == [f"Item {n}" for n in numbers if n >= 1_950]


def test_ties_in_date_are_broken_by_document_order() -> None:
    minutes = [n % 300 for n in range(900)]  # each date three times
    random.Random(3).shuffle(minutes)
    items = "".join(
        f"<item><guid>g{i}</guid><title>T{i}</title>"
        f"<pubDate>{format_datetime(BASE + timedelta(minutes=m))}</pubDate></item>"
        for i, m in enumerate(minutes)
    )
    body = f"<rss version='2.0'><channel><title>Ties</title>{items}</channel></rss>".encode()
    ranked = sorted(range(900), key=lambda i: (minutes[i], -i), reverse=True)
    expected = [f"T{i}" for i in sorted(ranked[:100])]
    feed = parse_feed(body, url=URL, now=NOW, limit=100)
    assert [e.title for e in feed.entries] == expected
    assert feed.dropped == 800


def test_undated_items_keep_the_first_in_document_order() -> None:
    body = rss(list(range(1_000)), dated=False)
    assert titles(body, 10) == [f"Item {n}" for n in range(10)]


def test_prefixed_items_are_cut_too() -> None:
    feed = parse_feed(rss(list(range(1_000)), prefix="r"), url=URL, now=NOW, limit=10)
    assert feed.dropped == 990
    assert len(feed.entries) <= 10


def test_irregular_items_are_read_whole_and_still_limited() -> None:
    # A self-closing item cannot be cut by bytes: the whole document is read, then limited.
    body = rss(list(range(500))).replace(b"<image>", b"<item/><image>")
    feed = parse_feed(body, url=URL, now=NOW, limit=20)
    assert [e.title for e in feed.entries] == [f"Item {n}" for n in range(480, 500)]
    assert feed.dropped == 481


def test_json_feed_is_limited() -> None:
    items = [
        {
            "id": str(n),
            "title": f"Item {n}",
            "date_published": (BASE + timedelta(hours=n)).isoformat(),
        }
        for n in range(1_000)
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}).encode()
    feed = parse_feed(body, url=URL, now=NOW, limit=5)
    assert [e.title for e in feed.entries] == [f"Item {n}" for n in range(995, 1_000)]
    assert feed.dropped == 995


def test_a_feed_within_the_limit_is_untouched() -> None:
    body = rss(list(range(40)))
    assert parse_feed(body, url=URL, now=NOW, limit=40) == parse_feed(body, url=URL, now=NOW)
    assert parse_feed(body, url=URL, now=NOW, limit=40).dropped == 0
