"""Per-route buckets, the global limit, 429s as Discord sends them, and injected 429 storms."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.fakediscord.models import Json

log = logging.getLogger(__name__)

MESSAGES_ROUTE = "POST /channels/{channel_id}/messages"
CROSSPOST_ROUTE = "POST /channels/{channel_id}/messages/{message_id}/crosspost"
WEBHOOK_ROUTE = "POST /webhooks/{webhook_id}/{webhook_token}"  # executes (and followups)
# A stall this long turns more requests than the bot's headroom (45 of 50 a second: 5, about
# 110 ms of sending) into one burst: the bot paces to at most 47.4 in any second, leaving 2.6.
STALL_EXCUSE = 0.05


@dataclass
class Limits:
    """Rate limits the server enforces; Discord's own figures are the defaults."""

    message_limit: int = 5
    message_window: float = 5.0
    global_limit: int = 50
    global_window: float = 1.0
    webhook_limit: int = 5  # per webhook (its id and token)
    webhook_window: float = 2.0
    route_limit: int = 50
    route_window: float = 1.0
    crosspost_limit: int = 10  # publishes per channel an hour
    crosspost_window: float = 3600.0
    routes: dict[str, tuple[int, float]] = field(default_factory=dict)

    def rule(self, route: str) -> tuple[int, float]:
        """(limit, window) of a route key such as ``POST /channels/{channel_id}/messages``."""
        if route in self.routes:
            return self.routes[route]
        if route == MESSAGES_ROUTE:
            return self.message_limit, self.message_window
        if route == CROSSPOST_ROUTE:
            return self.crosspost_limit, self.crosspost_window
        if route == WEBHOOK_ROUTE:
            return self.webhook_limit, self.webhook_window
        return self.route_limit, self.route_window


@dataclass(frozen=True)
class RateLimitHit:
    """One 429 the server sent."""

    route: str
    major: str
    scope: str
    retry_after: float
    injected: bool
    # The longest stall of the fake's own event loop within the global window before this
    # global 429 (0 for other scopes): requests that arrived spread out were counted together.
    fake_stall: float = 0.0

    @property
    def earned(self) -> bool:
        """A 429 the bot's own pacing caused: not injected, not right after a stall of the
        fake's loop long enough to bunch the bot's requests past the limit."""
        return not self.injected and self.fake_stall < STALL_EXCUSE


@dataclass
class Storm:
    """Injected 429s: the next ``count`` requests matching ``route`` (None = any) are refused."""

    count: int
    route: str | None
    retry_after: float
    is_global: bool
    via: bool


@dataclass
class _Window:
    """A fixed window that opens on its first request and allows ``limit`` requests."""

    limit: int
    window: float
    start: float | None = None
    used: int = 0

    def roll(self, now: float) -> None:
        """Start a new window when the old one has passed."""
        if self.start is None or now >= self.start + self.window:
            self.start, self.used = now, 0

    def reset_after(self, now: float) -> float:
        """Seconds until the window resets (rounded up to the millisecond)."""
        start = now if self.start is None else self.start
        return math.ceil(max(0.0, start + self.window - now) * 1000) / 1000


@dataclass
class Decision:
    """Headers for the response, and the 429 body (with extra headers) when refused."""

    headers: dict[str, str]
    refused: Json | None = None


class RateLimiter:
    """Counts requests per (route, major parameters) and globally per bot."""

    def __init__(
        self,
        limits: Limits,
        clock: Callable[[], float] = time.monotonic,
        stalled: Callable[[float], float] = lambda seconds: 0.0,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._stalled = stalled  # the fake loop's longest stall within the last N seconds
        self._offset = 0.0  # time passed by hand (an hour of a publish limit, say)
        self._buckets: dict[tuple[str, str], _Window] = {}
        self._global = _Window(limits.global_limit, limits.global_window)
        self.hits: list[RateLimitHit] = []
        self.storms: list[Storm] = []

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for every window, without waiting for them."""
        self._offset += seconds

    def inject(self, storm: Storm) -> None:
        """Queue a storm of 429s."""
        self.storms.append(storm)

    def check(self, route: str, major: str, *, bot_auth: bool) -> Decision:
        """Admit or refuse one request; admitted requests use a token of their bucket."""
        now = self._clock() + self._offset
        limit, window = self.limits.rule(route)
        bucket = self._buckets.setdefault((route, major), _Window(limit, window))
        bucket.roll(now)
        self._global.roll(now)
        headers = self._headers(route, bucket, now)
        refusal = self._refusal(route, bucket, now, bot_auth=bot_auth)
        if refusal is not None:
            scope, retry_after, injected, via = refusal
            stall = self._stalled(self.limits.global_window) if scope == "global" else 0.0
            hit = RateLimitHit(route, major, scope, retry_after, injected, stall)
            return self._refuse(hit, headers, via=via)
        bucket.used += 1
        if bot_auth:
            self._global.used += 1
        return Decision(self._headers(route, bucket, now))

    def _refusal(
        self, route: str, bucket: _Window, now: float, *, bot_auth: bool
    ) -> tuple[str, float, bool, bool] | None:
        """(scope, retry_after, injected, via) when the request must get a 429, else None."""
        storm = self._storm_for(route)
        if storm is not None:
            storm.count -= 1
            scope = "global" if storm.is_global else "user"
            return scope, storm.retry_after, True, storm.via
        if bot_auth and self._global.used >= self._global.limit:
            return "global", max(self._global.reset_after(now), 0.001), False, True
        if bucket.used >= bucket.limit:
            return "user", max(bucket.reset_after(now), 0.001), False, True
        return None

    def _storm_for(self, route: str) -> Storm | None:
        """The first pending storm matching ``route``."""
        self.storms = [s for s in self.storms if s.count > 0]
        return next((s for s in self.storms if s.route in (None, route)), None)

    def _headers(self, route: str, bucket: _Window, now: float) -> dict[str, str]:
        """Discord's X-RateLimit-* headers for a bucket."""
        reset_after = bucket.reset_after(now)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(0, bucket.limit - bucket.used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.md5(route.encode()).hexdigest(),
        }

    def _refuse(self, hit: RateLimitHit, headers: dict[str, str], *, via: bool) -> Decision:
        """A 429 decision, recorded in ``hits``."""
        self.hits.append(hit)
        log.info(
            "429 (%s) for %s %s, retry after %.3fs (fake's loop stalled %.3fs)",
            hit.scope,
            hit.route,
            hit.major,
            hit.retry_after,
            hit.fake_stall,
        )
        headers = headers | {
            "Retry-After": str(math.ceil(hit.retry_after)),
            "X-RateLimit-Scope": hit.scope,
        }
        if via:
            headers["Via"] = "1.1 google"
        body: Json = {
            "message": "You are being rate limited.",
            "retry_after": hit.retry_after,
            "global": hit.scope == "global",
        }
        if hit.scope == "global":
            headers["X-RateLimit-Global"] = "true"
            body["code"] = 0
        return Decision(headers, body)
