"""The in-memory world: guilds, channels, members, roles, messages, commands and waiting on them."""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from tests.fakediscord import messages as bodies
from tests.fakediscord.commands import CommandStore
from tests.fakediscord.constants import PUBLIC_THREAD, THREAD_NAME_LIMIT, Perm
from tests.fakediscord.errors import unknown_channel, unknown_guild, unknown_message
from tests.fakediscord.models import Channel, Guild, Json, Member, Overwrite, Role, Snowflakes, User
from tests.fakediscord.permissions import channel_permissions
from tests.fakediscord.posted import Message

if TYPE_CHECKING:
    from tests.fakediscord.interactions import InteractionHandle

log = logging.getLogger(__name__)

T = TypeVar("T")

EVERYONE_PERMS = (
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.SEND_MESSAGES_IN_THREADS
)


class Notifier:
    """Wakes waiters whenever the world changes; ``wait_until`` re-checks a predicate then.

    Predicates may also look at the client's side (its cache), which the server cannot see
    change, so waiters also re-check every ``POLL`` seconds.
    """

    POLL = 0.02

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Signal a change to every waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:  # noqa: ASYNC109
        """Return the predicate's first truthy value, or raise TimeoutError naming ``what``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fakediscord: no {what} within {timeout:.1f}s")
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), min(remaining, self.POLL))
            except TimeoutError:
                continue


@dataclass
class DefaultGuild:
    """Handles on the default guild: channels and the people in it."""

    guild: Guild
    channel: Channel
    channel2: Channel
    locked_channel: Channel
    no_embeds_channel: Channel
    hidden_channel: Channel
    owner: User
    admin: User
    member: User
    admin_role: Role
    bot_role: Role


class World:
    """Everything the server knows; REST and gateway handlers read and change it."""

    def __init__(self, notifier: Notifier, *, nonce_window: float = 300.0) -> None:
        self.ids = Snowflakes()
        self.notifier = notifier
        self.bot = User(self.ids.next(), "Briefing", bot=True)
        self.application_id = self.bot.id
        encoded = base64.b64encode(str(self.bot.id).encode()).decode().rstrip("=")
        # Shaped like a real bot token (user id, 6-character timestamp part, HMAC).
        self.token = f"{encoded}.Gfake0.{secrets.token_urlsafe(24)}"
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.guilds: dict[int, Guild] = {}
        self.messages: dict[int, Message] = {}
        self.commands = CommandStore(self.ids, self.application_id)
        self.interactions: dict[int, InteractionHandle] = {}
        self.nonce_window = nonce_window
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}

    # -- building the world -------------------------------------------------------------
    def add_user(self, name: str, *, bot: bool = False) -> User:
        """A new user (not yet in any guild)."""
        user = User(self.ids.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, owner: User, *, guild_id: int | None = None) -> Guild:
        """A guild with @everyone, a managed bot role, the owner and the bot as members."""
        guild = Guild(guild_id or self.ids.next(), name, owner.id)
        guild.roles[guild.id] = Role(guild.id, "@everyone", EVERYONE_PERMS)
        self.guilds[guild.id] = guild
        # Mention Everyone: so it is allowed_mentions, not a missing permission, that stops pings.
        bot_perms = EVERYONE_PERMS | Perm.MANAGE_MESSAGES | Perm.MENTION_EVERYONE
        bot_role = self.add_role(guild, self.bot.username, bot_perms, managed=True)
        self.add_member(guild, self.bot, [bot_role.id])
        self.add_member(guild, owner)
        return guild

    def add_role(
        self,
        guild: Guild,
        name: str,
        permissions: int,
        *,
        mentionable: bool = False,
        managed: bool = False,
    ) -> Role:
        """A new role in ``guild``."""
        role = Role(self.ids.next(), name, permissions, len(guild.roles), mentionable, managed)
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, user: User, roles: Iterable[int] = ()) -> Member:
        """Make ``user`` a member of ``guild`` with ``roles``."""
        self.users[user.id] = user
        member = Member(user, list(roles))
        guild.members[user.id] = member
        return member

    def add_channel(
        self, guild: Guild, name: str, *, type: int = 0, overwrites: Iterable[Overwrite] = ()
    ) -> Channel:
        """A new channel in ``guild``."""
        channel = Channel(self.ids.next(), guild.id, name, type, position=len(guild.channels))
        channel.overwrites = {o.id: o for o in overwrites}
        guild.channels[channel.id] = channel
        return channel

    def add_thread(
        self, parent: Channel, name: str, *, owner: User | None = None, type: int = PUBLIC_THREAD
    ) -> Channel:
        """A new thread of ``parent`` (active: not archived)."""
        if not 1 <= len(name) <= THREAD_NAME_LIMIT:
            raise ValueError(f"a thread name has 1 to {THREAD_NAME_LIMIT} characters")
        guild = self.guilds[parent.guild_id]
        thread = Channel(self.ids.next(), guild.id, name, type, parent_id=parent.id)
        thread.owner_id = (owner or self.bot).id
        guild.channels[thread.id] = thread
        self.notifier.notify()
        return thread

    def build_default(self) -> DefaultGuild:
        """The default guild: #news, #digest, channels the bot cannot use, an admin and a member."""
        owner = self.add_user("owner")
        guild = self.add_guild("Briefing Test Guild", owner)
        bot_role = next(r for r in guild.roles.values() if r.managed)
        admin_role = self.add_role(guild, "Admins", EVERYONE_PERMS | Perm.MANAGE_GUILD)
        admin, member = self.add_user("admin"), self.add_user("member")
        self.add_member(guild, admin, [admin_role.id])
        self.add_member(guild, member)
        news = self.add_channel(guild, "news")
        digest = self.add_channel(guild, "digest")
        deny = Overwrite(bot_role.id, 0, deny=Perm.SEND_MESSAGES)
        locked = self.add_channel(guild, "locked", overwrites=[deny])
        no_embeds = Overwrite(bot_role.id, 0, deny=Perm.EMBED_LINKS)
        plain = self.add_channel(guild, "no-embeds", overwrites=[no_embeds])
        hidden = Overwrite(bot_role.id, 0, deny=Perm.VIEW_CHANNEL)
        secret = self.add_channel(guild, "hidden", overwrites=[hidden])
        return DefaultGuild(
            guild, news, digest, locked, plain, secret, owner, admin, member, admin_role, bot_role
        )

    # -- lookups ------------------------------------------------------------------------
    def guild(self, guild_id: int) -> Guild:
        """The guild or 404 Unknown Guild."""
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise unknown_guild()
        return guild

    def channel(self, channel_id: int) -> tuple[Guild, Channel]:
        """The channel and its guild, or 404 Unknown Channel."""
        for guild in self.guilds.values():
            channel = guild.channels.get(channel_id)
            if channel is not None:
                return guild, channel
        raise unknown_channel()

    def permissions(self, channel_id: int, user_id: int) -> int:
        """A user's permissions in a channel."""
        guild, channel = self.channel(channel_id)
        return channel_permissions(guild, channel, user_id)

    def message(self, message_id: int, channel_id: int | None = None) -> Message:
        """A live message (in ``channel_id`` when given), or 404 Unknown Message."""
        message = self.messages.get(message_id)
        wrong_channel = channel_id is not None and message is not None
        if (
            message is None
            or message.deleted
            or (wrong_channel and message.channel_id != channel_id)
        ):
            raise unknown_message()
        return message

    def channel_messages(
        self, channel_id: int, *, include_ephemeral: bool = False, include_deleted: bool = False
    ) -> list[Message]:
        """A channel's messages, oldest first."""
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id
            and (include_ephemeral or not m.ephemeral)
            and (include_deleted or not m.deleted)
        ]

    # -- changing messages --------------------------------------------------------------
    def create_message(
        self,
        channel_id: int,
        author: User,
        body: Json,
        *,
        placeholder: bool = False,
        **extra: object,
    ) -> Message:
        """Validate and store a new message; ``extra`` sets Message fields (flags, type...)."""
        bodies.validate(body, creating=not placeholder)
        guild, channel = self.channel(channel_id)
        message = Message(self.ids.next(), channel.id, guild.id, author)
        bodies.fill(message, body)
        for key, value in extra.items():
            setattr(message, key, value)
        perms = channel_permissions(guild, channel, author.id)
        bodies.apply_mentions(message, guild, perms)
        self.messages[message.id] = message
        self.notifier.notify()
        return message

    def edit_message(self, message: Message, body: Json) -> Message:
        """Validate and apply a PATCH body."""
        bodies.validate(body, creating=False)
        bodies.edit(message, body)
        guild, channel = self.channel(message.channel_id)
        bodies.apply_mentions(
            message, guild, channel_permissions(guild, channel, message.author.id)
        )
        self.notifier.notify()
        return message

    def delete_message(self, message: Message) -> None:
        """Mark a message deleted (kept for assertions)."""
        message.deleted = True
        self.notifier.notify()

    def nonce_hit(self, author_id: int, nonce: str | int) -> Message | None:
        """The message this author already created with this nonce within the window.

        Discord documents the check per author, not per channel: a nonce reused in another
        channel returns the first message there too, so nonces must be unique per bot.
        """
        entry = self._nonces.get((author_id, str(nonce)))
        if entry is None or time.monotonic() - entry[1] > self.nonce_window:
            return None
        return self.messages.get(entry[0])

    def remember_nonce(self, message: Message) -> None:
        """Record a message's nonce for ``enforce_nonce`` deduplication."""
        if message.nonce is not None:
            key = (message.author.id, str(message.nonce))
            self._nonces[key] = (message.id, time.monotonic())
