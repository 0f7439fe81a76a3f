"""Keeping Briefing running: the health server (when ``health_port`` is set) and retention.

Thin: the probes read the bot's state, everything else is in ``bot.health``, ``bot.metrics`` and
``Store.prune``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from discord.ext import commands

from bot.health import HealthServer, Probes
from cogs._jobs import add_interval_job, remove_job

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)

RETENTION_JOB_ID = "retention"
RETENTION_EVERY = timedelta(days=1)
RETENTION_FIRST_AFTER = timedelta(hours=1)  # not in the rush of a start-up


class Operations(commands.Cog):
    """Serves /healthz and /metrics, and prunes old articles once a day."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.metrics = bot.runtime.metrics  # shared with the poller and the delivery worker
        self.server: HealthServer | None = None

    async def cog_load(self) -> None:
        """Schedule retention; start the health server when a port is configured."""
        settings = self.bot.runtime.settings
        add_interval_job(
            self.bot.scheduler,
            RETENTION_JOB_ID,
            self.prune,
            RETENTION_EVERY.total_seconds(),
            first_run=datetime.now(UTC) + RETENTION_FIRST_AFTER,
        )
        if settings.health_port is not None:
            self.server = HealthServer(
                self.probes(), self.metrics, host=settings.health_host, port=settings.health_port
            )
            await self.server.start()

    async def cog_unload(self) -> None:
        """Stop the health server and the retention job."""
        remove_job(self.bot.scheduler, RETENTION_JOB_ID)
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
        """Ready, and every shard's connection open."""
        shards = self.bot.shards
        return (
            self.bot.is_ready()
            and bool(shards)
            and not any(shard.is_closed() for shard in shards.values())
        )

    async def refresh(self) -> None:
        """Figures read from the database just before /metrics is served."""
        self.metrics.set_pending(await self.bot.runtime.store.pending_count())

    async def prune(self) -> int:
        """Prune articles older than ``retention_days``; returns how many."""
        days = self.bot.runtime.settings.retention_days
        pruned = await self.bot.runtime.store.prune(timedelta(days=days))
        log.info("retention: %d articles older than %d days pruned", pruned, days)
        return pruned


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Operations(bot))
