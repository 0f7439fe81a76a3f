"""Driving the bot as users would: slash commands, autocomplete, clicks, modals, context menus."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tests.fakediscord import interactions as build
from tests.fakediscord.constants import Perm
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.interactions import InteractionHandle
from tests.fakediscord.models import Channel, Guild, Json, User
from tests.fakediscord.permissions import base_permissions
from tests.fakediscord.posted import Message
from tests.fakediscord.state import Notifier, World

log = logging.getLogger(__name__)

ChannelRef = Channel | int
UserRef = User | int


def may_use(command: Json, guild: Guild, user: User) -> bool:
    """Whether Discord lets ``user`` invoke ``command`` ("0" = administrators only)."""
    raw = command.get("default_member_permissions")
    if raw is None:
        return True
    perms = base_permissions(guild, user.id)
    required = int(raw) or Perm.ADMINISTRATOR
    return perms & Perm.ADMINISTRATOR == Perm.ADMINISTRATOR or perms & required == required


def ref_id(ref: Any) -> int:
    """The id of an object with ``.id`` or of an int."""
    return int(getattr(ref, "id", ref))


class InteractionDriver:
    """Builds INTERACTION_CREATE payloads and sends them; mixed into :class:`FakeDiscord`."""

    world: World
    gateway: Gateway
    notifier: Notifier
    channel: Channel
    admin: User

    def commands(self, guild_id: int | None = None) -> list[Json]:
        """The commands the bot synced to a guild (None = global)."""
        return self.world.commands.list(guild_id)

    async def interact(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        override_permissions: bool = False,
    ) -> InteractionHandle:
        """Invoke a synced slash command, e.g. ``interact("feed add", {"url": u})``.

        Like Discord, a user lacking the command's ``default_member_permissions`` cannot invoke
        it (PermissionError); ``override_permissions`` models a guild that allowed them anyway.
        """
        return await self._command(
            name, options or {}, user=user, channel=channel, override=override_permissions
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        override_permissions: bool = False,
    ) -> InteractionHandle:
        """Type into option ``focused`` of a synced command; ``await handle.choices()``."""
        return await self._command(
            name,
            options,
            user=user,
            channel=channel,
            focused=focused,
            override=override_permissions,
        )

    async def _command(
        self,
        name: str,
        options: Mapping[str, Any],
        *,
        user: UserRef | None,
        channel: ChannelRef | None,
        focused: str | None = None,
        override: bool = False,
    ) -> InteractionHandle:
        """Build and send a command or autocomplete interaction."""
        root, *path = name.split()
        guild, chan, who = self._context(user, channel)
        command = self.world.commands.find(root, guild.id)
        if command is None:
            synced = [c["name"] for c in self.commands(guild.id) + self.commands()]
            raise LookupError(f"/{root} is not synced (synced: {synced})")
        if not override and not may_use(command, guild, who):
            raise PermissionError(
                f"{who.username} lacks default_member_permissions "
                f"{command['default_member_permissions']} of /{root}; Discord would not send it"
            )
        kind = build.COMMAND if focused is None else build.AUTOCOMPLETE
        payload = build.base_payload(self.world, kind, guild, chan, who)
        invoker = build.Invoker(self.world, guild, chan, who)
        payload["data"] = build.command_data(invoker, command, path, options, focused)
        return await self._send(payload)

    async def click(
        self,
        message: Message | int,
        custom_id: str,
        *,
        user: UserRef | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
    ) -> InteractionHandle:
        """Click a button (or pick select ``values``) on a stored message."""
        msg = message if isinstance(message, Message) else self.world.messages[message]
        guild, chan, who = self._context(user, msg.channel_id)
        payload = build.base_payload(self.world, build.COMPONENT, guild, chan, who)
        payload["data"] = build.component_data(custom_id, component_type, values)
        payload["message"] = msg.to_api()
        return await self._send(payload, target=msg)

    async def submit_modal(
        self,
        custom_id: str,
        fields: Mapping[str, str],
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        message: Message | None = None,
    ) -> InteractionHandle:
        """Submit a modal with text-input values ``{custom_id: value}``."""
        guild, chan, who = self._context(user, message.channel_id if message else channel)
        payload = build.base_payload(self.world, build.MODAL_SUBMIT, guild, chan, who)
        payload["data"] = build.modal_data(custom_id, fields)
        if message is not None:
            payload["message"] = message.to_api()
        return await self._send(payload, target=message)

    async def context_menu(
        self, name: str, message: Message | int, *, user: UserRef | None = None
    ) -> InteractionHandle:
        """Invoke a synced message context-menu command on a stored message."""
        msg = message if isinstance(message, Message) else self.world.messages[message]
        guild, chan, who = self._context(user, msg.channel_id)
        command = self.world.commands.find(name, guild.id, kind=3)
        if command is None:
            raise LookupError(f"message command {name!r} is not synced")
        payload = build.base_payload(self.world, build.COMMAND, guild, chan, who)
        payload["data"] = build.message_command_data(command, msg)
        return await self._send(payload)

    def _context(
        self, user: UserRef | None, channel: ChannelRef | None
    ) -> tuple[Guild, Channel, User]:
        """Guild, channel and user of an interaction (defaults: #news, the admin)."""
        guild, chan = self.world.channel(
            ref_id(channel) if channel is not None else self.channel.id
        )
        who = self.world.users[ref_id(user)] if user is not None else self.admin
        return guild, chan, who

    async def _send(self, payload: Json, target: Message | None = None) -> InteractionHandle:
        """Register an interaction and dispatch INTERACTION_CREATE to the guild's shard."""
        guild_id = int(payload["guild_id"])
        if not self.gateway.has_session(guild_id):
            raise RuntimeError("no gateway session receives this guild: is the bot connected?")
        handle = InteractionHandle(payload, self.notifier)
        handle.target_message = target
        self.world.interactions[handle.id] = handle
        await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id)
        return handle
