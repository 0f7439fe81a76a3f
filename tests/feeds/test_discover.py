"""Feed discovery in web pages, table-driven."""

from __future__ import annotations

import pytest

from bot.feeds.discover import discover_feeds

PAGE = "https://blog.example/posts/hello.html"


def _head(*links: str, base: str = "") -> str:
    return f"<!doctype html><html><head>{base}{''.join(links)}</head><body><p>x</p></body></html>"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            _head('<link rel="alternate" type="application/rss+xml" href="/feed.xml">'),
            ["https://blog.example/feed.xml"],
            id="rss-root-relative",
        ),
        pytest.param(
            _head(
                '<link rel="alternate" type="application/atom+xml" href="atom.xml">',
                '<link rel="alternate" type="application/rss+xml" href="https://cdn.example/rss">',
                '<link rel="alternate" type="application/feed+json" href="feed.json">',
            ),
            [
                "https://blog.example/posts/atom.xml",
                "https://cdn.example/rss",
                "https://blog.example/posts/feed.json",
            ],
            id="document-order",
        ),
        pytest.param(
            _head(
                '<LINK REL="Alternate Home" TYPE="Application/RSS+XML; charset=utf-8" '
                'HREF=" /a.rss ">'
            ),
            ["https://blog.example/a.rss"],
            id="case-and-parameters",
        ),
        pytest.param(
            _head(
                '<link rel="alternate" type="application/rss+xml" href="/feed">',
                '<link rel="alternate" type="application/rss+xml" href="https://blog.example/feed">',
                '<link rel="alternate" type="application/rss+xml" href="/feed#top">',
            ),
            ["https://blog.example/feed"],
            id="duplicates",
        ),
        pytest.param(
            _head(
                '<link rel="alternate" type="application/rss+xml" href="feed.xml">',
                base='<base href="https://static.example/site/">',
            ),
            ["https://static.example/site/feed.xml"],
            id="base-href",
        ),
        pytest.param(
            _head(
                '<link rel="alternate" type="application/rss+xml" href="feed.xml">',
                base='<base href="/other/">',
            ),
            ["https://blog.example/other/feed.xml"],
            id="relative-base-href",
        ),
        pytest.param(
            _head(
                '<link rel="alternate" type="application/json" href="/feed.json" title="JSON">',
                '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">',
            ),
            ["https://blog.example/feed.json"],
            id="json-only-when-a-feed",
        ),
        pytest.param(
            _head(
                '<link rel="stylesheet" type="text/css" href="/s.css">',
                '<link rel="alternate" hreflang="de" type="text/html" href="/de/">',
                '<link rel="alternate" type="application/rss+xml">',
                '<link rel="alternate" type="application/rss+xml" href="">',
                '<link rel="feed" type="application/rss+xml" href="/not-alternate">',
                '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
                '<link rel="alternate" type="application/rss+xml" href="ftp://x.example/f">',
            ),
            [],
            id="ignored",
        ),
        pytest.param(
            "<html><body><p>no head at all</p>"
            '<link rel="alternate" type="application/atom+xml" href="late.atom"></body></html>',
            ["https://blog.example/posts/late.atom"],
            id="link-in-body",
        ),
        pytest.param(
            _head(
                '<link rel="alternate" type="application/rss+xml" href="/feed?cat=1&amp;lang=en">'
            ),
            ["https://blog.example/feed?cat=1&lang=en"],
            id="entities-in-href",
        ),
        pytest.param("", [], id="empty"),
        pytest.param("<<<not html>>> &&&", [], id="garbage"),
    ],
)
def test_discover_feeds(html: str, expected: list[str]) -> None:
    assert discover_feeds(html, base_url=PAGE) == expected
    assert discover_feeds(html.encode("utf-8"), base_url=PAGE) == expected


def test_bytes_in_the_page_charset() -> None:
    page = (
        '<html><head><meta charset="iso-8859-1">'
        '<link rel="alternate" type="application/rss+xml" href="/f\xfcr.xml">'
        "</head><body></body></html>"
    ).encode("iso-8859-1")
    assert discover_feeds(page, base_url=PAGE) == ["https://blog.example/f\xfcr.xml"]


def test_corpus_page_without_feed_links() -> None:
    """The corpus' HTML page advertises no feed: discovery finds nothing, without error."""
    from tests.conftest import shared_path  # noqa: PLC0415

    page = shared_path("feeds", "files", "notafeed.html").read_bytes()
    assert discover_feeds(page, base_url=PAGE) == []


def test_long_page_stops_after_the_head() -> None:
    head = _head('<link rel="alternate" type="application/rss+xml" href="/feed.xml">')
    body = (
        "<p>"
        + "word " * 200_000
        + "</p>"
        + ('<link rel="alternate" type="application/rss+xml" href="/too-late.xml">')
    )
    assert discover_feeds(head.replace("</html>", "") + body, base_url=PAGE) == [
        "https://blog.example/feed.xml"
    ]
