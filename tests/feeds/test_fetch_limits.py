"""The fetcher's bounds: body cap (gzip bombs too), timeouts, per-host and global concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from aiohttp import web

from bot.feeds.errors import FetchErrorKind
from bot.feeds.fetch import Fetcher
from tests.fixtures.http import (
    Endless,
    GzipBomb,
    HttpServer,
    MakeFetcher,
    NameMap,
    Trickle,
    fetch_error,
)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.mark.parametrize("declared", [False, True])
async def test_bodies_beyond_the_cap_are_cut_off(
    http_server: HttpServer, make_fetcher: MakeFetcher, declared: bool
) -> None:
    fetcher = make_fetcher(max_body_bytes=256 * 1024)
    endless = Endless()
    if declared:
        url = http_server.static("/feed.xml", b"x" * (256 * 1024 + 1))
    else:
        url = http_server.route("/feed.xml", endless)
    error = await fetch_error(fetcher, url)
    assert error.kind is FetchErrorKind.TOO_LARGE
    assert "larger than the 256 KiB limit" in str(error)
    assert not error.transient
    assert endless.sent < 64 * 1024 * 1024  # the download was abandoned, not drained


async def test_a_body_exactly_at_the_cap_is_accepted(
    http_server: HttpServer, make_fetcher: MakeFetcher
) -> None:
    fetcher = make_fetcher(max_body_bytes=256 * 1024)
    url = http_server.static("/feed.xml", b"x" * (256 * 1024))
    assert len((await fetcher.fetch(url)).body) == 256 * 1024


async def test_a_gzip_bomb_stops_at_the_cap_on_decoded_bytes(
    http_server: HttpServer, make_fetcher: MakeFetcher
) -> None:
    fetcher = make_fetcher(max_body_bytes=1 << 20)
    bomb = GzipBomb(decoded_bytes=1 << 30)  # 1 GiB of zeros, about 1 MiB gzipped
    error = await fetch_error(fetcher, http_server.route("/feed.xml", bomb))
    assert error.kind is FetchErrorKind.TOO_LARGE
    assert "1 MiB limit" in str(error)
    assert not bomb.finished
    assert bomb.compressed_sent < 512 * 1024


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as IIS sends it
    ],
)
async def test_compressed_bodies_are_decoded(
    http_server: HttpServer,
    fetcher: Fetcher,
    encoding: str,
    compress: Callable[[bytes], bytes],
) -> None:
    body = FEED * 50
    url = http_server.static("/feed.xml", compress(body), headers={"Content-Encoding": encoding})
    assert (await fetcher.fetch(url)).body == body


async def test_a_corrupt_gzip_body_is_a_decode_error(
    http_server: HttpServer, fetcher: Fetcher
) -> None:
    broken = gzip.compress(FEED * 50)[:40] + b"\x00garbage" * 20
    url = http_server.static("/feed.xml", broken, headers={"Content-Encoding": "gzip"})
    error = await fetch_error(fetcher, url)
    assert error.kind is FetchErrorKind.DECODE


@pytest.mark.parametrize("stall", ["headers", "body"])
async def test_slow_responses_hit_the_total_timeout(
    http_server: HttpServer, make_fetcher: MakeFetcher, stall: str
) -> None:
    async def slow_headers(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(30)
        return web.Response(body=FEED)

    fetcher = make_fetcher(total_timeout=0.4)
    url = http_server.route("/feed.xml", Trickle(0.05) if stall == "body" else slow_headers)
    error = await fetch_error(fetcher, url)
    assert (error.kind, error.transient) == (FetchErrorKind.TIMEOUT, True)
    assert "within 0.4 s" in str(error)


@contextmanager
def unanswered_port() -> Iterator[int]:
    """A listening port whose accept queue is full, so new connections hang in SYN-SENT."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for sock in [*fillers, listener]:
            sock.close()


async def test_a_host_that_never_answers_hits_the_connect_timeout(
    make_fetcher: MakeFetcher,
) -> None:
    fetcher = make_fetcher(connect_timeout=0.3)
    with unanswered_port() as port:
        error = await fetch_error(fetcher, f"http://127.0.0.1:{port}/feed.xml")
    assert (error.kind, error.transient) == (FetchErrorKind.TIMEOUT, True)
    assert "could not connect to 127.0.0.1 within 0.3 s" in str(error)


class InFlight:
    """A handler holding each request until ``expected`` are in flight; records the peaks."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.total = 0
        self.peak = 0
        self.per_host: Counter[str] = Counter()
        self.peak_per_host: Counter[str] = Counter()
        self._changed = asyncio.Condition()

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        """Count the request in, wait for company (at most 0.25 s), count it out."""
        host = request.host.rsplit(":", 1)[0]
        async with self._changed:
            self.total += 1
            self.per_host[host] += 1
            self.peak = max(self.peak, self.total)
            self.peak_per_host[host] = max(self.peak_per_host[host], self.per_host[host])
            self._changed.notify_all()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.total >= self.expected), 0.25
                )
            self.total -= 1
            self.per_host[host] -= 1
        return web.Response(body=FEED)


async def test_requests_per_host_are_bounded(
    http_server: HttpServer, make_fetcher: MakeFetcher
) -> None:
    fetcher = make_fetcher(per_host_concurrency=2)
    probe = InFlight(expected=3)  # more than allowed: only a broken limit lets 3 in
    url = http_server.route("/feed.xml", probe)
    results = await asyncio.gather(*(fetcher.fetch(url) for _ in range(4)))
    assert all(result.body == FEED for result in results)
    assert probe.peak == 2
    assert fetcher.hosts_tracked == 0  # idle hosts leave no semaphore behind


async def test_requests_overall_are_bounded(
    http_server: HttpServer, make_fetcher: MakeFetcher
) -> None:
    hosts = [f"feed{index}.test" for index in range(4)]
    fetcher = make_fetcher(
        per_host_concurrency=2,
        global_concurrency=3,
        resolver=NameMap(dict.fromkeys(hosts, "127.0.0.1")),
    )
    probe = InFlight(expected=4)
    http_server.route("/feed.xml", probe)
    urls = [http_server.url("/feed.xml", host=host) for host in hosts for _ in range(2)]
    await asyncio.gather(*(fetcher.fetch(url) for url in urls))
    assert probe.peak == 3
    assert max(probe.peak_per_host.values()) <= 2
    assert set(probe.peak_per_host) == set(hosts)
    assert fetcher.hosts_tracked == 0
