"""Keeping Briefing running: the health server (when ``health_port`` is set) and the once-only
jobs (retention, failing-feed notices), which run on the cluster's leader only.

Thin: the probes read the bot's state, everything else is in ``bot.health``, ``bot.metrics``,
``bot.delivery.notices`` and ``Store.prune``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from discord.ext import commands

from bot.delivery import Poster
from bot.delivery.notices import notify_failing_feeds
from bot.health import HealthServer, Probes

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)

RETENTION_JOB = "retention"
RETENTION_EVERY = timedelta(days=1)  # for the whole cluster: the last run is in the database
RETENTION_LOOK_EVERY = timedelta(hours=1)
NOTICES_JOB = "failing-feed-notices"


class Operations(commands.Cog):
    """Serves /healthz and /metrics; on the leader, prunes old articles once a day and tells
    channels about long-failing feeds."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        runtime = bot.runtime
        self.metrics = runtime.metrics  # shared with the poller and the delivery worker
        self.server: HealthServer | None = None
        self.poster = Poster(
            bot, runtime.store, bot.pacer, clock=runtime.clock, metrics=runtime.metrics
        )

    async def cog_load(self) -> None:
        """Register the once-only jobs; start the health server when a port is configured."""
        settings = self.bot.runtime.settings
        leadership = self.bot.runtime.leadership
        leadership.add_job(RETENTION_JOB, RETENTION_LOOK_EVERY.total_seconds(), self.prune_daily)
        leadership.add_job(NOTICES_JOB, self.poster.config.notice_check_seconds, self.notify)
        if settings.health_port is not None:
            self.server = HealthServer(
                self.probes(), self.metrics, host=settings.health_host, port=settings.health_port
            )
            await self.server.start()

    async def cog_unload(self) -> None:
        """Stop the health server and the once-only jobs."""
        self.bot.runtime.leadership.remove_job(RETENTION_JOB)
        self.bot.runtime.leadership.remove_job(NOTICES_JOB)
        if self.server is not None:
            await self.server.stop()
            self.server = None

    def probes(self) -> Probes:
        """What /healthz asks the running bot."""
        runtime = self.bot.runtime
        return Probes(
            gateway=self.gateway_connected,
            database=runtime.store.ping,
            scheduler=lambda: bool(self.bot.scheduler.running),
            last_poll=lambda: self.metrics.last_cycle_at,
            refresh=self.refresh,
            stale_after_seconds=max(600.0, 3.0 * runtime.settings.min_poll_interval_seconds),
            clock=runtime.clock,
        )

    def gateway_connected(self) -> bool:
        """Ready, and every shard's connection open (no gateway role: nothing to connect)."""
        if not self.bot.has_role("gateway"):
            return True
        shards = self.bot.shards
        return (
            self.bot.is_ready()
            and bool(shards)
            and not any(shard.is_closed() for shard in shards.values())
        )

    async def refresh(self) -> None:
        """Figures read from the database just before /metrics is served."""
        self.metrics.set_pending(await self.bot.runtime.store.pending_count())

    async def prune_daily(self) -> None:
        """Prune when no process of the cluster has pruned within a day."""
        if await self.bot.runtime.store.claim_periodic(RETENTION_JOB, RETENTION_EVERY):
            await self.prune()

    async def notify(self) -> int:
        """Tell channels about long-failing feeds; returns how many channels were told."""
        told = await notify_failing_feeds(self.poster, self.bot.runtime.clock())
        log.info("failing-feed notices: %d channel(s) told", told)
        return told

    async def prune(self) -> int:
        """Prune articles older than ``retention_days``, and /ask's postings past their horizon
        (new postings prune them too, but a quiet bot writes none); returns the articles."""
        store = self.bot.runtime.store
        days = self.bot.runtime.settings.retention_days
        pruned = await store.prune(timedelta(days=days))
        forgotten = await store.prune_postings()
        log.info(
            "retention: %d articles older than %d days pruned, %d postings past /ask's horizon",
            pruned,
            days,
            forgotten,
        )
        return pruned


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Operations(bot))
