"""The one error the fetcher raises: what went wrong, whether it is transient, a message."""

from __future__ import annotations

import logging
from enum import StrEnum

log = logging.getLogger(__name__)

# Statuses worth retrying later: server trouble, rate limits, request timeouts.
_TRANSIENT_STATUSES = frozenset({408, 425, 429})


class FetchErrorKind(StrEnum):
    """Why a fetch failed; the values are stable strings, fit for storage and status output."""

    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    DNS = "dns"
    REFUSED = "refused"  # the SSRF guard refused the address
    HTTP_STATUS = "http_status"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    REDIRECT_LOOP = "redirect_loop"
    CONNECTION = "connection"
    TLS = "tls"
    INVALID_URL = "invalid_url"
    DECODE = "decode"


# Kinds that may well succeed on a later try without anyone changing anything.
_TRANSIENT_KINDS = frozenset(
    {FetchErrorKind.TIMEOUT, FetchErrorKind.DNS, FetchErrorKind.CONNECTION, FetchErrorKind.TLS}
)


def status_is_transient(status: int) -> bool:
    """Whether an HTTP error status is worth retrying (5xx, 408, 425, 429) rather than permanent."""
    return status >= 500 or status in _TRANSIENT_STATUSES


class FetchError(Exception):
    """A fetch that failed; ``str(error)`` is a sentence fit for ``/feed status``."""

    def __init__(
        self,
        kind: FetchErrorKind,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        transient: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.url = url
        self.status = status
        self.retry_after = retry_after  # seconds, from Retry-After on 429/503
        if transient is None:
            if kind is FetchErrorKind.HTTP_STATUS and status is not None:
                transient = status_is_transient(status)
            else:
                transient = kind in _TRANSIENT_KINDS
        self.transient = transient

    def __repr__(self) -> str:
        return (
            f"FetchError({self.kind.value!r}, {self.message!r}, status={self.status!r}, "
            f"retry_after={self.retry_after!r}, transient={self.transient!r})"
        )
