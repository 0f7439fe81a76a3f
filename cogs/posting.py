"""Instant posts: runs the delivery worker while loaded and answers the "More" button."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.backlog import INTERACTIVE_SECONDS
from bot.delivery import DeliveryWorker
from bot.render.article import MoreButton, more_embed
from bot.render.reply import reply

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)


class Posting(commands.Cog):
    """Owns the delivery worker (started in cog_load, stopped in cog_unload)."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        runtime = bot.runtime
        self.worker = DeliveryWorker(
            bot,
            runtime.store,
            config=bot.pacer.config,
            clock=runtime.clock,
            metrics=runtime.metrics,
            pacer=bot.pacer,
            backlog=runtime.backlog(),
        )

    async def cog_load(self) -> None:
        """Register the "More" button (gateway), then start posting (sender)."""
        if self.bot.has_role("gateway"):
            self.bot.add_dynamic_items(MoreButton)
        if self.bot.has_role("sender"):
            self.worker.start()

    async def cog_unload(self) -> None:
        """Stop posting: posts under way may finish within the shutdown grace, the rest wait."""
        await self.worker.stop(grace=self.bot.runtime.settings.shutdown_grace_seconds)
        if self.bot.has_role("gateway"):
            self.bot.remove_dynamic_items(MoreButton)

    @commands.Cog.listener()
    async def on_briefing_more(
        self, interaction: discord.Interaction[Any], article_id: int
    ) -> None:
        """Show every key point and the TL;DR of the article, to the clicker only."""
        store = self.bot.runtime.store
        article = await store.get_article(article_id, guild_id=interaction.guild_id)
        if article is None:
            await reply(interaction, "This article is no longer stored.")
            return
        backlog = self.bot.runtime.backlog()
        [article] = await backlog.complete([article], wait_at_most=INTERACTIVE_SECONDS)
        await reply(interaction, embed=more_embed(article, feed_title=None))


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Posting(bot))
