"""URL normalisation, the entry id chain and the content fingerprint, table-driven."""

from __future__ import annotations

import pytest

from bot.feeds.identity import (
    entry_key,
    is_tracking_param,
    normalize_url,
    resolve_link,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host case, default ports, IDN host, trailing dot
        ("HTTPS://Example.COM/Path", "https://example.com/Path"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        # path: empty, trailing slash, dot segments, percent-escapes
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/news/", "https://example.com/news"),
        ("https://example.com/news//", "https://example.com/news"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/%7euser/caf%c3%a9", "https://example.com/~user/caf%C3%A9"),
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
        # fragment dropped, hash-bang routes kept
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/#!/story/42", "https://example.com/#!/story/42"),
        # tracking parameters removed, the rest kept in order and as encoded
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?id=3&utm_campaign=x&b=2", "https://example.com/a?id=3&b=2"),
        ("https://example.com/a?UTM_Source=x&z=1&a=2", "https://example.com/a?z=1&a=2"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4", "https://example.com/a"),
        ("https://example.com/a?igshid=1&ref_src=twsrc&q=x", "https://example.com/a?q=x"),
        ("https://example.com/a?q=a+b&r=%20c&&", "https://example.com/a?q=a+b&r=%20c"),
        ("https://example.com/a?flag", "https://example.com/a?flag"),
        ("https://example.com/a?x=1;y=2", "https://example.com/a?x=1;y=2"),
        # user info kept; non-http(s) strings come back stripped but untouched
        ("https://user:pw@Example.com/a", "https://user:pw@example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("urn:uuid:1225C695", "urn:uuid:1225C695"),
        ("mailto:Someone@Example.com", "mailto:Someone@Example.com"),
        ("/relative/path/", "/relative/path/"),
        ("https://[broken/", "https://[broken/"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a?id=3&b=2",
        "https://xn--bcher-kva.example/",
        "https://example.com/~user/caf%C3%A9",
        "https://example.com/#!/story/42",
    ],
)
def test_normalize_url_is_idempotent(url: str) -> None:
    assert normalize_url(normalize_url(url)) == normalize_url(url) == url


@pytest.mark.parametrize(
    ("name", "tracking"),
    [
        ("utm_source", True),
        ("UTM_CONTENT", True),
        ("fbclid", True),
        ("gclid", True),
        ("mc_eid", True),
        ("_hsenc", True),
        ("mtm_campaign", True),
        ("id", False),
        ("page", False),
        ("ref", False),
        ("utm", False),
    ],
)
def test_is_tracking_param(name: str, tracking: bool) -> None:
    assert is_tracking_param(name) is tracking


@pytest.mark.parametrize(
    ("guid", "link", "title", "summary", "expected"),
    [
        ("tag:x,2024:1", "https://x.example/a", "T", "S", "tag:x,2024:1"),
        ("  12345 \n", "https://x.example/a", "T", "S", "12345"),
        (None, "https://x.example/a", "T", "S", "https://x.example/a"),
        ("", "https://x.example/a", "T", "S", "https://x.example/a"),
        ("   ", "https://x.example/a?p=1", "T", "S", "https://x.example/a?p=1"),
    ],
)
def test_entry_key_chain(
    guid: str | None, link: str | None, title: str, summary: str, expected: str
) -> None:
    assert entry_key(guid=guid, link=link, title=title, summary=summary) == expected


def _hash_key(title: str, summary: str, link: str | None = None) -> str:
    return entry_key(guid=None, link=link, title=title, summary=summary)


def test_entry_key_falls_back_to_a_hash() -> None:
    key = _hash_key("A title", "A summary")
    assert key.startswith("sha256:")
    # Stable across fetches, blind to whitespace, case and punctuation changes...
    assert _hash_key("  a TITLE ", "A summary!") == key
    # ...and a site's home page is no identity: the hash decides.
    assert _hash_key("A title", "A summary", link="https://x.example/") == key
    assert _hash_key("Another", "A summary", link="https://x.example/") != key
    assert _hash_key("A title", "Other words") != key


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("/a", "https://x.example/feed/", "https://x.example/a"),
        ("b", "https://x.example/feed/", "https://x.example/feed/b"),
        ("//cdn.example/i.png", "https://x.example/", "https://cdn.example/i.png"),
        ("https://y.example/", "https://x.example/", "https://y.example/"),
        ("  ", "https://x.example/", None),
        (None, "https://x.example/", None),
        ("javascript:alert(1)", "https://x.example/", None),
        ("mailto:a@b.example", "https://x.example/", None),
        ("relative", None, None),
    ],
)
def test_resolve_link(href: str | None, base: str | None, expected: str | None) -> None:
    assert resolve_link(href, base) == expected
