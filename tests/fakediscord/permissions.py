"""Discord's permission algorithm: base permissions from roles, then channel overwrites."""

from __future__ import annotations

import logging

from tests.fakediscord.constants import Perm
from tests.fakediscord.models import Channel, Guild

log = logging.getLogger(__name__)


def base_permissions(guild: Guild, user_id: int) -> int:
    """Guild-wide permissions of a member: @everyone plus its roles; owner and admins get all."""
    if user_id == guild.owner_id:
        return Perm.ALL
    member = guild.members.get(user_id)
    if member is None:
        return 0
    perms = guild.roles[guild.id].permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    return Perm.ALL if perms & Perm.ADMINISTRATOR else perms


def channel_permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    """Permissions of a member in a channel, overwrites applied in Discord's order.

    A thread has its parent's permissions; there Send Messages in Threads is what allows
    posting (and, missing, takes embeds, files and pings away as Send Messages does elsewhere).
    """
    if channel.is_thread and channel.parent_id is not None:
        perms = _permissions(guild, guild.channels[channel.parent_id], user_id)
        return _implicit(perms, Perm.SEND_MESSAGES_IN_THREADS)
    return _implicit(_permissions(guild, channel, user_id), Perm.SEND_MESSAGES)


def _permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    perms = base_permissions(guild, user_id)
    if perms & Perm.ADMINISTRATOR or user_id == guild.owner_id:
        return Perm.ALL
    everyone = channel.overwrites.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    member = guild.members.get(user_id)
    role_ids = member.roles if member else []
    allow = deny = 0
    for role_id in role_ids:
        overwrite = channel.overwrites.get(role_id)
        if overwrite is not None and overwrite.type == 0:
            allow |= overwrite.allow
            deny |= overwrite.deny
    perms = (perms & ~deny) | allow
    own = channel.overwrites.get(user_id)
    if own is not None and own.type == 1:
        perms = (perms & ~own.deny) | own.allow
    return perms


def _implicit(perms: int, send: int) -> int:
    """Implicit denials: no view means nothing; no send means no embeds, files or pings."""
    if perms & Perm.ADMINISTRATOR:
        return perms
    if not perms & Perm.VIEW_CHANNEL:
        return 0
    if not perms & send:
        perms &= ~(Perm.EMBED_LINKS | Perm.ATTACH_FILES | Perm.MENTION_EVERYONE)
    return perms


def has(perms: int, flag: int) -> bool:
    """Whether ``perms`` includes ``flag``."""
    return perms & flag == flag
