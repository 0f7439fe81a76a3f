"""Entry identity: URL normalisation and the id chain (story fingerprints live in the store)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import unicodedata
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

log = logging.getLogger(__name__)

# Query parameters that only track the click: dropped so one story has one URL.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "mc_cid", "mc_eid", "igshid", "igsh", "ref_src", "ref_url",
        "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "mkt_tok", "_ga",
        "_gl", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "wt.mc_id", "wt.mc_ev",
        "at_medium", "at_campaign", "pk_campaign", "pk_kwd", "pk_source", "pk_medium",
        "pk_content", "ncid", "sr_share", "cmpid", "spm", "s_kwcid", "ef_id", "rb_clickid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "mtm_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_NON_WORD = re.compile(r"[\W_]+")


def normalize_url(url: str) -> str:
    """Canonical form of an http(s) URL; other strings come back stripped but unchanged.

    Scheme and host lower-case, default port and fragment dropped (a ``#!`` route is kept),
    dot segments resolved, trailing slash removed except at the root, percent-escapes made
    upper-case (unreserved ones decoded), tracking parameters removed, other parameters kept in
    order with their original encoding.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = _host(parts.hostname)
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    path = _path(parts.path)
    query = _query(parts.query)
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


def is_tracking_param(name: str) -> bool:
    """Whether a query parameter name only tracks the click (utm_*, fbclid, gclid, ...)."""
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def entry_key(*, guid: str | None, link: str | None, title: str, summary: str) -> str:
    """The id chain: the feed's guid, else the (normalised) link, else a hash of title + summary.

    A link to a site's home page identifies nothing (podcasts often link every item there),
    so such a link falls through to the hash.
    """
    if guid and guid.strip():
        return guid.strip()
    if link and not _is_site_root(link):
        return link
    basis = _canonical_words(title) + "\n" + _canonical_words(summary)
    return "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:40]


def resolve_link(href: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL for ``href`` (resolved against ``base``), or None."""
    if not href or not href.strip():
        return None
    try:
        absolute = urljoin(base or "", href.strip())
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    return absolute if scheme in DEFAULT_PORTS else None


def _host(hostname: str) -> str:
    host = hostname.rstrip(".")
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal
        return f"[{host}]"
    return host


def _path(path: str) -> str:
    path = _PERCENT.sub(_fix_escape, path)
    if "/." in path:
        path = urlsplit(urljoin("http://x/", path)).path
    if not path:
        return "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _query(query: str) -> str:
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = unquote_plus(piece.partition("=")[0])
        if not is_tracking_param(name):
            kept.append(_PERCENT.sub(_fix_escape, piece))
    return "&".join(kept)


def _fix_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _is_site_root(link: str) -> bool:
    parts = urlsplit(link)
    return parts.path in ("", "/") and not parts.query and not parts.fragment


def _canonical_words(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())
