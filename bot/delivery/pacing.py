"""Client-side rate limiting: never more than N requests in any window of W seconds."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import aiohttp

from bot.delivery.wire import charging_trace

if TYPE_CHECKING:
    from bot.delivery.config import DeliveryConfig

log = logging.getLogger(__name__)

OUTAGE_MAX_BACKOFF = 2.0  # seconds between tries while the budget's database is away


class SlidingWindow:
    """An async limiter: at most ``limit`` acquisitions in any ``window`` seconds, FIFO.

    Discord counts requests in windows that open on a first request; a client that keeps at
    most N in *every* sliding window can never exceed N in any of Discord's windows.
    """

    def __init__(
        self, limit: int, window: float, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._monotonic = monotonic
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()  # FIFO: waiters are served in order
        self.granted = 0  # requests let through so far

    async def acquire(self) -> None:
        """Wait until one more request fits, then count it."""
        async with self._lock:
            while (delay := self._delay()) > 0:  # noqa: ASYNC110 - sleep to a known deadline
                await asyncio.sleep(delay)
            self._times.append(self._monotonic())
            self.granted += 1

    def _delay(self) -> float:
        now = self._monotonic()
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[0] + self.window - now

    def seed(self, ages: Iterable[float]) -> None:
        """Count requests made ``ages`` seconds ago (by another process) as this window's own."""
        now = self._monotonic()
        past = [now - age for age in ages if 0 <= age < self.window]
        self._times = deque(sorted([*self._times, *past]))

    def idle(self) -> bool:
        """True when nothing was counted within the last window (the limiter can be dropped)."""
        return not self._times or self._monotonic() - self._times[-1] >= self.window


class SharedBudget:
    """The global limit shared by every process: tokens reserved in batches in the database.

    A batch is reserved only when a request waits, no larger than the requests waiting. The
    database hands tokens out one ``1/rate`` apart (its bucket may go below zero: the answer
    says when the batch's last token is covered), and each token is used no earlier than its
    own time and dropped when not used within ``hold`` seconds of it. So every process's
    requests, together, go out evenly spaced: any second holds at most ``rate x (1 + hold)``
    plus the bucket's capacity, never a batch at once on top of the other processes' tokens.
    """

    def __init__(
        self,
        reserve: Callable[[int], Awaitable[float]],
        *,
        rate: float,
        batch: int = 5,
        hold: float = 0.03,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or batch < 1 or hold < 0:
            raise ValueError("rate must be > 0, batch >= 1 and hold >= 0")
        self._reserve = reserve
        self.rate = rate
        self.batch = batch
        self.hold = hold
        self._monotonic = monotonic
        self._slots: deque[tuple[float, float]] = deque()  # each token's (due, expires)
        self._waiting = 0
        self._lock = asyncio.Lock()  # FIFO: waiters are served in order
        self._pending: asyncio.Task[None] | None = None  # a reservation under way
        self.reservations = 0  # database statements made (for benchmarks)
        self.dropped = 0  # tokens reserved and not used in time (for benchmarks)
        self.granted = 0  # requests let through so far

    async def acquire(self) -> None:
        """Wait until the shared budget covers one more request."""
        self._waiting += 1
        try:
            async with self._lock:
                while not await self._spend():
                    pass
                self.granted += 1
        finally:
            self._waiting -= 1

    async def _spend(self) -> bool:
        """Wait for the next token still usable; False when there was none, or it expired
        meanwhile (a stalled event loop woke too late: sending now would bunch requests)."""
        now = self._monotonic()
        while self._slots and now > self._slots[0][1]:
            self._slots.popleft()
            self.dropped += 1
        if not self._slots:
            await self._refilled(max(1, min(self.batch, self._waiting)))
            return False
        due, expires = self._slots.popleft()
        if not self._slots and self._waiting > 1:
            # More requests wait: reserve their batch while this token's time comes, so a
            # process alone keeps the whole rate whatever the database's round trip.
            self._prefetch(min(self.batch, self._waiting - 1))
        if due > now:
            await asyncio.sleep(due - now)
        if self._monotonic() <= expires:
            return True
        self.dropped += 1
        return False

    def _prefetch(self, want: int) -> asyncio.Task[None]:
        """The reservation under way, or a new one of ``want`` tokens."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.create_task(self._reserve_batch(want), name="rate-budget")
        return self._pending

    async def _refilled(self, want: int) -> None:
        """Wait for the reservation under way (or a new one) to add its tokens."""
        await asyncio.shield(self._prefetch(want))  # a cancelled request leaves it running

    async def _reserve_batch(self, want: int) -> None:
        """Reserve ``want`` tokens and note when each is due and when it expires.

        The database says when the batch's last token is covered (tokens ``1/rate`` apart),
        from its clock at some moment of the round trip. So a token is used no earlier than the
        round trip's end, and no later than ``hold`` after its start: a slow round trip shortens
        the time a token may be used in, rather than letting it out late on top of other
        processes' next tokens (though never below half the hold, or a slow database would
        waste every token).
        """
        sent = self._monotonic()
        wait = await self._reserve_when_reachable(want)
        answered = self._monotonic()
        for k in range(want):
            due = answered + wait - (want - 1 - k) / self.rate
            expires = max(due - (answered - sent) + self.hold, due + self.hold / 2)
            self._slots.append((due, expires))

    async def _reserve_when_reachable(self, want: int) -> float:
        """Reserve ``want`` tokens, waiting out a database outage.

        A request sent without the budget could break the cluster's limit, and failing it
        would leave its claimed post hidden until the lease ends; so it waits for the database,
        as claiming does, and goes out as soon as the database is back.
        """
        failures = 0
        while True:
            self.reservations += 1
            try:
                wait = await self._reserve(want)
            except Exception as exc:  # the database is unreachable (any driver's error)
                failures += 1
                if failures == 1:
                    log.warning(
                        "the shared rate budget is unreachable (%s); posts wait for the database",
                        type(exc).__name__,
                    )
                await asyncio.sleep(min(OUTAGE_MAX_BACKOFF, 0.25 * 2.0 ** min(failures - 1, 8)))
                continue
            if failures:
                log.info("the shared rate budget is reachable again after %d tries", failures)
            return wait


# How long ago (seconds) the cluster's recent posts in a channel went out.
ChannelHistory = Callable[[int, float], Awaitable[Sequence[float]]]


class Pacer:
    """The global limiter plus one sliding window per channel.

    With several processes a channel passes from one to another (they never post in one at
    the same time): ``history`` tells a process, before its first post in a channel, what the
    others posted there within the channel's window, so it keeps the channel's limit too.
    """

    def __init__(
        self,
        config: DeliveryConfig,
        *,
        shared: SharedBudget | None = None,
        history: ChannelHistory | None = None,
    ) -> None:
        self.config = config
        self._history = history
        self.global_limit: SlidingWindow | SharedBudget = shared or SlidingWindow(
            config.rate_per_second, config.rate_window_seconds
        )
        self._channels: dict[int, SlidingWindow] = {}
        self._webhooks: dict[int, SlidingWindow] = {}
        self._at_wire = False

    def http_trace(self) -> aiohttp.TraceConfig:
        """The global limit taken in the HTTP client, for every request and retry (install it
        as the client's ``http_trace``); the pacer's own waits are then per channel only."""
        self._at_wire = True
        return charging_trace(self.global_limit.acquire)

    async def acquire(self, channel_id: int) -> None:
        """Wait for the channel's window, then for the global one (taken last: it is shared;
        by the HTTP client, when it charges every request)."""
        await (await self._channel(channel_id)).acquire()
        await self.acquire_global()

    async def acquire_webhook(self, channel_id: int, webhook_id: int) -> None:
        """Wait for the channel's window, then for the webhook's own (a webhook's executes are
        limited per webhook, and not counted against the bot's global limit)."""
        await (await self._channel(channel_id)).acquire()
        window = self._webhooks.get(webhook_id)
        if window is None:
            window = SlidingWindow(self.config.webhook_messages, self.config.webhook_window_seconds)
            self._webhooks[webhook_id] = window
        await window.acquire()

    async def _channel(self, channel_id: int) -> SlidingWindow:
        """The channel's window (seeded with the cluster's recent posts when new)."""
        window = self._channels.get(channel_id)
        if window is None:
            window = SlidingWindow(self.config.channel_messages, self.config.channel_window_seconds)
            self._channels[channel_id] = window
            await self._seed(channel_id, window)
        return window

    async def _seed(self, channel_id: int, window: SlidingWindow) -> None:
        if self._history is None:
            return
        try:
            window.seed(await self._history(channel_id, window.window))
        except Exception as exc:  # the database is away: at worst Discord answers one 429
            log.warning("recent posts in channel %d unknown (%s)", channel_id, type(exc).__name__)

    async def acquire_global(self) -> None:
        """Wait for the global limit (a request that is no message, e.g. a publish), unless the
        HTTP client takes it as the request goes out."""
        if not self._at_wire:
            await self.global_limit.acquire()

    def forget_idle(self) -> None:
        """Drop the windows of channels that have been quiet for a whole window."""
        for channel_id in [c for c, w in self._channels.items() if w.idle()]:
            del self._channels[channel_id]
        for webhook_id in [h for h, w in self._webhooks.items() if w.idle()]:
            del self._webhooks[webhook_id]
