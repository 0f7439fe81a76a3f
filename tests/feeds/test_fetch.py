"""The fetcher against a real local HTTP server: validators, statuses, content, errors."""

from __future__ import annotations

import gzip
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiohttp import web

from bot.feeds.errors import FetchErrorKind
from bot.feeds.fetch import PAGE_ACCEPT, Fetcher
from bot.feeds.http import FetchLimits
from bot.settings import Settings
from tests.fixtures.http import (
    TEST_LIMITS,
    HttpServer,
    MakeFetcher,
    NameMap,
    fetch_error,
    raw_server,
)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ETAG = '"v1"'
MODIFIED = "Sun, 01 Mar 2026 12:00:00 GMT"


async def test_plain_get_sends_user_agent_and_accept(
    http_server: HttpServer, fetcher: Fetcher
) -> None:
    url = http_server.static("/feed.xml", FEED, content_type="application/rss+xml")
    result = await fetcher.fetch(url)
    assert (result.status, result.body, result.not_modified) == (200, FEED, False)
    assert result.content_type == "application/rss+xml"
    assert (result.url, result.redirects, result.permanent_url) == (url, 0, None)
    sent = http_server.requests_to("/feed.xml")[0].headers
    assert sent["User-Agent"] == TEST_LIMITS.user_agent
    assert sent["Accept"].startswith("application/rss+xml")
    assert "If-None-Match" not in sent


async def test_pages_are_fetched_as_html(http_server: HttpServer, fetcher: Fetcher) -> None:
    url = http_server.static("/story", b"<html><p>Hi</p></html>", content_type="text/html")
    result = await fetcher.fetch_page(url)
    assert result.body == b"<html><p>Hi</p></html>"
    assert http_server.requests_to("/story")[0].headers["Accept"] == PAGE_ACCEPT


@pytest.mark.parametrize(
    ("validators", "sent"),
    [
        ({"etag": ETAG, "last_modified": MODIFIED}, {"If-None-Match": ETAG}),
        ({"etag": ETAG}, {"If-None-Match": ETAG}),
        ({"last_modified": MODIFIED}, {"If-Modified-Since": MODIFIED}),
    ],
)
async def test_not_modified_when_validators_match(
    http_server: HttpServer,
    fetcher: Fetcher,
    validators: dict[str, str],
    sent: dict[str, str],
) -> None:
    url = http_server.static("/feed.xml", FEED, etag=ETAG, last_modified=MODIFIED)
    first = await fetcher.fetch(url)
    assert (first.etag, first.last_modified) == (ETAG, MODIFIED)
    second = await fetcher.fetch(url, **validators)
    assert second.not_modified
    assert (second.status, second.body) == (304, b"")
    assert (second.etag, second.last_modified) == (ETAG, MODIFIED)
    headers = http_server.requests_to("/feed.xml")[1].headers
    for name, value in sent.items():
        assert headers[name] == value
    if len(validators) == 2:
        assert headers["If-Modified-Since"] == MODIFIED


async def test_a_304_without_validators_keeps_the_ones_sent(
    http_server: HttpServer, fetcher: Fetcher
) -> None:
    async def bare_304(request: web.Request) -> web.StreamResponse:
        return web.Response(status=304)

    url = http_server.route("/feed.xml", bare_304)
    result = await fetcher.fetch(url, etag=ETAG, last_modified=MODIFIED)
    assert result.not_modified
    assert (result.etag, result.last_modified) == (ETAG, MODIFIED)


async def test_changed_validators_give_the_new_body(
    http_server: HttpServer, fetcher: Fetcher
) -> None:
    url = http_server.static("/feed.xml", FEED + b"<!-- v2 -->", etag='"v2"')
    result = await fetcher.fetch(url, etag=ETAG)
    assert not result.not_modified
    assert result.etag == '"v2"'
    assert result.body.endswith(b"v2 -->")


def retry_date(seconds: int) -> dict[str, str]:
    """Date and an HTTP-date Retry-After ``seconds`` later."""
    now = datetime.now(UTC).replace(microsecond=0)
    later = now + timedelta(seconds=seconds)
    return {
        "Date": format_datetime(now, usegmt=True),
        "Retry-After": format_datetime(later, usegmt=True),
    }


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [
        (429, {"Retry-After": "120"}, 120),
        (503, {"Retry-After": "7"}, 7),
        (503, retry_date(90), 90),
        (429, {}, None),
        (429, {"Retry-After": "whenever"}, None),
        (500, {"Retry-After": "120"}, None),  # only meaningful on 429/503
    ],
)
async def test_retry_after_is_surfaced(
    http_server: HttpServer,
    fetcher: Fetcher,
    status: int,
    headers: dict[str, str],
    retry_after: int | None,
) -> None:
    url = http_server.static("/feed.xml", b"busy", status=status, headers=headers)
    error = await fetch_error(fetcher, url)
    assert (error.kind, error.status, error.transient) == (FetchErrorKind.HTTP_STATUS, status, True)
    assert error.retry_after == retry_after
    if retry_after is not None:
        assert f"retry in {retry_after} s" in str(error)


@pytest.mark.parametrize(
    ("status", "transient"),
    [(400, False), (401, False), (403, False), (404, False), (410, False), (408, True),
     (500, True), (502, True), (503, True), (504, True), (300, False)],
)  # fmt: skip
async def test_error_statuses(
    http_server: HttpServer, fetcher: Fetcher, status: int, transient: bool
) -> None:
    url = http_server.static("/feed.xml", b"nope", status=status)
    error = await fetch_error(fetcher, url)
    assert (error.kind, error.status, error.transient) == (
        FetchErrorKind.HTTP_STATUS,
        status,
        transient,
    )
    assert f"HTTP {status}" in str(error)
    assert url in str(error)


@pytest.mark.parametrize(
    ("content_type", "media_type", "charset"),
    [
        ("text/html; charset=ISO-8859-1", "text/html", "iso-8859-1"),
        ("application/octet-stream", "application/octet-stream", None),
        ("Application/RSS+XML; charset=UTF-8", "application/rss+xml", "utf-8"),
    ],
)
async def test_content_type_is_reported_not_enforced(
    http_server: HttpServer,
    fetcher: Fetcher,
    content_type: str,
    media_type: str,
    charset: str | None,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.Response(body=FEED)
        response.headers["Content-Type"] = content_type
        return response

    result = await fetcher.fetch(http_server.route("/feed.xml", handler))
    assert (result.body, result.content_type, result.charset) == (FEED, media_type, charset)


async def test_a_missing_content_type_is_reported_empty(fetcher: Fetcher) -> None:
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\n<rss/>"
    async with raw_server(response) as url:
        result = await fetcher.fetch(url)
    assert (result.body, result.content_type, result.charset) == (b"<rss/>", "", None)


@pytest.mark.parametrize(
    "response",
    [
        b"HTTP/1.1 2OO OK\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n<rss>",
        b"",
    ],
)
async def test_broken_responses_are_transient_connection_errors(
    fetcher: Fetcher, response: bytes
) -> None:
    async with raw_server(response) as url:
        error = await fetch_error(fetcher, url)
    assert (error.kind, error.transient) == (FetchErrorKind.CONNECTION, True)
    assert "127.0.0.1" in str(error)


async def test_freshness_comes_from_cache_control(
    http_server: HttpServer, fetcher: Fetcher
) -> None:
    url = http_server.static("/feed.xml", FEED, headers={"Cache-Control": "max-age=900"})
    assert (await fetcher.fetch(url)).fresh_for == 900


async def test_a_closed_port_is_a_transient_connection_error(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await fetch_error(fetcher, f"http://127.0.0.1:{port}/feed.xml")
    assert (error.kind, error.transient) == (FetchErrorKind.CONNECTION, True)
    assert f"port {port}: Connection refused" in str(error)


async def test_tls_failures_are_reported(http_server: HttpServer, fetcher: Fetcher) -> None:
    url = http_server.static("/feed.xml", FEED).replace("http:", "https:")  # plain HTTP port
    error = await fetch_error(fetcher, url)
    assert (error.kind, error.transient) == (FetchErrorKind.TLS, True)
    assert "the TLS handshake with 127.0.0.1 failed" in str(error)


async def test_an_unknown_name_is_a_transient_dns_error(make_fetcher: MakeFetcher) -> None:
    fetcher = make_fetcher(resolver=NameMap({}), allow_private=False)
    error = await fetch_error(fetcher, "https://no-such-feed.test/feed.xml")
    assert (error.kind, error.transient) == (FetchErrorKind.DNS, True)
    assert "could not resolve no-such-feed.test" in str(error)


async def test_the_server_serves_folders_with_gz_files_as_gzip(
    http_server: HttpServer, fetcher: Fetcher, tmp_path: Path
) -> None:
    (tmp_path / "plain.xml").write_bytes(FEED)
    (tmp_path / "packed.rss.gz").write_bytes(gzip.compress(FEED))
    (tmp_path / "feed.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1"}')
    base = http_server.files("/corpus", tmp_path)
    plain, packed = (
        await fetcher.fetch(base + "plain.xml"),
        await fetcher.fetch(base + "packed.rss.gz"),  # sent with Content-Encoding: gzip
    )
    assert (plain.body, plain.content_type) == (FEED, "application/xml")
    assert (packed.body, packed.content_type) == (FEED, "application/rss+xml")
    assert (await fetcher.fetch(base + "feed.json")).content_type == "application/json"
    assert (await fetch_error(fetcher, base + "../etc/passwd")).status == 404


def test_limits_come_from_the_settings() -> None:
    settings = Settings(
        allow_private_urls=True,
        max_body_bytes=4096,
        per_host_concurrency=3,
        global_concurrency=9,
        connect_timeout_seconds=1.5,
        read_timeout_seconds=7.0,
        user_agent="UA/1",
    )
    assert FetchLimits.from_settings(settings) == FetchLimits(
        per_host_concurrency=3,
        global_concurrency=9,
        connect_timeout=1.5,
        total_timeout=7.0,
        max_body_bytes=4096,
        user_agent="UA/1",
        allow_private=True,
    )
