"""The /feed commands: add, remove, list, status, preview and filter a server's news feeds."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cogs.feeds._cog import Feeds

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Feeds(bot))
