"""Which kind of target a Discord channel is, in the words of :mod:`bot.delivery.permissions`."""

from __future__ import annotations

import logging

import discord

from bot.delivery.permissions import ANNOUNCEMENT, TEXT, THREAD

log = logging.getLogger(__name__)


def target_kind(channel: object) -> str | None:
    """The kind of target ``channel`` is, or None when Briefing cannot post there."""
    if isinstance(channel, discord.Thread):
        return THREAD
    if isinstance(channel, discord.TextChannel):
        return ANNOUNCEMENT if channel.is_news() else TEXT
    return None


def kind_of(client: discord.Client, channel_id: int) -> str:
    """The kind of a channel the client has cached (a text channel when it has not)."""
    return target_kind(client.get_channel(channel_id)) or TEXT
