"""The SSRF guard: address table, URL vetting, resolver and socket layers, end to end."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from yarl import URL

from bot.feeds.errors import FetchError, FetchErrorKind
from bot.feeds.guard import (
    BlockedAddressError,
    GuardedResolver,
    address_problem,
    check_url,
    guarded_socket_factory,
    literal_address,
    socket_factory,
)
from bot.feeds.http import create_session
from tests.fixtures.http import HttpServer, MakeFetcher, NameMap, fetch_limits

# address -> what the guard calls it (None: public, allowed)
ADDRESSES = [
    ("8.8.8.8", None),
    ("1.1.1.1", None),
    ("2606:4700:4700::1111", None),
    ("::ffff:8.8.8.8", None),  # IPv4-mapped public
    ("64:ff9b::808:808", None),  # NAT64 of a public address
    ("2002:808:808::1", None),  # 6to4 of a public address
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped loopback
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 of loopback
    ("2002:7f00:1::", "IPv6 tunnel to a non-public IPv4"),  # 6to4 of loopback
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("::ffff:10.1.2.3", "private"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("169.254.169.254", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("240.0.0.1", "private"),  # reserved 240/4 (Python files it under private)
    ("192.0.2.1", "private"),  # documentation range
    ("2001:db8::1", "private"),  # documentation range
    ("255.255.255.255", "private"),
]


@pytest.mark.parametrize(("address", "problem"), ADDRESSES)
def test_address_table(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:7f00:1", "::ffff:7f00:1"),
        ("example.com", None),
        ("cafe", None),
        ("deadbeef", None),
    ],
)
def test_literal_addresses_include_legacy_ipv4_forms(host: str, address: str | None) -> None:
    assert literal_address(host) == address


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed.xml",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:text/xml,<rss/>",
        "example.com/feed.xml",
        "http://",
        "https:///path-only",
        "",
        "http://exa mple.com/",
        "http://ex$ample.com/",
    ],
)
def test_only_http_urls_with_a_host_pass(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url, allow_private=True)
    assert caught.value.kind is FetchErrorKind.INVALID_URL
    assert not caught.value.transient


PRIVATE_URLS = [
    "http://127.0.0.1/feed",
    "http://127.0.0.1:8080/feed",
    "http://10.0.0.5/feed",
    "http://192.168.0.1/",
    "http://[::1]/feed",
    "http://[::ffff:127.0.0.1]/feed",
    "http://0.0.0.0/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "https://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_literal_private_urls_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url, allow_private=False)
    assert caught.value.kind is FetchErrorKind.REFUSED
    assert not caught.value.transient
    assert "BRIEFING_ALLOW_PRIVATE_URLS" in str(caught.value)
    assert check_url(url, allow_private=True) == URL(url)


def test_public_urls_pass_and_lose_their_fragment() -> None:
    assert str(check_url("https://8.8.8.8/feed#top", allow_private=False)) == "https://8.8.8.8/feed"
    assert str(check_url(" https://example.com/a?b=1 ", allow_private=False)) == (
        "https://example.com/a?b=1"
    )


# Refused whatever allow_private says: cloud metadata services and link-local addresses.
NEVER_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.170.2/v2/credentials",  # ECS task credentials (link-local)
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://100.100.100.200/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[::ffff:169.254.169.254]/",  # IPv4-mapped
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64
    "http://[2002:a9fe:a9fe::1]/",  # 6to4
    "http://[2001:0:4136:e378:8000:63bf:5601:5601]/",  # Teredo to 169.254.169.254
    "http://2852039166/",  # 169.254.169.254 as one number
    "http://0xa9.0xfe.0xa9.0xfe/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/",
    "http://metadata.goog/",
    "http://metadata/",
    "http://instance-data.ec2.internal/latest/meta-data/",
]


@pytest.mark.parametrize("url", NEVER_URLS)
@pytest.mark.parametrize("allow_private", [False, True])
def test_metadata_and_link_local_urls_are_refused_even_when_private_urls_are_allowed(
    url: str, allow_private: bool
) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url, allow_private=allow_private)
    assert caught.value.kind is FetchErrorKind.REFUSED
    assert "never fetched" in str(caught.value)
    assert "BRIEFING_ALLOW_PRIVATE_URLS" not in str(caught.value)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("2002:a9fe:a9fe::", "cloud metadata"),
        ("2001:0:4136:e378:8000:63bf:5601:5601", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("2002:a9fe:101::", "link-local"),
        ("127.0.0.1", None),
        ("::1", None),
        ("10.0.0.1", None),
        ("192.168.1.10", None),
        ("fd12:3456::1", None),
        ("100.64.0.1", None),  # CGNAT: Tailscale and similar overlays
        ("2002:7f00:1::", None),
        ("8.8.8.8", None),
    ],
)
def test_allowing_private_addresses_keeps_metadata_and_link_local_refused(
    address: str, problem: str | None
) -> None:
    assert address_problem(address, allow_private=True) == problem


async def test_resolver_with_private_allowed_still_drops_metadata() -> None:
    names = NameMap(
        {
            "lan.test": ["192.168.1.10", "169.254.169.254"],
            "imds.test": ["169.254.169.254", "fd00:ec2::254"],
        }
    )
    resolver = GuardedResolver(names, allow_private=True)
    assert [r["host"] for r in await resolver.resolve("lan.test", 80)] == ["192.168.1.10"]
    with pytest.raises(BlockedAddressError, match="never fetched") as caught:
        await resolver.resolve("imds.test", 80)
    assert caught.value.problems == (
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
    )


@pytest.mark.parametrize(
    "sockaddr",
    [("169.254.169.254", 80), ("fd00:ec2::254", 80, 0, 0), ("fe80::1", 80, 0, 1)],
)
def test_socket_factory_with_private_allowed_refuses_metadata(
    sockaddr: tuple[object, ...],
) -> None:
    family = socket.AF_INET6 if ":" in str(sockaddr[0]) else socket.AF_INET
    factory = socket_factory(allow_private=True)
    with pytest.raises(BlockedAddressError):
        factory((family, socket.SOCK_STREAM, 6, "", sockaddr))
    factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))).close()
    factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", 80))).close()


async def test_a_redirect_to_a_metadata_name_is_not_followed_with_private_urls_allowed(
    http_server: HttpServer, make_fetcher: MakeFetcher
) -> None:
    # The metadata name maps to the local server: were the guard to follow it, the request
    # would show up there (and nothing leaves loopback either way).
    names = NameMap({"metadata.google.internal": "127.0.0.1", "feeds.lan.test": "127.0.0.1"})
    target = http_server.url("/computeMetadata/v1/", host="metadata.google.internal")
    http_server.redirect("/feed.xml", target)
    fetcher = make_fetcher(allow_private=True, resolver=names)
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(http_server.url("/feed.xml", host="feeds.lan.test"))
    assert caught.value.kind is FetchErrorKind.REFUSED
    assert "metadata.google.internal" in str(caught.value)
    assert [r.path for r in http_server.requests] == ["/feed.xml"]


@pytest.mark.parametrize("url", PRIVATE_URLS)
async def test_fetcher_refuses_literal_private_urls(make_fetcher: MakeFetcher, url: str) -> None:
    fetcher = make_fetcher(allow_private=False)
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url)
    assert caught.value.kind is FetchErrorKind.REFUSED


async def test_resolver_keeps_only_public_addresses() -> None:
    names = NameMap({"mixed.test": ["10.0.0.1", "8.8.8.8", "::1"], "inside.test": ["10.0.0.1"]})
    resolver = GuardedResolver(names)
    assert [r["host"] for r in await resolver.resolve("mixed.test", 80)] == ["8.8.8.8"]
    with pytest.raises(BlockedAddressError, match=r"inside\.test resolves only to non-public"):
        await resolver.resolve("inside.test", 80)


@pytest.mark.parametrize(
    "sockaddr", [("127.0.0.1", 80), ("169.254.169.254", 80), ("::1", 80, 0, 0)]
)
def test_socket_factory_refuses_non_public_destinations(sockaddr: tuple[object, ...]) -> None:
    family = socket.AF_INET6 if ":" in str(sockaddr[0]) else socket.AF_INET
    with pytest.raises(BlockedAddressError):
        guarded_socket_factory((family, socket.SOCK_STREAM, 6, "", sockaddr))


def test_socket_factory_creates_sockets_for_public_destinations() -> None:
    sock = guarded_socket_factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", 80)))
    sock.close()


@pytest.mark.parametrize("allow_private", [False, True])
async def test_localhost_is_refused_unless_allowed(
    http_server: HttpServer, make_fetcher: MakeFetcher, allow_private: bool
) -> None:
    # localhost comes from /etc/hosts: a real name that resolves to 127.0.0.1.
    url = http_server.static("/feed.xml", b"<rss/>")
    fetcher = make_fetcher(allow_private=allow_private)
    if allow_private:
        result = await fetcher.fetch(http_server.url("/feed.xml", host="localhost"))
        assert result.body == b"<rss/>"
        return
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url.replace("127.0.0.1", "localhost"))
    assert caught.value.kind is FetchErrorKind.REFUSED
    assert "localhost resolves only to non-public addresses" in str(caught.value)
    assert http_server.requests == []


@pytest.mark.parametrize("allow_private", [False, True])
async def test_a_name_resolving_to_loopback_is_refused_unless_allowed(
    http_server: HttpServer, make_fetcher: MakeFetcher, allow_private: bool
) -> None:
    http_server.static("/feed.xml", b"<rss/>")
    names = NameMap({"feeds.example.test": "127.0.0.1"})
    fetcher = make_fetcher(allow_private=allow_private, resolver=names)
    url = http_server.url("/feed.xml", host="feeds.example.test")
    if allow_private:
        assert (await fetcher.fetch(url)).status == 200
        assert http_server.requests[0].headers["Host"].startswith("feeds.example.test:")
        return
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url)
    assert caught.value.kind is FetchErrorKind.REFUSED
    assert "127.0.0.1 (loopback)" in str(caught.value)
    assert http_server.requests == []


async def test_the_session_itself_refuses_loopback_sockets(http_server: HttpServer) -> None:
    # Bypassing the fetcher's URL check: the connector's socket factory still refuses.
    url = http_server.static("/feed.xml", b"<rss/>")
    async with create_session(fetch_limits(allow_private=False)) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as caught:
            await session.get(url)
    assert isinstance(caught.value.os_error, BlockedAddressError)
    assert http_server.requests == []
