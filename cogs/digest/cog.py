"""``/digest`` commands and the job that runs due digest schedules."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.delivery import Action, SendFailed, permissions
from bot.delivery.targets import target_kind
from bot.render.reply import reply
from bot.schedules import (
    ScheduleError,
    as_utc,
    check_timezone,
    describe,
    next_run,
    parse_at,
    timezone_choices,
)
from bot.store import ScheduleRow
from cogs._forum_tags import TagRefused, forum_tags
from cogs._jobs import ShieldedJob, add_interval_job, remove_job
from cogs._postable import Postable
from cogs.digest._channels import ChannelUnavailable
from cogs.digest._runner import DigestRunner

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)

JOB_ID = "digest-schedules"
UNLOAD_WAIT_SECONDS = 10.0
Interaction = discord.Interaction[Any]


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Digests(
    commands.GroupCog, group_name="digest", group_description="Scheduled channel digests."
):
    """Schedules a channel's digest, posts one on demand, lists and stops schedules."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.store = bot.runtime.store
        self.runner = DigestRunner(bot)
        self._zones: list[str] = []
        # Posts already made are marked sent; nonces cover a run cut after its bound.
        self.job = ShieldedJob(self.runner.tick, "digest run")

    async def cog_load(self) -> None:
        """Add the job that looks for due schedules every ``digest_tick_seconds``."""
        seconds = self.bot.runtime.settings.digest_tick_seconds
        if self.bot.has_role("scheduler"):  # the runs need the guilds of this gateway's shards
            add_interval_job(self.bot.scheduler, JOB_ID, self.job.tick, seconds)

    async def cog_unload(self) -> None:
        """Remove the job and let a run in progress finish (the store closes after the bot)."""
        remove_job(self.bot.scheduler, JOB_ID)
        await self.job.finish(UNLOAD_WAIT_SECONDS)

    @app_commands.command(
        name="schedule", description="Post a digest of new articles on a schedule."
    )
    @app_commands.describe(
        channel="The channel that receives the digest.",
        at='"HH:MM" for a daily digest, or a 5-field cron expression such as "0 8 * * mon-fri".',
        timezone="IANA time zone of the time, e.g. Europe/Paris (default UTC).",
        publish="Announcement channels: publish each digest to the servers following the channel",
        tags="Forum channels: the tags of each digest post, comma-separated",
    )
    async def schedule(
        self,
        interaction: Interaction,
        channel: Postable,
        at: app_commands.Range[str, 1, 100],
        *,  # discord.py passes options by name
        timezone: app_commands.Range[str, 1, 64] = "UTC",
        publish: bool = False,
        tags: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        """Set (or replace) the channel's digest schedule."""
        if not await _may_manage(interaction) or interaction.guild is None:
            return
        try:
            cron, zone = parse_at(at), check_timezone(timezone)
            tag_ids = forum_tags(channel, tags)
        except (ScheduleError, TagRefused) as exc:
            await _reply(interaction, str(exc))
            return
        if publish and target_kind(channel) != permissions.ANNOUNCEMENT:
            await _reply(
                interaction,
                f"{channel.mention} is not an announcement channel: only those publish posts to "
                "following servers. Pick an announcement channel, or leave `publish` off.",
            )
            return
        missing = _missing_permissions(channel)
        if missing:
            await _reply(
                interaction,
                f"I can't post digests in {channel.mention}: give me {missing} there, then run "
                "`/digest schedule` again.",
            )
            return
        next_at = next_run(cron, zone, self.bot.runtime.clock())
        row = await self.store.upsert_schedule(
            interaction.guild.id,
            channel.id,
            cron=cron,
            timezone=zone,
            created_by=interaction.user.id,
            next_run_at=next_at,
            publish=publish,
            forum_tags=tag_ids,
        )
        text = f"Digest for {channel.mention} scheduled {_schedule_line(row, next_at)}."
        if not await self._has_digest_feeds(channel.id):
            text += (
                f"\nNo feed posts to {channel.mention} in digest mode yet: add one with "
                f"`/feed add` and `mode: digest`."
            )
        await _reply(interaction, text)

    @schedule.autocomplete("timezone")
    async def _timezone_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not self._zones:
            self._zones = sorted(available_timezones())
        names = timezone_choices(current, self._zones)
        return [app_commands.Choice(name=name, value=name) for name in names]

    @app_commands.command(name="now", description="Post the digest of new articles right away.")
    @app_commands.describe(channel="The channel whose digest to post (default: this one).")
    async def now(self, interaction: Interaction, channel: Postable | None = None) -> None:
        """Post a channel's pending digest articles immediately."""
        if not await _may_manage(interaction) or interaction.guild is None:
            return
        target = channel or interaction.channel
        if not isinstance(target, Postable):
            await _reply(interaction, "Pick a text channel or a thread with the `channel` option.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = await self.store.list_schedules(interaction.guild.id)
        schedule = next((r for r in rows if r.channel_id == target.id), None)
        zone = schedule.timezone if schedule is not None else "UTC"
        try:
            posted = await self.runner.post_digest(
                target.id,
                timezone=zone,
                now=self.bot.runtime.clock(),
                publish=schedule is not None and schedule.publish,
                forum_tags=schedule.forum_tags if schedule is not None else (),
            )
        except ChannelUnavailable:
            text = f"I can't post in {target.mention}: give me {_needed(target)} there."
        except SendFailed as failure:
            text = (
                f"I can't post in {target.mention}: give me {_needed(target)} there."
                if failure.action is Action.PAUSE
                else f"Discord refused the digest ({failure.reason}); its articles stay queued."
            )
        else:
            text = (
                f"Posted {posted} new article{'s' if posted != 1 else ''} in {target.mention}."
                if posted
                else f"Nothing new for {target.mention} since its last digest."
            )
        await reply(interaction, text)

    @app_commands.command(name="off", description="Stop a channel's scheduled digest.")
    @app_commands.describe(channel="The channel whose digest schedule to remove.")
    async def off(self, interaction: Interaction, channel: Postable) -> None:
        """Remove the channel's schedule; queued articles stay for `/digest now`."""
        if not await _may_manage(interaction) or interaction.guild is None:
            return
        if not await self.store.remove_schedule(interaction.guild.id, channel.id):
            await _reply(
                interaction,
                f"{channel.mention} has no digest schedule: `/digest list` shows this "
                "server's schedules.",
            )
            return
        await _reply(
            interaction,
            f"Scheduled digests for {channel.mention} stopped. Articles already queued stay: "
            "`/digest now` posts them.",
        )

    @app_commands.command(name="list", description="Show this server's digest schedules.")
    async def list_(self, interaction: Interaction) -> None:
        """List the guild's schedules with their next run in each schedule's time zone."""
        if interaction.guild is None:
            return
        rows = await self.store.list_schedules(interaction.guild.id)
        if not rows:
            await _reply(interaction, "No digest schedules yet: `/digest schedule` sets one.")
            return
        lines = ["**Digest schedules**"]
        for row in rows:
            next_at = as_utc(row.next_run_at) if row.next_run_at else None
            lines.append(f"<#{row.channel_id}> · {_schedule_line(row, next_at)}")
        await _reply(interaction, "\n".join(lines))

    async def _has_digest_feeds(self, channel_id: int) -> bool:
        subscriptions = await self.store.list_subscriptions(channel_id=channel_id)
        return any(s.mode == "digest" for s in subscriptions)


def _schedule_line(row: ScheduleRow, next_at: datetime | None) -> str:
    """ "daily at 07:30 (Europe/Paris), next Thu 26 Nov 2026 07:30 CET"."""
    line = f"{describe(row.cron)} ({row.timezone})"
    if next_at is None:
        return line + ", no next run"
    local = next_at.astimezone(ZoneInfo(row.timezone))
    return line + f", next {local:%a %d %b %Y %H:%M %Z} (<t:{int(next_at.timestamp())}:R>)"


def _needed(channel: Postable) -> str:
    return permissions.labels(permissions.needed(target_kind(channel) or permissions.TEXT))


def _missing_permissions(channel: Postable) -> str:
    have = channel.permissions_for(channel.guild.me)
    needed = permissions.needed(target_kind(channel) or permissions.TEXT)
    lacking = permissions.missing(lambda flag: getattr(have, flag), needed)
    return permissions.labels(lacking) if lacking else ""


async def _may_manage(interaction: Interaction) -> bool:
    """The run-time check behind the default permissions (a server may have widened them)."""
    if interaction.permissions.manage_guild:
        return True
    await _reply(interaction, "You need the Manage Server permission to change digests.")
    return False


async def _reply(interaction: Interaction, text: str) -> None:
    await reply(interaction, text)
