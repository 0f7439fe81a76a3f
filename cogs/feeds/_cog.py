"""The /feed command group: thin adapters over :class:`bot.subscriptions.FeedManager`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.delivery import permissions
from bot.delivery.targets import target_kind
from bot.explain import explain
from bot.opml import OpmlError, export_opml, import_opml
from bot.render.explain import explanation_embeds
from bot.render.reply import reply
from bot.subscriptions import MAX_BACKFILL, FeedManager
from cogs._forum_tags import forum_tags
from cogs._pages import send_pages
from cogs._postable import Postable
from cogs.feeds import _opml as opml
from cogs.feeds import _render as render
from cogs.feeds import _webhook as webhook
from cogs.feeds._checks import (
    UserError,
    guild_of,
    postable_channel,
    refuse_if_lacking,
)
from cogs.feeds._ping import PingRef, parse_ping, role_choices

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)

NO_FEEDS = "This server follows no feed yet: add one with /feed add."


# What Discord lets users type (it refuses longer input itself).
MAX_URL = 2048
MAX_FEED_REF = 100  # an autocomplete choice's value, or a name typed by hand
MAX_FILTER = 1000
Url = app_commands.Range[str, 1, MAX_URL]
FeedRef = app_commands.Range[str, 1, MAX_FEED_REF]
FilterTerms = app_commands.Range[str, 1, MAX_FILTER]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Feeds(commands.GroupCog, group_name="feed", group_description="Follow news feeds"):
    """``/feed add|remove|list|status|preview|filter|import|export|set|resume|explain``."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.feeds = FeedManager.from_runtime(bot.runtime)
        super().__init__()

    @app_commands.command(name="add", description="Follow a news feed in a channel")
    @app_commands.describe(
        url="Address of the feed, or of a site that advertises one",
        channel="Where its articles go: a channel, a thread or a forum (default: this channel)",
        mode="instant: one post per article; digest: gathered into the channel's digest",
        backfill=f"How many recent articles to post now (0-{MAX_BACKFILL}, default 0)",
        publish="Announcement channels: publish each post to the servers following the channel",
        tags="Forum channels: the tags of each post, comma-separated",
        webhook_name="Post through a webhook under this name (e.g. BBC World) instead of as me",
        webhook_avatar="With webhook_name: the address of the avatar image of those posts",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def add(
        self,
        interaction: discord.Interaction,
        url: Url,
        *,  # discord.py passes options by name
        channel: Postable | None = None,
        mode: Literal["instant", "digest"] = "instant",
        backfill: app_commands.Range[int, 0, MAX_BACKFILL] = 0,
        publish: bool = False,
        tags: app_commands.Range[str, 1, 500] | None = None,
        webhook_name: webhook.WebhookName | None = None,
        webhook_avatar: webhook.AvatarUrl | None = None,
    ) -> None:
        """Read the feed once, subscribe the channel and show the newest item's key points."""
        guild = guild_of(interaction)
        persona = webhook.chosen(webhook_name, webhook_avatar)
        target = postable_channel(
            interaction, channel, publish=publish, webhook=persona is not None
        )
        tag_ids = forum_tags(target, tags)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.feeds.add(
            guild.id,
            target.id,
            url,
            mode=mode,
            backfill=backfill,
            added_by=interaction.user.id,
            publish=publish,
            forum_tags=tag_ids,
            webhook=persona,
        )
        await reply(interaction, embed=render.added(result, target))

    @app_commands.command(name="remove", description="Stop following a feed")
    @app_commands.describe(feed="The feed to stop following (start typing its name)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def remove(self, interaction: discord.Interaction, feed: FeedRef) -> None:
        """Unsubscribe the chosen feed; its pending posts are dropped."""
        removed = await self.feeds.remove(guild_of(interaction).id, feed)
        name = discord.utils.escape_markdown(removed.feed_title or removed.feed_url)
        await reply(interaction, f"Stopped following **{name}** in <#{removed.channel_id}>.")

    @app_commands.command(name="list", description="List the feeds this server follows")
    async def list_feeds(self, interaction: discord.Interaction) -> None:
        """Every subscription of the server, a page at a time."""
        subs = await self.feeds.subscriptions(guild_of(interaction).id)
        if not subs:
            raise UserError(NO_FEEDS)
        await send_pages(interaction, render.list_pages(subs))

    @app_commands.command(name="status", description="Health of each feed: successes, errors")
    async def status(self, interaction: discord.Interaction) -> None:
        """Per feed: last success, last error, failures, next poll, paused or broken reason."""
        rows = await self.feeds.status(guild_of(interaction).id)
        if not rows:
            raise UserError(NO_FEEDS)
        await send_pages(interaction, render.status_pages(rows))

    @app_commands.command(name="preview", description="See a feed's newest items (not saved)")
    @app_commands.describe(url="Address of the feed, or of a site that advertises one")
    async def preview(self, interaction: discord.Interaction, url: Url) -> None:
        """Digest the newest items for the user alone; nothing is stored."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.feeds.preview(url)
        points = self.bot.runtime.settings.key_points
        await reply(interaction, embeds=render.preview(result, points=points))

    @app_commands.command(name="filter", description="Post only a feed's articles that match")
    @app_commands.describe(
        feed="The feed to filter (start typing its name)",
        include="Post only articles with one of these, comma-separated; /regex/ allowed; - clears",
        exclude="Never post articles with any of these, comma-separated; /regex/ allowed; - clears",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def filter_feed(
        self,
        interaction: discord.Interaction,
        feed: FeedRef,
        include: FilterTerms | None = None,
        exclude: FilterTerms | None = None,
    ) -> None:
        """Set (or show, with neither option) a subscription's include/exclude terms."""
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.feeds.set_filters(guild.id, feed, include=include, exclude=exclude)
        await reply(interaction, render.filtered(result))

    @app_commands.command(name="import", description="Follow every feed of an OPML file")
    @app_commands.describe(
        file="An OPML file, as feed readers export their subscriptions",
        channel="Where their articles are posted (default: this channel)",
        mode="instant: one post per article; digest: gathered into the channel's digest",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def import_feeds(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        channel: discord.TextChannel | None = None,
        mode: Literal["instant", "digest"] = "instant",
    ) -> None:
        """Subscribe the channel to the file's feeds at once; nothing is fetched now."""
        guild = guild_of(interaction)
        target = postable_channel(interaction, channel)
        if (refusal := opml.too_big(file)) is not None:
            raise UserError(refusal)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            result = await import_opml(
                self.bot.runtime.store,
                await file.read(),
                guild_id=guild.id,
                channel_id=target.id,
                mode=mode,
                added_by=interaction.user.id,
                allow_private=self.bot.runtime.settings.allow_private_urls,
            )
        except OpmlError as exc:
            raise UserError(f"{file.filename} is not a usable OPML file: {exc}") from None
        await reply(interaction, opml.imported(result, target, file.filename))

    @app_commands.command(name="export", description="Download this server's feeds as OPML")
    async def export_feeds(self, interaction: discord.Interaction) -> None:
        """An OPML file of every feed the server follows, for backups or another reader."""
        data = await export_opml(self.bot.runtime.store, guild_of(interaction).id)
        await reply(interaction, "This server's feeds, as OPML:", file=opml.export_file(data))

    @app_commands.command(
        name="set", description="Change how a feed is posted: a role to ping, edits, a webhook"
    )
    @app_commands.describe(
        feed="The feed to change (start typing its name)",
        ping="A role its posts mention (members who opt into that role get notified); none: off",
        updates="on: edit a post when the feed changes its article (at most hourly); off: never",
        webhook_name="Post through a webhook under this name instead of as me; none: as me",
        webhook_avatar="The address of the avatar image of its webhook posts; none: the default",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def set_options(
        self,
        interaction: discord.Interaction,
        feed: FeedRef,
        *,  # discord.py passes options by name
        ping: PingRef | None = None,
        updates: Literal["on", "off"] | None = None,
        webhook_name: webhook.WebhookName | None = None,
        webhook_avatar: webhook.AvatarUrl | None = None,
    ) -> None:
        """Set (or clear) the role a subscription's posts mention, turn edits on or off, or
        post through a webhook under a name of the feed's own."""
        guild = guild_of(interaction)
        if ping is None and updates is None and webhook_name is None and webhook_avatar is None:
            raise UserError(
                "Nothing to change: give `ping`, `updates`, `webhook_name` or `webhook_avatar`."
            )
        answers = []
        if ping is not None:
            role = parse_ping(guild, ping)
            sub = await self.feeds.set_ping(guild.id, feed, role.id if role else None)
            answers.append(render.ping_set(sub, role.mention if role else None))
        if updates is not None:
            sub = await self.feeds.set_updates(guild.id, feed, updates == "on")
            answers.append(render.updates_set(sub))
        if webhook_name is not None or webhook_avatar is not None:
            sub = await webhook.change(self.feeds, guild, feed, webhook_name, webhook_avatar)
            answers.append(webhook.changed(sub))
        await reply(interaction, "\n".join(answers))

    @app_commands.command(name="resume", description="Post a paused feed again")
    @app_commands.describe(feed="The paused feed (start typing its name; see /feed status)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def resume(self, interaction: discord.Interaction, feed: FeedRef) -> None:
        """Check the bot may post where the feed goes now, then post its held articles."""
        guild = guild_of(interaction)
        sub = await self.feeds.resolve(guild.id, feed)
        channel = guild.get_channel_or_thread(sub.channel_id)
        kind = target_kind(channel)
        if kind is None or not isinstance(channel, Postable):
            raise UserError(
                f"<#{sub.channel_id}> is gone or is no longer a place I can post: remove the feed "
                "with /feed remove and add it where it should go."
            )
        refuse_if_lacking(guild, channel, permissions.WEBHOOK if sub.webhook_name else kind)
        resumed = await self.feeds.resume(guild.id, str(sub.id))
        await reply(interaction, render.resumed(resumed))

    @app_commands.command(name="explain", description="Why an article was posted or not")
    @app_commands.describe(
        url="Address of an article (as its feed links it), or of a feed: its newest 5 items"
    )
    async def explain_url(self, interaction: discord.Interaction, url: Url) -> None:
        """Each stage of the article's way into this server's channels, with its verdict."""
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        runtime = self.bot.runtime
        # The bot's clock, as the controls that hold posts read it: the same "now" for both.
        answer = await explain(runtime.store, guild.id, url, now=runtime.clock())
        await reply(interaction, embeds=explanation_embeds(answer))

    @set_options.autocomplete("ping")
    async def ping_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """ "none" and the server's roles matching what was typed."""
        return role_choices(interaction.guild, current) if interaction.guild else []

    @remove.autocomplete("feed")
    @filter_feed.autocomplete("feed")
    @set_options.autocomplete("feed")
    @resume.autocomplete("feed")
    async def feed_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """This server's feeds whose name or address contains what was typed."""
        if interaction.guild is None:
            return []
        subs = await self.feeds.choices(interaction.guild.id, current)
        choices = []
        for sub in subs:
            channel = interaction.guild.get_channel(sub.channel_id)
            where = f" · #{channel.name}" if channel is not None else ""
            name = render.clip(sub.feed_title or sub.feed_url, 100 - len(where)) + where
            choices.append(app_commands.Choice(name=name, value=str(sub.id)))
        return choices
