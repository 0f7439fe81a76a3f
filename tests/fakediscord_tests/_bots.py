"""A small discord.py bot exercising what the product will use: commands, views, modals."""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

log = logging.getLogger(__name__)

FEEDS = ["BBC World", "BBC Tech", "Guardian World", "NYT Europe"]


class MoreView(discord.ui.View):
    """A persistent view: its button works after a restart because its custom_id is fixed."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Expand", custom_id="expand:static")
    async def expand(
        self, interaction: discord.Interaction, button: discord.ui.Button[MoreView]
    ) -> None:
        """Replace the message's content (callback type 7)."""
        await interaction.response.edit_message(content="expanded", view=None)

    @discord.ui.button(label="Refresh", custom_id="refresh:static")
    async def refresh(
        self, interaction: discord.Interaction, button: discord.ui.Button[MoreView]
    ) -> None:
        """Deferred update (callback type 6), then edit the message through @original."""
        await interaction.response.defer()
        await interaction.edit_original_response(content="refreshed")


class MoreButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"more:(?P<article>\d+)"
):
    """A dynamic button whose custom_id carries the article id."""

    def __init__(self, article: int) -> None:
        super().__init__(discord.ui.Button(label="More", custom_id=f"more:{article}"))
        self.article = article

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MoreButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["article"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Answer ephemerally with the article id."""
        await interaction.response.send_message(f"article {self.article}", ephemeral=True)


class Survey(discord.ui.Modal, title="Survey"):
    """A one-field modal."""

    answer: discord.ui.TextInput[Survey] = discord.ui.TextInput(label="Answer", custom_id="answer")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Thank the user with what they typed."""
        await interaction.response.send_message(f"thanks: {self.answer.value}", ephemeral=True)


feed = app_commands.Group(
    name="feed",
    description="Manage feeds",
    default_permissions=discord.Permissions(manage_guild=True),
)
feed_filter = app_commands.Group(name="filter", description="Feed filters", parent=feed)


@feed.command(name="add", description="Subscribe a channel to a feed")
@app_commands.describe(url="Feed URL", channel="Where to post", mode="How", backfill="Items")
async def feed_add(
    interaction: discord.Interaction,
    url: str,
    channel: discord.TextChannel | None = None,
    mode: Literal["instant", "digest"] = "instant",
    backfill: app_commands.Range[int, 0, 20] = 0,
) -> None:
    """Deferred reply, then the final answer and a second followup."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    where = channel or interaction.channel
    assert isinstance(where, discord.TextChannel)
    await interaction.followup.send(f"added {url} to #{where.name} ({mode}, {backfill})")
    await interaction.followup.send("second followup", ephemeral=True)


@feed.command(name="remove", description="Unsubscribe a feed")
@app_commands.describe(name="Feed name")
async def feed_remove(interaction: discord.Interaction, name: str) -> None:
    """Answer publicly."""
    await interaction.response.send_message(f"removed {name}")


@feed_remove.autocomplete("name")
async def feed_names(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Feeds whose name contains what the user typed."""
    hits = [f for f in FEEDS if current.lower() in f.lower()]
    return [app_commands.Choice(name=f, value=f) for f in hits]


@feed_filter.command(name="set", description="Set a keyword filter")
@app_commands.describe(pattern="Keywords")
async def filter_set(interaction: discord.Interaction, pattern: str) -> None:
    """A subcommand in a subcommand group."""
    await interaction.response.send_message(f"filter {pattern}", ephemeral=True)


@app_commands.command(name="ping", description="Ping the bot")
async def ping(interaction: discord.Interaction) -> None:
    """Ephemeral pong."""
    await interaction.response.send_message("pong", ephemeral=True)


@app_commands.command(name="survey", description="Open a survey")
async def survey(interaction: discord.Interaction) -> None:
    """Answer with a modal."""
    await interaction.response.send_modal(Survey())


@app_commands.context_menu(name="Summarise")
async def summarise(interaction: discord.Interaction, message: discord.Message) -> None:
    """A message context-menu command."""
    await interaction.response.send_message(f"summary of {message.id}", ephemeral=True)


class DemoBot(commands.Bot):
    """The test bot: default intents, the commands above, persistent and dynamic components."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("intents", discord.Intents.default())
        options.setdefault("guild_ready_timeout", 0.05)
        super().__init__(command_prefix=commands.when_mentioned, **options)
        self.tree.add_command(feed)
        self.tree.add_command(ping)
        self.tree.add_command(survey)
        self.tree.add_command(summarise)
        self.resumed = 0

    async def setup_hook(self) -> None:
        """Register components that must work for messages sent before a restart."""
        self.add_view(MoreView())
        self.add_dynamic_items(MoreButton)

    async def on_resumed(self) -> None:
        """Count gateway RESUMEs."""
        self.resumed += 1

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before a re-IDENTIFY (a documented hook), to stay fast."""


class ShardedDemoBot(commands.AutoShardedBot):
    """An auto-sharded bot that only answers /ping (the shard count comes from /gateway/bot)."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("intents", discord.Intents.default())
        options.setdefault("guild_ready_timeout", 0.05)
        super().__init__(command_prefix=commands.when_mentioned, **options)
        self.tree.add_command(ping)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause between shard IDENTIFYs (a documented hook)."""
