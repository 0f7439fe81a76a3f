"""When to poll a feed next: interval, server hints, backoff, jitter — all bounded."""

from __future__ import annotations

import random
from dataclasses import dataclass

BACKOFF_CAP_SECONDS = 6 * 3600


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """The configured bounds of polling."""

    interval: float = 600.0
    minimum: float = 60.0
    maximum: float = 6 * 3600.0
    jitter: float = 0.1  # +/- share of the delay, so feeds added together spread out


def _bounded(policy: PollPolicy, seconds: float) -> float:
    return min(max(seconds, policy.minimum), policy.maximum)


def _jittered(policy: PollPolicy, seconds: float, rng: random.Random) -> float:
    return seconds * (1.0 + rng.uniform(-policy.jitter, policy.jitter))


def delay_after_success(
    policy: PollPolicy,
    *,
    fresh_for: float | None = None,
    ttl: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll of a healthy feed.

    The server's freshness (Cache-Control max-age / Expires) and the feed's RSS ``<ttl>`` may
    only slow polling down from the configured interval, never speed it up, and the result stays
    within the configured minimum and maximum.
    """
    rng = rng or random.Random()
    seconds = max(policy.interval, fresh_for or 0.0, ttl or 0.0)
    return _bounded(policy, _jittered(policy, seconds, rng))


def delay_after_failure(
    policy: PollPolicy,
    failures: int,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next try after ``failures`` consecutive failures (1 = the first).

    Capped exponential backoff with jitter, starting at the configured interval; a server's
    Retry-After is honoured when it asks for longer. Bounded like every delay by the configured
    minimum and maximum (the maximum defaults to the 6 h backoff cap).
    """
    rng = rng or random.Random()
    exponent = min(max(failures - 1, 0), 16)
    backoff = min(policy.interval * 2**exponent, BACKOFF_CAP_SECONDS)
    seconds = max(_jittered(policy, backoff, rng), retry_after or 0.0)
    return _bounded(policy, seconds)
