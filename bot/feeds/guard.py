"""SSRF guard: server members supply URLs, so the bot must only ever reach public addresses.

Three layers, each on its own enough for the case it covers:

- :func:`check_url` vets every URL (the first and each redirect target): http(s) only, a host,
  and no literal IP host that is not public (aiohttp never resolves literal hosts).
- :class:`GuardedResolver` drops the non-public addresses a name resolves to, and refuses the
  name when none is left, so ``localhost`` or a DNS name pointing at 127.0.0.1 is refused.
- :func:`guarded_socket_factory` checks the socket address of every connection attempt right
  before the socket connects: the address actually connected to, whatever path led there.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import re
import socket
from collections.abc import Sequence

from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.feeds.errors import FetchError, FetchErrorKind

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
ALLOW_HINT = "set BRIEFING_ALLOW_PRIVATE_URLS=true to allow local feeds"
_METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_HOST_NAME = re.compile(r"[A-Za-z0-9_.-]+")  # after IDNA encoding; "_" occurs in the wild
_LEGACY_IPV4_CHARS = frozenset("0123456789abcdefxABCDEFX.")
# Checked in this order, so the most telling name is reported.
_CHECKS = (
    ("unspecified", "is_unspecified"),
    ("loopback", "is_loopback"),
    ("link-local", "is_link_local"),
    ("multicast", "is_multicast"),
    ("private", "is_private"),
    ("reserved", "is_reserved"),
)


class BlockedAddressError(PermissionError):
    """The SSRF guard refused every address of a host."""

    def __init__(self, host: str, problems: Sequence[tuple[str, str]]) -> None:
        self.host = host
        self.problems = tuple(problems)  # (address, what kind of address it is)
        if len(problems) == 1 and problems[0][0] == host:
            text = f"refused: {host} is not a public address ({problems[0][1]})"
        else:
            shown = ", ".join(f"{address} ({problem})" for address, problem in problems)
            text = f"refused: {host} resolves only to non-public addresses: {shown}"
        text += f"; {ALLOW_HINT}"
        super().__init__(errno.EACCES, text)

    def __str__(self) -> str:
        return str(self.strerror)


def address_problem(address: str) -> str | None:
    """What kind of non-public address this is ("loopback", "private", ...); None if public."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unparseable"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d connects to a.b.c.d
            return address_problem(str(ip.ipv4_mapped))
        if ip in _NAT64:  # DNS64 on IPv6-only hosts: judged by the IPv4 address it leads to
            return address_problem(str(ipaddress.IPv4Address(ip.packed[-4:])))
        embedded = _embedded_ipv4(ip)
        if embedded is not None and address_problem(str(embedded)) is not None:
            return "IPv6 tunnel to a non-public IPv4"
        ip = ipaddress.IPv6Address(ip.packed)  # drop any %scope before comparing
    if ip in _METADATA:
        return "cloud metadata"
    for name, attribute in _CHECKS:
        if getattr(ip, attribute):
            return name
    if ip in _CGNAT:
        return "carrier-grade NAT"
    if not ip.is_global:
        return "non-global"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a 6to4 or Teredo address tunnels to, if any."""
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def literal_address(host: str) -> str | None:
    """The IP address a URL host spells literally, legacy IPv4 forms (127.1, 0x7f000001) too."""
    bare = host.strip("[]")
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    if bare and set(bare) <= _LEGACY_IPV4_CHARS:
        try:  # inet_aton accepts the forms getaddrinfo would turn into an address
            return socket.inet_ntoa(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def check_url(url: str | URL, *, allow_private: bool) -> URL:
    """Parse and vet a URL to fetch; ``FetchError`` (invalid_url or refused) when it must not be."""
    text = str(url)
    try:
        parsed = url if isinstance(url, URL) else URL(url.strip())
    except (ValueError, TypeError) as exc:
        raise FetchError(FetchErrorKind.INVALID_URL, f"not a valid URL: {text!r} ({exc})") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        scheme = f"{parsed.scheme}: URLs" if parsed.scheme else "URLs without a scheme"
        raise FetchError(
            FetchErrorKind.INVALID_URL, f"{scheme} are not fetched, only http and https: {text!r}"
        )
    if not parsed.raw_host:
        raise FetchError(FetchErrorKind.INVALID_URL, f"the URL has no host: {text!r}")
    if ":" not in parsed.raw_host and not _HOST_NAME.fullmatch(parsed.raw_host):
        raise FetchError(FetchErrorKind.INVALID_URL, f"not a valid host name: {parsed.raw_host!r}")
    address = literal_address(parsed.raw_host)
    if address is not None and not allow_private:
        problem = address_problem(address)
        if problem is not None:
            blocked = BlockedAddressError(parsed.raw_host, [(parsed.raw_host, problem)])
            raise FetchError(FetchErrorKind.REFUSED, str(blocked), url=text)
    return parsed.with_fragment(None)


class GuardedResolver(AbstractResolver):
    """Wraps a resolver and keeps only public addresses; refuses names that have none."""

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` with the wrapped resolver and drop every non-public address."""
        results = await self._inner.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        refused: list[tuple[str, str]] = []
        for result in results:
            problem = address_problem(result["host"])
            if problem is None:
                allowed.append(result)
            else:
                refused.append((result["host"], problem))
        if refused:
            log.info("SSRF guard dropped %s for %s", refused, host)
        if not allowed:
            raise BlockedAddressError(host, refused)
        return allowed

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self._inner.close()


def guarded_socket_factory(addr_info: AddrInfoType) -> socket.socket:
    """Create the socket for one connection attempt, refusing non-public destination addresses."""
    family, type_, proto, _, sockaddr = addr_info
    address = str(sockaddr[0])
    problem = address_problem(address)
    if problem is not None:
        log.warning("SSRF guard refused a connection to %s (%s)", address, problem)
        raise BlockedAddressError(address, [(address, problem)])
    return socket.socket(family=family, type=type_, proto=proto)
