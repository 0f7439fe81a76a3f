"""/help, and the welcome posted once when the bot joins a server."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.delivery import Sender
from bot.delivery.welcome import welcome
from bot.render.help import command_help, help_embeds, welcome_text
from bot.render.reply import reply

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)


class Help(commands.Cog):
    """``/help`` (private answer) and the one-time welcome on joining a server."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.sender = Sender(bot, bot.pacer, metrics=bot.runtime.metrics)

    @app_commands.command(name="help", description="What Briefing does, how to start, commands")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        """Answer privately with what Briefing does and every command it has."""
        await reply(interaction, embeds=help_embeds(command_help(self.bot.tree)))

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Greet a server the bot was just added to (never twice, rejoins included)."""
        await welcome(guild, welcome_text(), store=self.bot.runtime.store, sender=self.sender)


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Help(bot))
