"""SSRF guard: server members supply URLs, so the bot must only ever reach public addresses.

Three layers, each on its own enough for the case it covers:

- :func:`check_url` vets every URL (the first and each redirect target): http(s) only, a host,
  and no literal IP host that is not public (aiohttp never resolves literal hosts).
- :class:`GuardedResolver` drops the non-public addresses a name resolves to, and refuses the
  name when none is left, so ``localhost`` or a DNS name pointing at 127.0.0.1 is refused.
- :func:`guarded_socket_factory` checks the socket address of every connection attempt right
  before the socket connects: the address actually connected to, whatever path led there.

``allow_private`` (self-hosted feeds on a LAN) lifts the guard for loopback, private, CGNAT and
the like, never for cloud metadata services and link-local addresses: a feed that redirects to
169.254.169.254 would hand the instance's credentials to whoever wrote the feed.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import re
import socket
from collections.abc import Callable, Sequence

from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.feeds.errors import FetchError, FetchErrorKind

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
ALLOW_HINT = "set BRIEFING_ALLOW_PRIVATE_URLS=true to allow local feeds"
NEVER_HINT = "cloud metadata and link-local addresses are never fetched"
METADATA = "cloud metadata"
LINK_LOCAL = "link-local"
# Refused even with allow_private: nothing a feed reader needs lives there.
NEVER_ALLOWED = frozenset({METADATA, LINK_LOCAL})
_METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, DigitalOcean, OpenStack
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (legacy)
    )
)
# Names that resolve to a metadata service inside its cloud (refused before any lookup).
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_HOST_NAME = re.compile(r"[A-Za-z0-9_.-]+")  # after IDNA encoding; "_" occurs in the wild
_LEGACY_IPV4_CHARS = frozenset("0123456789abcdefxABCDEFX.")
# Checked in this order, so the most telling name is reported.
_CHECKS = (
    ("unspecified", "is_unspecified"),
    ("loopback", "is_loopback"),
    (LINK_LOCAL, "is_link_local"),
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
        never = problems and all(problem in NEVER_ALLOWED for _, problem in problems)
        text += f"; {NEVER_HINT if never else ALLOW_HINT}"
        super().__init__(errno.EACCES, text)

    def __str__(self) -> str:
        return str(self.strerror)


def address_problem(address: str, *, allow_private: bool = False) -> str | None:
    """What kind of refused address this is ("loopback", "cloud metadata", ...); None if allowed.

    With ``allow_private`` only the kinds in :data:`NEVER_ALLOWED` are refused.
    """
    problem = _classify(address)
    if allow_private and problem not in NEVER_ALLOWED:
        return None
    return problem


def _classify(address: str) -> str | None:
    """What kind of non-public address this is; None if public."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unparseable"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d connects to a.b.c.d
            return _classify(str(ip.ipv4_mapped))
        if ip in _NAT64:  # DNS64 on IPv6-only hosts: judged by the IPv4 address it leads to
            return _classify(str(ipaddress.IPv4Address(ip.packed[-4:])))
        embedded = _embedded_ipv4(ip)
        inner = _classify(str(embedded)) if embedded is not None else None
        if inner in NEVER_ALLOWED:  # a tunnel to the metadata service is the service
            return inner
        if inner is not None:
            return "IPv6 tunnel to a non-public IPv4"
        ip = ipaddress.IPv6Address(ip.packed)  # drop any %scope before comparing
    if ip in _METADATA:
        return METADATA
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
    host = parsed.raw_host
    if not host:
        raise FetchError(FetchErrorKind.INVALID_URL, f"the URL has no host: {text!r}")
    if ":" not in host and not _HOST_NAME.fullmatch(host):
        raise FetchError(FetchErrorKind.INVALID_URL, f"not a valid host name: {host!r}")
    address = literal_address(host)
    problem = METADATA if host.lower().rstrip(".") in METADATA_HOSTS else None
    if problem is None and address is not None:
        problem = address_problem(address, allow_private=allow_private)
    if problem is not None:
        blocked = BlockedAddressError(host, [(host, problem)])
        raise FetchError(FetchErrorKind.REFUSED, str(blocked), url=text)
    return parsed.with_fragment(None)


class GuardedResolver(AbstractResolver):
    """Wraps a resolver and keeps only public addresses; refuses names that have none."""

    def __init__(self, inner: AbstractResolver, *, allow_private: bool = False) -> None:
        self._inner = inner
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` with the wrapped resolver and drop every non-public address."""
        results = await self._inner.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        refused: list[tuple[str, str]] = []
        for result in results:
            problem = address_problem(result["host"], allow_private=self._allow_private)
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


def guarded_socket_factory(
    addr_info: AddrInfoType, *, allow_private: bool = False
) -> socket.socket:
    """Create the socket for one connection attempt, refusing non-public destination addresses."""
    family, type_, proto, _, sockaddr = addr_info
    address = str(sockaddr[0])
    problem = address_problem(address, allow_private=allow_private)
    if problem is not None:
        log.warning("SSRF guard refused a connection to %s (%s)", address, problem)
        raise BlockedAddressError(address, [(address, problem)])
    return socket.socket(family=family, type=type_, proto=proto)


def socket_factory(*, allow_private: bool) -> Callable[[AddrInfoType], socket.socket]:
    """The connector's socket factory for this setting of ``allow_private``."""
    if not allow_private:
        return guarded_socket_factory

    def factory(addr_info: AddrInfoType) -> socket.socket:
        return guarded_socket_factory(addr_info, allow_private=True)

    return factory
