"""Prometheus metrics: one :class:`Metrics` per process, each with its own registry.

No global registry and nothing at import time: the composition root builds a ``Metrics`` and
hands it to the poller, the posting worker and the health server.
"""

from __future__ import annotations

import logging
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

# Poll cycles take from milliseconds (all 304) to minutes (thousands of changed feeds).
CYCLE_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
DIGEST_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
DELIVERY_OUTCOMES = ("sent", "failed")
POLL_OUTCOMES = ("not_modified", "changed", "failed")


class Metrics:
    """Counters, gauges and histograms of one Briefing process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.feeds_polled = Counter(
            "briefing_feeds_polled", "Feed polls, by outcome.", ["outcome"], registry=r
        )
        self.fetch_errors = Counter(
            "briefing_fetch_errors", "Failed feed polls, by kind of error.", ["kind"], registry=r
        )
        self.articles_stored = Counter(
            "briefing_articles_stored", "New articles stored.", registry=r
        )
        self.deliveries = Counter(
            "briefing_deliveries", "Posts finished, by outcome.", ["outcome"], registry=r
        )
        self.messages = Counter(
            "briefing_messages",
            "Messages sent to Discord, by kind (post, digest, notice) and outcome.",
            ["kind", "outcome"],
            registry=r,
        )
        self.deliveries_pending = Gauge(
            "briefing_deliveries_pending", "Posts waiting in the outbox.", registry=r
        )
        self.poll_cycle_seconds = Histogram(
            "briefing_poll_cycle_seconds",
            "Duration of poll cycles.",
            buckets=CYCLE_BUCKETS,
            registry=r,
        )
        self.digest_seconds = Histogram(
            "briefing_digest_seconds",
            "Time to build and post a digest.",
            buckets=DIGEST_BUCKETS,
            registry=r,
        )
        self.last_cycle_timestamp = Gauge(
            "briefing_last_poll_cycle_timestamp_seconds",
            "When the last poll cycle finished (Unix time).",
            registry=r,
        )
        # Outcomes appear at 0 from the start, so rate() works before the first event.
        for outcome in POLL_OUTCOMES:
            self.feeds_polled.labels(outcome)
        for outcome in DELIVERY_OUTCOMES:
            self.deliveries.labels(outcome)
        self.last_cycle_at: datetime | None = None

    def feed_polled(self, outcome: str, error_kind: str | None = None) -> None:
        """Count one poll: "not_modified", "changed" or "failed" (with the error's kind)."""
        self.feeds_polled.labels(outcome).inc()
        if error_kind is not None:
            self.fetch_errors.labels(error_kind).inc()

    def stored(self, articles: int) -> None:
        """Count newly stored articles."""
        if articles > 0:
            self.articles_stored.inc(articles)

    def cycle_done(self, seconds: float, at: datetime) -> None:
        """Record a finished poll cycle, its duration and when it ended."""
        self.poll_cycle_seconds.observe(seconds)
        self.last_cycle_timestamp.set(at.timestamp())
        self.last_cycle_at = at

    def delivery_done(self, outcome: str, count: int = 1) -> None:
        """Count finished posts: "sent" or "failed"."""
        if outcome not in DELIVERY_OUTCOMES:
            raise ValueError(f"outcome must be one of {DELIVERY_OUTCOMES}, not {outcome!r}")
        self.deliveries.labels(outcome).inc(count)

    def message_sent(self, kind: str, outcome: str) -> None:
        """Count one message sent (or refused): its kind and "sent" or the action it called for."""
        self.messages.labels(kind, outcome).inc()

    def set_pending(self, count: int) -> None:
        """Set the number of posts waiting in the outbox."""
        self.deliveries_pending.set(count)

    def digest_done(self, seconds: float) -> None:
        """Record the time one digest took."""
        self.digest_seconds.observe(seconds)

    def render(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)
