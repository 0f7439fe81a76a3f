"""Redirects followed by hand: counted, loop-checked, vetted, permanence reported."""

from __future__ import annotations

import itertools

import pytest

from bot.feeds.errors import FetchErrorKind
from bot.feeds.fetch import Fetcher
from tests.fixtures.http import (
    HttpServer,
    MakeFetcher,
    NameMap,
    fetch_error,
)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ETAG = '"v1"'


def chain(server: HttpServer, statuses: list[int], final: str = "/final") -> str:
    """Redirect /r0 -> /r1 -> ... -> ``final`` with ``statuses``; return the first URL."""
    for index, status in enumerate(statuses):
        target = f"/r{index + 1}" if index + 1 < len(statuses) else final
        server.redirect(f"/r{index}", target, status=status)
    return server.url("/r0")


@pytest.mark.parametrize(
    ("statuses", "permanent"),
    [
        ([301], True),
        ([308], True),
        ([301, 308, 301], True),
        ([302], False),
        ([303], False),
        ([307], False),
        ([301, 302], False),
        ([302, 301], False),
    ],
)
async def test_permanent_url_only_when_every_hop_is_permanent(
    http_server: HttpServer, fetcher: Fetcher, statuses: list[int], permanent: bool
) -> None:
    final = http_server.static("/final", FEED)
    result = await fetcher.fetch(chain(http_server, statuses))
    assert (result.url, result.body, result.redirects) == (final, FEED, len(statuses))
    assert result.permanent_url == (final if permanent else None)


async def test_redirects_carry_the_validators(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.static("/final", FEED, etag=ETAG)
    result = await fetcher.fetch(chain(http_server, [302]), etag=ETAG)
    assert result.not_modified
    assert http_server.requests_to("/final")[0].headers["If-None-Match"] == ETAG


async def test_redirect_to_another_host_name(
    http_server: HttpServer, make_fetcher: MakeFetcher
) -> None:
    fetcher = make_fetcher(resolver=NameMap({"old.test": "127.0.0.1", "new.test": "127.0.0.1"}))
    http_server.static("/feed.xml", FEED)
    new = http_server.url("/feed.xml", host="new.test")
    http_server.redirect("/old.xml", new, status=308)
    result = await fetcher.fetch(http_server.url("/old.xml", host="old.test"))
    assert (result.url, result.permanent_url) == (new, new)


@pytest.mark.parametrize(("hops", "ok"), [(5, True), (6, False)])
async def test_at_most_five_redirects(
    http_server: HttpServer, fetcher: Fetcher, hops: int, ok: bool
) -> None:
    http_server.static("/final", FEED)
    url = chain(http_server, [302] * hops)
    if ok:
        assert (await fetcher.fetch(url)).redirects == hops
        return
    error = await fetch_error(fetcher, url)
    assert error.kind is FetchErrorKind.TOO_MANY_REDIRECTS
    assert "more than 5 redirects" in str(error)


@pytest.mark.parametrize("loop", [["/a", "/a"], ["/a", "/b", "/a"], ["/a", "/b", "/c", "/b"]])
async def test_redirect_loops_are_detected(
    http_server: HttpServer, fetcher: Fetcher, loop: list[str]
) -> None:
    for source, target in itertools.pairwise(loop):
        http_server.redirect(source, target, status=302)
    error = await fetch_error(fetcher, http_server.url(loop[0]))
    assert error.kind is FetchErrorKind.REDIRECT_LOOP
    assert not error.transient
    assert len(http_server.requests) == len(loop) - 1  # each URL requested once


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("file:///etc/passwd", FetchErrorKind.INVALID_URL),
        ("ftp://example.com/feed", FetchErrorKind.INVALID_URL),
        ("", FetchErrorKind.HTTP_STATUS),  # a redirect without a Location
    ],
)
async def test_bad_redirect_targets(
    http_server: HttpServer, fetcher: Fetcher, location: str, kind: FetchErrorKind
) -> None:
    url = http_server.redirect("/feed.xml", location, status=302)
    assert (await fetch_error(fetcher, url)).kind is kind
