"""The welcome: one short message when the bot joins a server, once per server ever.

The guild is claimed in the store before the message goes out, so a rejoin (or two shards
seeing the same join) never greets twice; a message Discord refuses releases the claim.
"""

from __future__ import annotations

import logging

import discord

from bot.delivery.outcome import nonce_for
from bot.delivery.sender import Outgoing, Sender, SendFailed, Target
from bot.store import Store

log = logging.getLogger(__name__)


def first_postable_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """The server's system channel if the bot may post there, else its first such text channel."""
    me = guild.me
    candidates = [guild.system_channel] if guild.system_channel else []
    candidates += sorted(guild.text_channels, key=lambda c: (c.position, c.id))
    for channel in candidates:
        perms = channel.permissions_for(me)
        if perms.view_channel and perms.send_messages:
            return channel
    return None


async def welcome(guild: discord.Guild, text: str, *, store: Store, sender: Sender) -> int | None:
    """Post ``text`` in the first channel the bot may post in, unless ``guild`` was greeted.

    Returns the message id, or None when nothing was posted (greeted before, no channel, or
    Discord refused).
    """
    channel = first_postable_channel(guild)
    if channel is None:
        log.info("joined guild %d: no channel to post a welcome in", guild.id)
        return None
    if not await store.claim_welcome(guild.id, channel.id):
        log.info("rejoined guild %d: welcomed before, not again", guild.id)
        return None
    message = Outgoing("notice", nonce_for("w", guild.id, "welcome"), text)
    try:
        return await sender.send(Target(channel.id, guild.id), message)
    except SendFailed as failure:  # best effort: the next join may try again
        log.warning("welcome in guild %d refused: %s", guild.id, failure.reason)
        await store.release_welcome(guild.id)
        return None
