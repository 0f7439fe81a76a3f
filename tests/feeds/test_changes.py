"""The content hash: real changes of an item give a new one, feed churn does not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.feeds.changes import content_hash
from bot.feeds.parse import parse_feed

URL = "https://feeds.example/feed.xml"


def rss(
    *,
    title: str = "Bridge reopens",
    date: str = "Mon, 06 May 2024 10:00:00 GMT",
    link: str = "https://news.example/bridge",
    text: str = "The bridge reopened on Monday after repairs. See https://news.example/more",
) -> bytes:
    """A one-item RSS feed with the parts a feed churns or changes."""
    return f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
<item><guid>bridge-1</guid><title>{title}</title><link>{link}</link>
<pubDate>{date}</pubDate><description><![CDATA[<p>{text}</p>]]></description></item>
</channel></rss>""".encode()


def hash_of(body: bytes, now: datetime | None = None) -> str | None:
    entries = parse_feed(body, url=URL, now=now or datetime(2024, 5, 6, tzinfo=UTC)).entries
    assert len(entries) == 1
    return entries[0].content_hash


BASE = hash_of(rss())


@pytest.mark.parametrize(
    "churned",
    [
        pytest.param(rss(date="Tue, 07 May 2024 18:30:00 GMT"), id="pubDate"),
        pytest.param(rss(link="https://news.example/bridge?utm_source=rss&fbclid=x"), id="link"),
        pytest.param(
            rss(text="The bridge reopened on Monday after repairs. "
                "See https://news.example/more?utm_campaign=7&fbclid=abc"),
            id="tracking-in-text",
        ),
        pytest.param(
            rss(text="The  bridge reopened\n on Monday   after repairs.\t"
                "See https://news.example/more"),
            id="whitespace",
        ),
        pytest.param(rss(title="  Bridge   reopens "), id="title-whitespace"),
    ],
)  # fmt: skip
def test_churn_keeps_the_hash(churned: bytes) -> None:
    assert BASE is not None
    assert hash_of(churned) == BASE


def test_an_item_without_a_date_keeps_its_hash_whenever_it_is_read() -> None:
    undated = rss(date="")
    assert hash_of(undated, datetime(2024, 5, 6, tzinfo=UTC)) == hash_of(
        undated, datetime(2024, 6, 1, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(rss(title="Bridge reopens to traffic"), id="title"),
        pytest.param(rss(title="bridge reopens"), id="title-case"),
        pytest.param(rss(text="The bridge reopened on Tuesday after repairs."), id="text"),
        pytest.param(
            rss(text="The bridge reopened on Monday after repairs. See https://news.example/other"),
            id="link-in-text",
        ),
    ],
)
def test_a_real_change_gives_a_new_hash(changed: bytes) -> None:
    assert hash_of(changed) != BASE


def test_title_summary_and_content_are_told_apart() -> None:
    # Moving words between the parts is a change, not the same text.
    assert content_hash("A", "b c", "") != content_hash("A b", "c", "")
    assert content_hash("A", "b c", "") == content_hash(" A ", "b\n c", "")
