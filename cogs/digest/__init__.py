"""Scheduled channel digests: the ``/digest`` commands and the job that runs due schedules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.digest.cog import Digests

if TYPE_CHECKING:
    from bot.app import BriefingBot


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Digests(bot))
