"""Polls the feeds on a schedule: the poller job lives as long as this cog is loaded."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands

from cogs._jobs import ShieldedJob, add_interval_job, remove_job

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)

JOB_ID = "poll-feeds"


class Polling(commands.Cog):
    """Runs a poll cycle every few seconds; each feed is polled only when it is due."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.poller = bot.runtime.poller(subscribed_only=True)
        self.backlog = bot.runtime.backlog()
        self.job = ShieldedJob(self.cycle, "poll cycle")

    async def cycle(self) -> None:
        """A poll cycle, then a bounded batch of the digests first polls left out (bot.backlog)."""
        await self.poller.run_cycle()
        try:
            await self.backlog.drain()
        except Exception:  # the backlog waits for the next cycle; polling goes on
            log.exception("making postponed digests failed")

    async def cog_load(self) -> None:
        """Add the poll job: often enough for the shortest allowed interval."""
        settings = self.bot.runtime.settings
        seconds = max(1, min(30, settings.min_poll_interval_seconds))
        add_interval_job(self.bot.scheduler, JOB_ID, self.job.tick, seconds)

    async def cog_unload(self) -> None:
        """Remove the poll job and let a cycle under way finish (within the shutdown grace)."""
        remove_job(self.bot.scheduler, JOB_ID)
        await self.job.finish(self.bot.runtime.settings.shutdown_grace_seconds)


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Polling(bot))
