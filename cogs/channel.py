"""``/channel``: a channel's quiet hours, daily cap and digest size (the core: bot.controls)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.controls import ControlError, local_day
from bot.controls.describe import describe_controls
from bot.controls.window import quiet_setting
from bot.render.reply import reply
from bot.schedules import ScheduleError, check_timezone, timezone_choices
from bot.store import ChannelControlsRow

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
Controlled = discord.TextChannel | discord.Thread | discord.ForumChannel
HOLD_NOTE = "Posts held meanwhile are kept, not lost."


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Channels(
    commands.GroupCog,
    group_name="channel",
    group_description="Quiet hours, a daily cap and the digest size of a channel.",
):
    """Sets and shows a channel's controls."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.store = bot.runtime.store
        self._zones: list[str] = []

    @app_commands.command(name="quiet", description="Hold posts during quiet hours, then catch up.")
    @app_commands.describe(
        start='Start of the quiet hours, "HH:MM" (or "off" to lift them).',
        end='End of the quiet hours, "HH:MM": one catch-up digest is posted then.',
        timezone="IANA time zone of the times, e.g. Europe/Berlin (default: the channel's, UTC).",
        channel="The channel (default: this one).",
    )
    async def quiet(
        self,
        interaction: Interaction,
        start: app_commands.Range[str, 1, 8],
        end: app_commands.Range[str, 1, 8] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        channel: Controlled | None = None,
    ) -> None:
        """Set (or lift) the channel's quiet hours."""
        target = await self._target(interaction, channel)
        if target is None:
            return
        try:
            window = quiet_setting(start, end)
            zone = {"timezone": check_timezone(timezone)} if timezone else {}
        except (ControlError, ScheduleError) as exc:
            await reply(interaction, str(exc))
            return
        first, last = window or (None, None)
        row = await self._set(interaction, target, quiet_start=first, quiet_end=last, **zone)
        if window is None:
            text = (
                f"Quiet hours of {target.mention} lifted: held posts go out in a catch-up digest."
            )
        else:
            text = (
                f"{target.mention} is quiet from {first} to {last} ({row.timezone}): nothing is "
                f"posted then, and one catch-up digest follows at {last}. {HOLD_NOTE}"
            )
        await reply(interaction, text)

    @quiet.autocomplete("timezone")
    async def _quiet_timezones(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._timezones(current)

    def _timezones(self, current: str) -> list[app_commands.Choice[str]]:
        if not self._zones:
            self._zones = sorted(available_timezones())
        names = timezone_choices(current, self._zones)
        return [app_commands.Choice(name=name, value=name) for name in names]

    @app_commands.command(name="cap", description="At most this many posts a day in a channel.")
    @app_commands.describe(
        per_day='Posts a day (0: no cap); the rest wait for the next digest or a "N more" line.',
        timezone="IANA time zone whose days count (default: the channel's, UTC).",
        channel="The channel (default: this one).",
    )
    async def cap(
        self,
        interaction: Interaction,
        per_day: app_commands.Range[int, 0, 1000],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        channel: Controlled | None = None,
    ) -> None:
        """Set (or lift, with 0) the channel's daily cap."""
        target = await self._target(interaction, channel)
        if target is None:
            return
        try:
            zone = {"timezone": check_timezone(timezone)} if timezone else {}
        except ScheduleError as exc:
            await reply(interaction, str(exc))
            return
        row = await self._set(interaction, target, daily_cap=per_day or None, **zone)
        if not per_day:
            text = f"{target.mention} has no daily cap now."
        else:
            text = (
                f"{target.mention} gets at most {per_day} posts a day ({row.timezone} days). "
                "The rest go into its next digest or, without a schedule, are counted on one "
                f'"N more" line the next day. {HOLD_NOTE}'
            )
        await reply(interaction, text)

    @cap.autocomplete("timezone")
    async def _cap_timezones(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._timezones(current)

    @app_commands.command(name="digest-size", description="At most this many articles a digest.")
    @app_commands.describe(
        max='Articles a digest shows (0: all), best first; the rest are named as "N more".',
        channel="The channel (default: this one).",
    )
    async def digest_size(
        self,
        interaction: Interaction,
        max: app_commands.Range[int, 0, 100],
        channel: Controlled | None = None,
    ) -> None:
        """Set (or lift, with 0) the channel's digest maximum."""
        target = await self._target(interaction, channel)
        if target is None:
            return
        await self._set(interaction, target, digest_max=max or None)
        if not max:
            text = f"Digests in {target.mention} show every article again."
        else:
            text = (
                f"Digests in {target.mention} show at most {max} articles: those carried by "
                'more of its feeds first, then the freshest; the rest are named as "N more".'
            )
        await reply(interaction, text)

    @app_commands.command(name="show", description="Show a channel's quiet hours, cap and size.")
    @app_commands.describe(channel="The channel (default: this one).")
    async def show(self, interaction: Interaction, channel: Controlled | None = None) -> None:
        """Show the channel's controls and how many posts today's cap has counted."""
        target = await self._target(interaction, channel)
        if target is None:
            return
        row = await self.store.get_controls(target.id)
        posted = 0
        if row is not None and row.daily_cap is not None:
            today = local_day(self.bot.runtime.clock(), row.timezone)
            posted = await self.store.cap_count(target.id, today)
        lines = [f"**Controls of {target.mention}**", *describe_controls(row, posted_today=posted)]
        await reply(interaction, "\n".join(lines))

    async def _target(
        self, interaction: Interaction, channel: Controlled | None
    ) -> Controlled | None:
        """The channel the command is about, once the user may manage it; None after a reply."""
        if not interaction.permissions.manage_guild:
            await reply(interaction, "You need the Manage Server permission to change channels.")
            return None
        target = channel or interaction.channel
        if interaction.guild is None or not isinstance(target, Controlled):
            await reply(interaction, "Pick a text channel, thread or forum with `channel`.")
            return None
        return target

    async def _set(
        self, interaction: Interaction, target: Controlled, **values: Any
    ) -> ChannelControlsRow:
        assert interaction.guild is not None  # checked by _target
        return await self.store.set_controls(
            interaction.guild.id, target.id, updated_by=interaction.user.id, **values
        )


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Channels(bot))
