"""The fake world's objects (users, roles, channels, guilds) and their API payloads."""

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakediscord.constants import (
    ANNOUNCEMENT,
    FORUM,
    TEXT,
    THREADS,
)

log = logging.getLogger(__name__)

Json = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000


class Snowflakes:
    """Generates increasing snowflakes whose timestamp is now (discord.py reads it)."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def next(self) -> int:
        """A new unique snowflake."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (1 << 17) | (next(self._counter) & 0xFFF)


def iso(moment: datetime) -> str:
    """ISO-8601 timestamp as Discord spells it."""
    return moment.isoformat()


def now() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)


@dataclass
class User:
    """A Discord user (human or bot)."""

    id: int
    username: str
    bot: bool = False

    def to_api(self) -> Json:
        """The user object."""
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": None if self.bot else self.username,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Role:
    """A guild role; the @everyone role shares the guild's id."""

    id: int
    name: str
    permissions: int
    position: int = 0
    mentionable: bool = False
    managed: bool = False

    def to_api(self) -> Json:
        """The role object."""
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_api(self) -> Json:
        """The overwrite object."""
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    """A guild channel (0 text, 2 voice, 4 category, 5 announcement, 10-12 threads, 15 forum).

    A thread's ``parent_id`` is its channel; ``owner_id``, ``archived`` and ``locked`` are its
    metadata. Threads live among the guild's channels here, but Discord lists them apart.
    """

    id: int
    guild_id: int
    name: str
    type: int = 0
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    created_at: datetime = field(default_factory=now)
    archived_at: datetime | None = None
    flags: int = 0
    available_tags: list[Json] = field(default_factory=list)  # a forum's
    applied_tags: list[int] = field(default_factory=list)  # a forum post's

    @property
    def is_text(self) -> bool:
        """Whether messages can be sent here."""
        return self.type in (TEXT, ANNOUNCEMENT, *THREADS)

    @property
    def is_thread(self) -> bool:
        """Whether this is a thread."""
        return self.type in THREADS

    def to_api(self, *, permissions: int | None = None) -> Json:
        """The channel object (with ``permissions`` as interactions carry it)."""
        if self.is_thread:
            return self._thread_api(permissions)
        data: Json = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "topic": self.topic,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": self.flags,
            "permission_overwrites": [o.to_api() for o in self.overwrites.values()],
        }
        if self.type == FORUM:
            data |= {
                "available_tags": self.available_tags,
                "default_reaction_emoji": None,
                "default_sort_order": None,
                "default_forum_layout": 0,
                "default_thread_rate_limit_per_user": 0,
                "default_auto_archive_duration": 1440,
            }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data

    def _thread_api(self, permissions: int | None) -> Json:
        """The thread object: a channel with its owner and ``thread_metadata``."""
        data: Json = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "applied_tags": [str(t) for t in self.applied_tags],
            "thread_metadata": {
                "archived": self.archived,
                "auto_archive_duration": 1440,
                "archive_timestamp": iso(self.archived_at or self.created_at),
                "locked": self.locked,
                "create_timestamp": iso(self.created_at),
            },
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class Member:
    """A user's membership of a guild."""

    user: User
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: datetime = field(default_factory=now)

    def to_api(self, *, permissions: int | None = None, with_user: bool = True) -> Json:
        """The guild member object (``permissions`` as interactions carry it)."""
        data: Json = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_api()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


# Guild fields the fake never varies (tuples: shared between payloads, JSON arrays on the wire).
_GUILD_STATIC: Json = {
    "icon": None,
    "splash": None,
    "discovery_splash": None,
    "banner": None,
    "description": None,
    "region": None,
    "afk_channel_id": None,
    "afk_timeout": 300,
    "verification_level": 0,
    "default_message_notifications": 0,
    "explicit_content_filter": 0,
    "emojis": (),
    "stickers": (),
    "features": (),
    "mfa_level": 0,
    "system_channel_id": None,
    "system_channel_flags": 0,
    "rules_channel_id": None,
    "vanity_url_code": None,
    "premium_tier": 0,
    "premium_subscription_count": 0,
    "preferred_locale": "en-US",
    "public_updates_channel_id": None,
    "nsfw_level": 0,
    "premium_progress_bar_enabled": False,
}


@dataclass
class Guild:
    """A guild with its roles, channels and members."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    def to_api(self, *, full: bool = False) -> Json:
        """The guild object; ``full`` adds what GUILD_CREATE carries."""
        data: Json = {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "roles": [r.to_api() for r in self.roles.values()],
            **_GUILD_STATIC,
        }
        if full:
            data |= {
                "joined_at": iso(now()),
                "large": False,
                "unavailable": False,
                "member_count": len(self.members),
                "members": [m.to_api() for m in self.members.values()],
                "channels": [c.to_api() for c in self.channels.values() if not c.is_thread],
                "threads": [
                    c.to_api() for c in self.channels.values() if c.is_thread and not c.archived
                ],
                "voice_states": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
            }
        return data
