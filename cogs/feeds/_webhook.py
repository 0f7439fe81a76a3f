"""``/feed add|set webhook_name webhook_avatar``: posts under a name and avatar of their own."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.delivery import persona
from bot.delivery.targets import target_kind
from bot.store import SubscriptionRow
from bot.subscriptions import FeedManager
from cogs._postable import Postable
from cogs.feeds._checks import UserError, refuse_webhook
from cogs.feeds._ping import CLEAR_WORDS

log = logging.getLogger(__name__)

WebhookName = app_commands.Range[str, 1, persona.NAME_LIMIT]
AvatarUrl = app_commands.Range[str, 1, persona.AVATAR_LIMIT]


def chosen(name: str | None, avatar: str | None) -> persona.Persona | None:
    """The persona ``/feed add`` was given (None: posts as the bot), or a UserError."""
    if (why := persona.problem(name, avatar)) is not None:
        raise UserError(why)
    return persona.Persona(name.strip(), avatar and avatar.strip()) if name else None


async def change(
    feeds: FeedManager, guild: discord.Guild, feed: str, name: str | None, avatar: str | None
) -> SubscriptionRow:
    """Apply ``/feed set webhook_name/webhook_avatar`` ("none" turns either off)."""
    sub = await feeds.resolve(guild.id, feed)
    if name is not None and name.strip().lower() in CLEAR_WORDS:
        return await feeds.set_webhook(guild.id, str(sub.id), None)
    if avatar is not None and avatar.strip().lower() in CLEAR_WORDS:
        avatar = ""
    name = name or sub.webhook_name
    if name is None:
        raise UserError("`webhook_avatar` goes with `webhook_name`: give the name posts go under.")
    wanted = chosen(name, (sub.webhook_avatar if avatar is None else avatar) or None)
    channel = guild.get_channel_or_thread(sub.channel_id)
    kind = target_kind(channel)
    if kind is None or not isinstance(channel, Postable):
        raise UserError(f"<#{sub.channel_id}> is gone or is no longer a place I can post.")
    refuse_webhook(guild, channel, kind, publish=sub.publish)
    return await feeds.set_webhook(guild.id, str(sub.id), wanted)


def changed(sub: SubscriptionRow) -> str:
    """The answer to /feed set webhook_name: under which name the feed's posts appear."""
    name = discord.utils.escape_markdown(sub.feed_title or sub.feed_url)
    where = f"**{name}** in <#{sub.channel_id}>"
    if sub.webhook_name is None:
        return f"Posts of {where} are made by the bot itself now."
    avatar = " with its own avatar" if sub.webhook_avatar else ""
    shown = discord.utils.escape_markdown(sub.webhook_name)
    return f"Posts of {where} now appear as **{shown}**{avatar}, through the channel's webhook."
