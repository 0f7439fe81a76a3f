"""``/feed set ping``: which role a subscription's posts mention, picked or typed."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.errors import BriefingError

log = logging.getLogger(__name__)

NONE = "none"
PingRef = app_commands.Range[str, 1, 100]  # a suggestion's value, a mention or a role name
CLEAR_WORDS = frozenset({NONE, "off", "-", "nobody"})


class PingError(BriefingError):
    """The ping option names no role the bot can ping; the message says what to do."""


def parse_ping(guild: discord.Guild, typed: str) -> discord.Role | None:
    """The role ``typed`` names (a suggestion's id, a mention or a name); None for "none"."""
    text = typed.strip()
    if text.lower() in CLEAR_WORDS:
        return None
    digits = text.removeprefix("<@&").removesuffix(">")
    role = guild.get_role(int(digits)) if digits.isdigit() else None
    if role is None:
        name = text.removeprefix("@").lower()
        role = next((r for r in guild.roles if r.name.lower() == name), None)
    if role is None:
        raise PingError(f"This server has no role {text!r}: pick one from the suggestions.")
    if role.is_default():
        raise PingError("Briefing never pings @everyone: pick a role members opt into.")
    if not (role.mentionable or guild.me.guild_permissions.mention_everyone):
        raise PingError(
            f"I may not ping {role.mention}: make it mentionable (Server Settings › Roles › "
            f"{role.name} › Allow anyone to @mention this role), or pick another role."
        )
    return role


def role_choices(guild: discord.Guild, current: str) -> list[app_commands.Choice[str]]:
    """ "none" and the guild's roles whose name contains what was typed (autocomplete)."""
    needle = current.strip().lstrip("@").lower()
    choices = [app_commands.Choice(name="none (no ping)", value=NONE)]
    for role in sorted(guild.roles, key=lambda r: -r.position):
        if not role.is_default() and not role.managed and needle in role.name.lower():
            choices.append(app_commands.Choice(name=f"@{role.name}"[:100], value=str(role.id)))
    return choices[:25]
