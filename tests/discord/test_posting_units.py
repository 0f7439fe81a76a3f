"""The delivery worker's pure parts: nonces, error classes, back-off, pacing, notices."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord
import pytest

from bot.delivery import Action, DeliveryConfig, Pacer, SlidingWindow, backoff, classify
from bot.delivery.notices import notice_due
from bot.delivery.outcome import NONCE_LIMIT, base36, delivery_nonce, digest_nonce, notice_nonce
from bot.delivery.publishing import publish_slot, too_late
from bot.settings import load_settings
from bot.store import FeedRow
from tests.render.builders import http_error

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("error", "action"),
    [
        (http_error(discord.Forbidden, 403, 50013), Action.PAUSE),
        (http_error(discord.Forbidden, 403, 50001), Action.PAUSE),
        (http_error(discord.NotFound, 404, 10003), Action.REMOVE_CHANNEL),
        (http_error(discord.NotFound, 404, 10008), Action.FAIL),
        (http_error(discord.DiscordServerError, 502, 0), Action.RETRY),
        (http_error(discord.HTTPException, 429, 0), Action.RETRY),
        (http_error(discord.HTTPException, 400, 50035), Action.FAIL),
        (aiohttp.ClientConnectionError("reset"), Action.RETRY),
        (TimeoutError(), Action.RETRY),
        (ConnectionResetError(), Action.RETRY),
        (ValueError("bug"), Action.FAIL),
    ],
)
def test_classify(error: BaseException, action: Action) -> None:
    assert classify(error) is action


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 10.0), (2, 20.0), (3, 40.0), (10, 3600.0), (1000, 3600.0)]
)
def test_backoff_doubles_up_to_a_cap(attempts: int, seconds: float) -> None:
    assert backoff(attempts, base=10, maximum=3600) == seconds


@pytest.mark.parametrize("row_id", [0, 1, 35, 36, 10**6, 2**63 - 1])
def test_nonces_fit_and_are_deterministic(row_id: int) -> None:
    nonce = delivery_nonce(row_id, 5, 6)
    assert len(nonce) <= NONCE_LIMIT
    assert nonce == delivery_nonce(row_id, 5, 6)
    assert nonce.startswith("b" + base36(row_id)[:24])


def test_digest_nonces_are_deterministic_short_and_distinct() -> None:
    nonce = digest_nonce(100, [3, 1, 2])
    assert nonce == digest_nonce(100, [1, 2, 3])
    assert len(nonce) <= NONCE_LIMIT
    others = {digest_nonce(101, [1, 2, 3]), digest_nonce(100, [1, 2]), digest_nonce(100, [4])}
    assert nonce not in others
    assert len(others) == 3
    huge = digest_nonce(2**63, range(2**40, 2**40 + 500))
    assert len(huge) <= NONCE_LIMIT


def test_the_kinds_of_message_never_share_a_nonce() -> None:
    kinds = {delivery_nonce(7, 1, 2)[0], digest_nonce(2, [7])[0], notice_nonce(7, 1, 2)[0]}
    assert len(kinds) == 3


def test_nonces_differ_across_rows_and_channels() -> None:
    nonces = {delivery_nonce(row, 1, channel) for row in range(200) for channel in (1, 2)}
    assert len(nonces) == 400


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (35, "z"), (36, "10"), (1295, "zz")])
def test_base36(n: int, text: str) -> None:
    assert base36(n) == text


async def test_sliding_window_never_admits_more_than_its_limit_in_any_window() -> None:
    window = SlidingWindow(3, 0.1)
    stamps: list[float] = []

    async def take() -> None:
        await window.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(take() for _ in range(10)))
    stamps.sort()
    # Stamps are taken right after acquire returns (no await in between): 1 ms of slack.
    gaps = [later - earlier for earlier, later in zip(stamps, stamps[3:], strict=False)]
    assert min(gaps) >= 0.1 - 1e-3


async def test_a_seeded_window_counts_posts_made_elsewhere() -> None:
    now = [100.0]
    window = SlidingWindow(3, 5.0, monotonic=lambda: now[0])
    window.seed([1.0, 2.0, 6.0])  # 6 s ago is outside the window
    await asyncio.wait_for(window.acquire(), 1.0)  # the third of three
    window.seed([0.5])
    with pytest.raises(TimeoutError):  # a fourth would break the channel's limit
        await asyncio.wait_for(window.acquire(), 0.2)


async def test_one_webhook_posting_into_many_channels_keeps_its_own_limit() -> None:
    config = DeliveryConfig(channel_messages=100, webhook_messages=3, webhook_window_seconds=0.1)
    pacer = Pacer(config)
    stamps: list[float] = []

    async def take(channel_id: int) -> None:
        await pacer.acquire_webhook(channel_id, webhook_id=7)
        stamps.append(time.monotonic())

    await asyncio.gather(*(take(channel) for channel in range(10)))  # 10 threads, 1 webhook
    stamps.sort()
    gaps = [later - earlier for earlier, later in zip(stamps, stamps[3:], strict=False)]
    assert min(gaps) >= 0.1 - 1e-3
    await asyncio.wait_for(pacer.acquire_webhook(11, webhook_id=8), 1.0)  # another: not held


@pytest.mark.parametrize(("limit", "window"), [(0, 1.0), (1, 0.0)])
def test_sliding_window_refuses_nonsense(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="limit"):
        SlidingWindow(limit, window)


def test_config_reads_the_delivery_settings() -> None:
    settings = load_settings(
        delivery_rate_per_second=10,
        delivery_lease_seconds=30,
        delivery_idle_seconds=0.5,
        key_points=5,
    )
    config = DeliveryConfig.from_settings(settings)
    assert (config.rate_per_second, config.lease_seconds, config.idle_seconds) == (10, 30, 0.5)
    assert (config.batch, config.key_points) == (100, 5)


FEED = FeedRow(
    id=1,
    url="https://example.org/feed.xml",
    title="Feed",
    site_link=None,
    etag=None,
    last_modified=None,
    content_hash=None,
    interval_seconds=None,
    next_poll_at=NOW,
    last_polled_at=NOW,
    last_success_at=NOW - timedelta(hours=30),
    last_error="HTTP 500",
    last_error_at=NOW,
    consecutive_failures=40,
    broken_reason=None,
    failure_notice_at=None,
    baseline_done=True,
    created_at=NOW - timedelta(days=10),
)
DAY = timedelta(hours=24)


@pytest.mark.parametrize(
    ("changes", "due"),
    [
        ({}, True),
        ({"consecutive_failures": 0}, False),
        ({"last_success_at": NOW - timedelta(hours=23)}, False),
        ({"last_success_at": None}, True),  # never read: failing since it was added
        ({"last_success_at": None, "created_at": NOW - timedelta(hours=1)}, False),
        ({"failure_notice_at": NOW - timedelta(hours=23)}, False),
        ({"failure_notice_at": NOW - timedelta(hours=24)}, True),
        ({"consecutive_failures": 0, "broken_reason": "gone (410)"}, True),
    ],
)
def test_notice_due(changes: dict[str, Any], due: bool) -> None:
    assert notice_due(replace(FEED, **changes), NOW, after=DAY, every=DAY) is due


@pytest.mark.parametrize(
    ("ages_minutes", "slot_after_minutes"),
    [
        ([], None),
        ([1] * 8, None),  # 8 of 9 used: one left
        ([1] * 9, 59),  # used up: the oldest frees its slot an hour after it went out
        ([50, 40, 1, 1, 1, 1, 1, 1, 1], 10),
        ([70, 65, 1, 1, 1, 1, 1, 1, 1], None),  # older than the hour: not counted
    ],
)
def test_a_channel_publishes_at_most_nine_an_hour(
    ages_minutes: list[int], slot_after_minutes: int | None
) -> None:
    recent = [NOW - timedelta(minutes=m) for m in ages_minutes]
    expected = None if slot_after_minutes is None else NOW + timedelta(minutes=slot_after_minutes)
    assert publish_slot(recent, NOW) == expected
    assert not too_late(NOW - timedelta(hours=23), NOW)
    assert too_late(NOW - timedelta(hours=25), NOW)
