"""The delivery loop: claim pending rows (and due edits), post them per channel, in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

import discord

from bot.backlog import Backlog
from bot.controls import admit
from bot.delivery.config import DeliveryConfig
from bot.delivery.edits import edit_post
from bot.delivery.notices import notify_failing_feeds
from bot.delivery.outcome import Action
from bot.delivery.pacing import Pacer
from bot.delivery.post import PAUSED, Poster
from bot.metrics import Metrics
from bot.store import ChannelControlsRow, DeliveryRow, Store

log = logging.getLogger(__name__)

MAX_BACKOFF = 10.0  # seconds between tries while the database is unreachable


class DeliveryWorker:
    """Posts the outbox's instant rows until stopped.

    Rows are claimed in batches (each claim is a lease, so a dead worker's rows come back) and
    queued per channel: one task per busy channel posts its rows in order, all channels at once,
    all under one global limiter. The leases of held rows are renewed while they wait or are in
    flight, and a row is only sent under a lease renewed less than half a lease ago, so no
    other process can have taken it over, however long Discord or the database keep it waiting.
    """

    def __init__(
        self,
        client: discord.Client,
        store: Store,
        *,
        config: DeliveryConfig | None = None,
        clock: Callable[[], datetime],
        metrics: Metrics | None = None,
        pacer: Pacer | None = None,
        backlog: Backlog | None = None,
    ) -> None:
        self.config = config or DeliveryConfig()
        self.store = store
        self.clock = clock
        self.backlog = backlog  # makes the digests a first poll left out, before posting
        pacer = pacer or Pacer(self.config)  # shared with other posters, e.g. digests
        self.poster = Poster(client, store, pacer, clock=clock, metrics=metrics)
        self._lanes: dict[int, deque[DeliveryRow]] = {}
        self._lane_tasks: dict[int, asyncio.Task[None]] = {}
        self._held: set[int] = set()  # ids claimed and not yet settled
        self._lost: set[int] = set()  # held ids another process took over: never sent
        self._leased_at: datetime | None = None  # no held row's lease started before this
        self._controls: dict[int, ChannelControlsRow | None] = {}  # as of the latest claim
        self._room = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0

    @property
    def pacer(self) -> Pacer:
        """The rate limits this worker keeps; other posters (digests) should share them."""
        return self.poster.pacer

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The running loop's task (None before :meth:`start`)."""
        return self._task

    def start(self) -> asyncio.Task[None]:
        """Run the loop in a task."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="delivery-worker")
        return self._task

    async def stop(self, grace: float = 0.0) -> None:
        """Stop claiming; let posts under way finish for up to ``grace`` seconds.

        Rows claimed but not posted by then are handed back as pending at once (not left to
        their lease), so a restart resumes them; one cut off mid-send is repeated with the same
        nonce, which Discord answers with the first message.
        """
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        lanes = list(self._lane_tasks.values())
        if lanes and grace > 0:
            await asyncio.wait(lanes, timeout=grace)
        await self._record_before_exit(grace)
        leftover = [row for queue in self._lanes.values() for row in queue]
        await self._cancel_lanes()
        for row in leftover:
            try:
                await self.poster.release(row, "handed back at shutdown")
            except Exception:  # the lease brings it back anyway
                log.exception("delivery %d: could not hand it back", row.id)
        if leftover:
            log.info("shutdown: %d claimed post(s) handed back as pending", len(leftover))

    async def _record_before_exit(self, grace: float) -> None:
        """Try, within the grace, to write the outcomes still kept in memory."""
        unrecorded = self.poster.unrecorded
        for _ in range(max(1, int(grace))):  # about one try a second
            if await unrecorded.flush():
                return
            await asyncio.sleep(1.0)
        if len(unrecorded):
            log.error(
                "shutdown: %d outcome(s) could not be recorded (database unreachable): %s",
                len(unrecorded),
                "; ".join(unrecorded.describe()[:20]),
            )

    async def run(self) -> None:
        """Claim and post until cancelled (lanes under way are left to :meth:`stop`).

        While the database is unreachable nothing is claimed: outcomes kept in memory are
        written first, and the next try waits longer each time (up to ``MAX_BACKOFF``).
        """
        failures = 0
        while True:
            try:
                if not await self.poster.unrecorded.flush():
                    raise ConnectionError("outcomes wait to be recorded")
                claimed = await self.claim()
            except Exception as exc:
                failures += 1
                if not isinstance(exc, ConnectionError):
                    log.warning("claiming deliveries failed (%s: %s)", type(exc).__name__, exc)
                await asyncio.sleep(min(MAX_BACKOFF, 2.0 ** min(failures - 1, 8)))
                continue
            if failures:
                log.info("delivery resumes after %d failed tries", failures)
            failures = 0
            await self._wait(busy=claimed > 0)

    async def claim(self) -> int:
        """Claim what fits in memory and queue it per channel; returns how many were queued."""
        now = self.clock()
        await self._renew(now)
        room = self.config.batch - len(self._held)
        if room <= 0:
            return 0
        rows = await self.store.claim_pending_deliveries(
            now,
            limit=room,
            lease_seconds=self.config.lease_seconds,
            per_channel=self.config.channel_batch,
        )
        if len(rows) < room:  # edits go in the same lanes: in order, paced with the posts
            rows += await self.store.claim_due_edits(
                now, limit=room - len(rows), lease_seconds=self.config.lease_seconds
            )
        if rows and self.backlog is not None:
            rows = await self.backlog.complete_deliveries(rows)
        if rows:
            channels = {row.channel_id for row in rows}
            controls = await self.store.controls_for(channels)
            self._controls.update({channel: controls.get(channel) for channel in channels})
        queued = 0
        for row in rows:
            if row.id in self._held:  # our own lease ran out while the row waited
                continue
            self._held.add(row.id)
            self._lanes.setdefault(row.channel_id, deque()).append(row)
            queued += 1
            if row.channel_id not in self._lane_tasks:
                self._lane_tasks[row.channel_id] = asyncio.create_task(
                    self._lane(row.channel_id), name=f"delivery-{row.channel_id}"
                )
        return queued

    async def _renew(self, now: datetime) -> None:
        """Restart the leases of the held rows every quarter lease; forget rows taken over."""
        if not self._held:
            self._leased_at = now  # the next claim's rows are leased from about now
            return
        lease = timedelta(seconds=self.config.lease_seconds)
        if self._leased_at is not None and now - self._leased_at < lease / 4:
            return
        held = set(self._held)
        ours = await self.store.renew_claims(sorted(held), now)
        self._leased_at = now
        # Rows settled while the renewal ran have left _held; what else is missing is not ours.
        for row_id in (held - ours) & self._held:
            log.warning("delivery %d was taken over by another process; not sending it", row_id)
            self._held.discard(row_id)
            self._lost.add(row_id)

    async def _lease_holds(self, row: DeliveryRow) -> bool:
        """Wait until the row's lease is known fresh (renewed within half a lease); whether the
        row is still this process's to send."""
        half = timedelta(seconds=self.config.lease_seconds / 2)
        while self._leased_at is None or self.clock() - self._leased_at > half:
            self._room.set()  # wake the loop: its next claim renews (once the database answers)
            await asyncio.sleep(min(1.0, self.config.idle_seconds))
        return row.id not in self._lost

    async def drain(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Claim and post until nothing is due (for one-shot use: CLI, benchmarks)."""
        try:
            async with asyncio.timeout(timeout):
                while (claimed := await self.claim()) or self._lane_tasks:
                    await self._wait(busy=claimed > 0)
        finally:
            await self._cancel_lanes()

    async def _cancel_lanes(self) -> None:
        """Stop every lane; what they held comes back when its lease ends."""
        tasks = list(self._lane_tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._lane_tasks.clear()
        self._lanes.clear()
        self._held.clear()
        self._lost.clear()

    async def _wait(self, *, busy: bool) -> None:
        """Sleep until memory has room again (busy) or for the idle interval."""
        self._room.clear()
        timeout = self.config.idle_seconds
        if busy and len(self._held) < self.config.batch // 2:
            return  # room already: claim more at once
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._room.wait(), timeout)

    async def _lane(self, channel_id: int) -> None:
        """Post one channel's queued rows in order."""
        queue = self._lanes[channel_id]
        skip: set[int | None] = set()  # subscriptions paused during this lane
        try:
            while queue:
                row = queue[0]
                try:
                    action = await self._post_one(row, skip)
                finally:
                    queue.popleft()
                    self._settled(row.id)
                if action is Action.REMOVE_CHANNEL:
                    self._drop(queue)  # the store skipped the channel's pending rows
                elif action is Action.PAUSE:
                    skip.add(row.subscription_id)
        finally:
            self._lanes.pop(channel_id, None)
            self._lane_tasks.pop(channel_id, None)
            self.poster.pacer.forget_idle()

    async def _post_one(self, row: DeliveryRow, skip: set[int | None]) -> Action | None:
        if not await self._lease_holds(row):
            return None
        if row.subscription_id in skip:
            await self.poster.release(row, PAUSED)
            return Action.PAUSE
        if not row.editing and await self._hold(row):
            return None
        try:
            if row.editing:
                return await edit_post(self.poster, row)
            action = await self.poster.post(row)
        except Exception:  # outcomes are kept when the store fails: this is a bug of ours
            log.exception("delivery %d: posting failed", row.id)
            return Action.RETRY
        self.sent += action is None
        return action

    async def _hold(self, row: DeliveryRow) -> bool:
        """Keep the post back when its channel's controls say so (quiet hours, daily cap)."""
        controls = self._controls.get(row.channel_id)
        if controls is None:
            return False
        now = self.clock()
        try:
            reason = await admit(self.store, controls, row, now)
            if reason is not None:
                await self.store.hold_delivery(row.id, reason, now)
        except Exception as exc:  # the database: the post is tried again later
            log.warning("delivery %d: channel controls unreadable (%s)", row.id, exc)
            await self.poster.release(row, "channel controls unreadable")
            return True
        if reason is not None:
            log.info("delivery %d to %d held (%s)", row.id, row.channel_id, reason)
        return reason is not None

    def _drop(self, queue: deque[DeliveryRow]) -> None:
        while queue:
            self._settled(queue.popleft().id)

    def _settled(self, row_id: int) -> None:
        self._held.discard(row_id)
        self._lost.discard(row_id)
        if len(self._held) < self.config.batch // 2:
            self._room.set()

    async def notify_failing_feeds(self) -> int:
        """Send the failing-feed notices due now; returns how many channels were told.

        The bot runs it on the cluster's leader only (``cogs.operations``); this is for tests.
        """
        return await notify_failing_feeds(self.poster, self.clock())
