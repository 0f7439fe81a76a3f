"""Poll timing: interval, server hints, backoff and bounds."""

from __future__ import annotations

import random

import pytest

from bot.schedule import PollPolicy, delay_after_failure, delay_after_success

POLICY = PollPolicy(interval=600, minimum=60, maximum=6 * 3600, jitter=0.0)


@pytest.mark.parametrize(
    ("fresh_for", "ttl", "expected"),
    [
        (None, None, 600),  # the configured interval
        (60, None, 600),  # a short max-age never speeds polling up
        (3600, None, 3600),  # a longer max-age slows it down
        (None, 7200, 7200),  # RSS <ttl> likewise
        (10**7, None, 6 * 3600),  # but never beyond the maximum
    ],
)
def test_success_delay(fresh_for: float | None, ttl: float | None, expected: float) -> None:
    assert delay_after_success(POLICY, fresh_for=fresh_for, ttl=ttl) == expected


@pytest.mark.parametrize(
    ("failures", "retry_after", "expected"),
    [
        (1, None, 600),
        (2, None, 1200),
        (3, None, 2400),
        (10, None, 6 * 3600),  # capped
        (1, 3000, 3000),  # Retry-After asks for longer
        (3, 30, 2400),  # a shorter Retry-After does not shorten the backoff
        (1, 10**6, 6 * 3600),  # bounded by the maximum
    ],
)
def test_failure_delay(failures: int, retry_after: float | None, expected: float) -> None:
    assert delay_after_failure(POLICY, failures, retry_after=retry_after) == expected


def test_jitter_stays_within_bounds_and_spreads() -> None:
    policy = PollPolicy(interval=600, minimum=60, maximum=6 * 3600, jitter=0.1)
    rng = random.Random(7)
    delays = {delay_after_success(policy, rng=rng) for _ in range(50)}
    assert all(540 <= d <= 660 for d in delays)
    assert len(delays) > 40


def test_minimum_applies_to_tiny_intervals() -> None:
    policy = PollPolicy(interval=5, minimum=5, maximum=60, jitter=0.0)
    assert delay_after_success(policy) == 5
    assert delay_after_failure(policy, 20) == 60
