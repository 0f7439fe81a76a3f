"""Where the /feed commands may post, and what the bot lacks there: refusals users can act on."""

from __future__ import annotations

import logging

import discord

from bot.delivery import permissions
from bot.delivery.targets import target_kind
from bot.errors import BriefingError
from cogs._postable import Postable

log = logging.getLogger(__name__)


class UserError(BriefingError):
    """A problem the user can fix; the message says how."""


def guild_of(interaction: discord.Interaction) -> discord.Guild:
    """The guild of a guild-only command."""
    if interaction.guild is None:
        raise UserError("This command works in a server only.")
    return interaction.guild


def postable_channel(
    interaction: discord.Interaction,
    chosen: Postable | None,
    *,
    publish: bool = False,
    webhook: bool = False,
) -> Postable:
    """The channel or thread to post into (``webhook``: through the channel's webhook), once
    the bot is known to be able to post there."""
    guild = guild_of(interaction)
    channel = chosen or interaction.channel
    kind = target_kind(channel)
    if kind is None or not isinstance(channel, Postable):
        raise UserError("Pick a text, announcement or forum channel, or a thread, with `channel`.")
    if publish and kind != permissions.ANNOUNCEMENT:
        raise UserError(
            f"{channel.mention} is not an announcement channel: only those publish posts to "
            "following servers. Pick an announcement channel, or leave `publish` off."
        )
    if webhook:
        refuse_webhook(guild, channel, kind, publish=publish)
    else:
        refuse_if_lacking(guild, channel, kind)
    return channel


def refuse_webhook(guild: discord.Guild, channel: Postable, kind: str, *, publish: bool) -> None:
    """Raise a UserError when posts cannot go through a webhook of ``channel``."""
    if kind == permissions.FORUM:
        raise UserError(
            "Webhook names work in text and announcement channels and in threads, not in "
            "forums: leave `webhook_name` off, or pick another channel."
        )
    if publish:
        raise UserError(
            "Posts made through a webhook are not published: leave `publish` or `webhook_name` off."
        )
    refuse_if_lacking(guild, channel, permissions.WEBHOOK)


def refuse_if_lacking(guild: discord.Guild, channel: Postable, kind: str) -> None:
    """Raise a UserError naming what the bot lacks to post into ``channel``, if anything."""
    perms = channel.permissions_for(guild.me)
    lacking = permissions.missing(lambda flag: getattr(perms, flag), permissions.needed(kind))
    if lacking:
        how = " through a webhook" if kind == permissions.WEBHOOK else ""
        raise UserError(
            f"I can't post articles{how} in {channel.mention}: I lack "
            f"{permissions.labels(lacking)} there. "
            "Grant my role those permissions in the channel's settings, or pick another channel."
        )
