"""INTERACTION_CREATE payloads as Discord builds them, and handles to await the bot's answer."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakediscord.models import Channel, Guild, Json, User
from tests.fakediscord.permissions import channel_permissions
from tests.fakediscord.posted import Message
from tests.fakediscord.state import Notifier, World

log = logging.getLogger(__name__)

PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
_SUB = (1, 2)


class InteractionHandle:
    """One interaction sent to the bot: what it answered (callback) and sent later (followups)."""

    def __init__(self, payload: Json, notifier: Notifier) -> None:
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.guild_id = int(payload["guild_id"])
        self.channel_id = int(payload["channel_id"])
        self.user_id = int(payload["member"]["user"]["id"])
        self.created_at = time.monotonic()
        self.callbacks: list[Json] = []
        self.original: Message | None = None
        self.followups: list[Message] = []
        self.target_message: Message | None = None
        self._notifier = notifier

    @property
    def acknowledged(self) -> bool:
        """Whether the bot answered the callback."""
        return bool(self.callbacks)

    @property
    def response_type(self) -> int | None:
        """The callback type (4 message, 5 deferred, 6 deferred update, 7 update, 8, 9)."""
        return self.callbacks[0]["type"] if self.callbacks else None

    async def response(self, timeout: float = 5.0) -> Json:  # noqa: ASYNC109
        """The callback body ``{"type", "data"}`` once the bot answered."""
        return await self._notifier.wait_until(
            lambda: self.callbacks[0] if self.callbacks else None, timeout, "interaction callback"
        )

    async def original_message(self, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """The response message once it is final (a deferred one after its edit)."""

        def done() -> Message | None:
            msg = self.original
            return msg if msg is not None and not msg.loading else None

        return await self._notifier.wait_until(done, timeout, "final interaction response")

    async def wait_followups(self, n: int = 1, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109
        """The first ``n`` followup messages."""
        return await self._notifier.wait_until(
            lambda: list(self.followups[:n]) if len(self.followups) >= n else None,
            timeout,
            f"{n} followup(s)",
        )

    async def choices(self, timeout: float = 5.0) -> list[Json]:  # noqa: ASYNC109
        """The autocomplete choices the bot returned."""
        body = await self.response(timeout)
        if body["type"] != 8:
            raise AssertionError(f"expected an autocomplete result (8), got {body['type']}")
        return list((body.get("data") or {}).get("choices") or [])

    def replies(self) -> list[Message]:
        """Every message the bot sent for this interaction (original first)."""
        first = [self.original] if self.original is not None else []
        return first + [m for m in self.followups if m is not self.original]


def base_payload(world: World, kind: int, guild: Guild, channel: Channel, user: User) -> Json:
    """The fields every guild interaction carries."""
    member = guild.members.get(user.id)
    if member is None:
        raise ValueError(f"user {user.username} is not a member of {guild.name}")
    perms = channel_permissions(guild, channel, user.id)
    return {
        "id": str(world.ids.next()),
        "application_id": str(world.application_id),
        "type": kind,
        "token": "fake-interaction." + secrets.token_urlsafe(32),
        "version": 1,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "guild_locale": "en-US",
        "locale": "en-US",
        "channel_id": str(channel.id),
        "channel": channel.to_api(permissions=perms),
        "member": member.to_api(permissions=perms),
        "app_permissions": str(channel_permissions(guild, channel, world.bot.id)),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }


@dataclass(frozen=True)
class Invoker:
    """Who invokes a command, and where: the world, the guild, the channel and the user."""

    world: World
    guild: Guild
    channel: Channel
    user: User


def command_data(
    who: Invoker,
    command: Json,
    path: list[str],
    values: Mapping[str, Any],
    focused: str | None = None,
) -> Json:
    """The ``data`` of a slash command (or autocomplete) interaction, typed by the synced schema."""
    resolved: Json = {}
    schema = command.get("options") or []
    chain: list[Json] = []
    for part in path:
        spec = next((o for o in schema if o["name"] == part and o["type"] in _SUB), None)
        if spec is None:
            raise ValueError(f"/{command['name']} has no subcommand (group) {part!r}")
        chain.append(spec)
        schema = spec.get("options") or []
    if any(o["type"] in _SUB for o in schema):
        raise ValueError(f"/{' '.join([command['name'], *path])} needs a subcommand")
    options = _leaf_options(who, schema, values, resolved, focused)
    for spec in reversed(chain):
        options = [{"name": spec["name"], "type": spec["type"], "options": options}]
    data: Json = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return data


def _leaf_options(
    who: Invoker,
    schema: list[Json],
    values: Mapping[str, Any],
    resolved: Json,
    focused: str | None,
) -> list[Json]:
    """Typed option values; unknown, missing-required or out-of-range values raise ValueError."""
    by_name = {o["name"]: o for o in schema}
    out = []
    for name, value in values.items():
        spec = by_name.get(name)
        if spec is None:
            raise ValueError(f"no option {name!r}; options are {sorted(by_name)}")
        if name == focused:
            out.append({"name": name, "type": spec["type"], "value": str(value), "focused": True})
            continue
        typed = _typed(who, spec, value, resolved)
        out.append({"name": name, "type": spec["type"], "value": typed})
    if focused is None:
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
        if missing:
            raise ValueError(f"required option(s) missing: {missing}")
    return out


def _scalar(spec: Json, value: Any) -> Any:
    """A string, integer or number option, checked against choices and min/max."""
    typed = {3: str, 4: int, 10: float}[spec["type"]](value)
    choices = [c["value"] for c in spec.get("choices") or []]
    if choices and typed not in choices:
        raise ValueError(f"{spec['name']}={typed!r} is not one of the choices {choices}")
    low, high = spec.get("min_value"), spec.get("max_value")
    if (low is not None and typed < low) or (high is not None and typed > high):
        raise ValueError(f"{spec['name']}={typed!r} outside [{low}, {high}]")
    # Discord's client refuses to send a string outside the declared lengths.
    shortest, longest = spec.get("min_length"), spec.get("max_length")
    if isinstance(typed, str) and (
        (shortest is not None and len(typed) < shortest)
        or (longest is not None and len(typed) > longest)
    ):
        shown = f"{len(typed)} characters, outside [{shortest}, {longest}]"
        raise ValueError(f"{spec['name']}: {shown}")
    return typed


def _typed(who: Invoker, spec: Json, value: Any, resolved: Json) -> Any:
    """One option value as Discord sends it, filling ``resolved`` for users, channels, roles."""
    kind, guild = spec["type"], who.guild
    if kind in (3, 4, 10):
        return _scalar(spec, value)
    if kind == 11:
        return _attachment(spec, value, resolved)
    if kind == 5:
        return bool(value)
    ident = int(getattr(value, "id", value))
    if kind == 7:
        channel = guild.channels.get(ident)
        allowed = spec.get("channel_types")
        if channel is None or (allowed and channel.type not in allowed):
            raise ValueError(f"{spec['name']}: channel {ident} is not selectable here")
        perms = channel_permissions(guild, channel, who.user.id)
        resolved.setdefault("channels", {})[str(ident)] = channel.to_api(permissions=perms)
    elif kind in (6, 9) and ident in guild.members:
        member = guild.members[ident]
        resolved.setdefault("users", {})[str(ident)] = member.user.to_api()
        perms = channel_permissions(guild, who.channel, ident)
        member_data = member.to_api(permissions=perms, with_user=False)
        resolved.setdefault("members", {})[str(ident)] = member_data
    elif kind in (8, 9) and ident in guild.roles:
        resolved.setdefault("roles", {})[str(ident)] = guild.roles[ident].to_api()
    else:
        raise ValueError(f"{spec['name']}: cannot resolve {ident} for option type {kind}")
    return str(ident)


# Uploaded files are not kept by the world (only their URL matters): ids unique per interaction.
_ATTACHMENT_BASE_ID = 1_100_000_000_000_000_000


def _attachment(spec: Json, value: Any, resolved: Json) -> str:
    """An uploaded file option: ``value`` is {"url", "filename", "size"?, "content_type"?}."""
    if not isinstance(value, dict) or "url" not in value or "filename" not in value:
        raise ValueError(f"{spec['name']}: an attachment needs a dict with url and filename")
    ident = str(_ATTACHMENT_BASE_ID + len(resolved.get("attachments", {})))
    resolved.setdefault("attachments", {})[ident] = {
        "id": ident,
        "filename": value["filename"],
        "size": value.get("size", 0),
        "url": value["url"],
        "proxy_url": value["url"],
        "content_type": value.get("content_type", "application/octet-stream"),
    }
    return ident


def component_data(custom_id: str, component_type: int, values: list[str] | None) -> Json:
    """The ``data`` of a button click (2) or select choice (3, 5-8)."""
    data: Json = {"custom_id": custom_id, "component_type": component_type}
    if values is not None:
        data["values"] = values
    return data


def modal_data(custom_id: str, fields: Mapping[str, str]) -> Json:
    """The ``data`` of a modal submit: one action row per text input."""
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
        for key, value in fields.items()
    ]
    return {"custom_id": custom_id, "components": rows}


def message_command_data(command: Json, target: Message) -> Json:
    """The ``data`` of a message context-menu command."""
    data: Json = {
        "id": command["id"],
        "name": command["name"],
        "type": 3,
        "target_id": str(target.id),
        "resolved": {"messages": {str(target.id): target.to_api()}},
    }
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    return data
