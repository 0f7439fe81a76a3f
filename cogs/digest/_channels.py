"""Where a digest can be posted, and the error of a channel that is not such a place."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)

Postable = discord.TextChannel | discord.Thread | discord.ForumChannel


class ChannelUnavailable(Exception):
    """The channel is not one the bot can post a digest in."""
