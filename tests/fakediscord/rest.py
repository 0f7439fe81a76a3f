"""REST routes the bot uses: login, gateway discovery, guilds, channels and channel messages."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakediscord.constants import ANNOUNCEMENT, MessageFlag, Perm
from tests.fakediscord.errors import (
    DiscordError,
    json_response,
    missing_access,
    missing_permissions,
    no_content,
    thread_archived,
    unknown_message,
)
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.models import Channel, Json, now
from tests.fakediscord.posted import Message
from tests.fakediscord.state import World

log = logging.getLogger(__name__)


async def read_body(request: web.Request) -> Json:
    """The JSON body, or the ``payload_json`` part of a multipart upload.

    Uploaded files are kept under the key ``FILES`` as ``{filename: bytes}``, so a test reads
    them in ``message.request[FILES]``.
    """
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        payload: Json = {}
        files: dict[str, bytes] = {}
        async for part in reader:
            name = getattr(part, "name", None)
            if name == "payload_json":
                payload = json.loads(await part.text())  # type: ignore[union-attr]
            elif name and name.startswith("files["):
                files[part.filename or name] = bytes(await part.read())  # type: ignore[union-attr]
        if files:
            payload[FILES] = files
        return payload
    try:
        data = await request.json() if request.can_read_body else {}
    except json.JSONDecodeError as exc:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from exc
    if not isinstance(data, dict | list):
        raise DiscordError(400, 50109, "The request body contains invalid JSON.")
    return data  # type: ignore[return-value]


FILES = "__files__"


def snowflake(request: web.Request, key: str) -> int:
    """A snowflake path parameter (404 with Discord's body when it is not a number)."""
    try:
        return int(request.match_info[key])
    except ValueError as exc:
        raise DiscordError(404, 0, "404: Not Found") from exc


class Rest:
    """Core REST handlers over the world; dispatches the matching gateway events."""

    def __init__(
        self, world: World, gateway: Gateway, *, gateway_url: Callable[[], str], shards: int
    ) -> None:
        self.world = world
        self.gateway = gateway
        self._gateway_url = gateway_url
        self._shards = shards

    def add_routes(self, router: web.UrlDispatcher, prefix: str) -> None:
        """Register the handlers under ``prefix`` (``/api/v10``)."""
        ch, msg = "/channels/{channel_id}", "/channels/{channel_id}/messages/{message_id}"
        routes: list[tuple[str, str, Callable[[web.Request], Any]]] = [
            ("GET", "/gateway", self.gateway_info),
            ("GET", "/gateway/bot", self.gateway_bot),
            ("GET", "/users/@me", self.me),
            ("GET", "/users/@me/guilds", self.my_guilds),
            ("GET", "/users/{user_id}", self.user),
            ("GET", "/oauth2/applications/@me", self.application),
            ("GET", "/applications/@me", self.application),
            ("GET", "/guilds/{guild_id}", self.guild),
            ("GET", "/guilds/{guild_id}/channels", self.guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.guild_roles),
            ("GET", "/guilds/{guild_id}/members/{member_id}", self.member),
            ("GET", ch, self.channel),
            ("PATCH", ch, self.modify_thread),
            ("POST", ch + "/typing", self.typing),
            ("GET", ch + "/messages", self.list_messages),
            ("POST", ch + "/messages", self.create_message),
            ("GET", msg, self.get_message),
            ("PATCH", msg, self.edit_message),
            ("DELETE", msg, self.delete_message),
            ("POST", msg + "/crosspost", self.crosspost_message),
        ]
        for method, path, handler in routes:
            router.add_route(method, prefix + path, handler)

    # -- login and discovery ------------------------------------------------------------
    async def gateway_info(self, request: web.Request) -> web.Response:
        """GET /gateway."""
        return json_response({"url": self._gateway_url()})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        """GET /gateway/bot: the URL, recommended shards and session start limits."""
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        body = {"url": self._gateway_url(), "shards": self._shards, "session_start_limit": limit}
        return json_response(body)

    async def me(self, request: web.Request) -> web.Response:
        """GET /users/@me: the bot user."""
        return json_response(self.world.bot.to_api() | {"verified": True, "flags": 0})

    async def my_guilds(self, request: web.Request) -> web.Response:
        """GET /users/@me/guilds: partial guilds."""
        guilds: list[Json] = [
            {"id": str(g.id), "name": g.name, "icon": None, "owner": False, "features": []}
            for g in self.world.guilds.values()
        ]
        return json_response(guilds)

    async def user(self, request: web.Request) -> web.Response:
        """GET /users/{id}."""
        user = self.world.users.get(snowflake(request, "user_id"))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return json_response(user.to_api())

    async def application(self, request: web.Request) -> web.Response:
        """GET /oauth2/applications/@me: the application, owned by the first guild's owner."""
        owner = next(
            (self.world.users[g.owner_id] for g in self.world.guilds.values()), self.world.bot
        )
        body: Json = {
            "id": str(self.world.application_id),
            "name": self.world.bot.username,
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": owner.to_api(),
            "team": None,
            "flags": self.gateway.app_flags(),
            "bot": self.world.bot.to_api(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
        }
        return json_response(body)

    # -- guilds -------------------------------------------------------------------------
    async def guild(self, request: web.Request) -> web.Response:
        """GET /guilds/{id} (``with_counts`` adds approximate counts)."""
        guild = self.world.guild(snowflake(request, "guild_id"))
        body = guild.to_api()
        if request.query.get("with_counts") in ("true", "1"):
            body |= {"approximate_member_count": len(guild.members)}
            body |= {"approximate_presence_count": 0}
        return json_response(body)

    async def guild_channels(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/channels."""
        guild = self.world.guild(snowflake(request, "guild_id"))
        return json_response([c.to_api() for c in guild.channels.values() if not c.is_thread])

    async def guild_roles(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/roles."""
        guild = self.world.guild(snowflake(request, "guild_id"))
        return json_response([r.to_api() for r in guild.roles.values()])

    async def member(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/members/{user}."""
        guild = self.world.guild(snowflake(request, "guild_id"))
        member = guild.members.get(snowflake(request, "member_id"))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return json_response(member.to_api())

    # -- channels and messages ----------------------------------------------------------
    def visible(self, channel_id: int) -> int:
        """The bot's permissions in a channel it can see (404 unknown, 403 Missing Access)."""
        perms = self.world.permissions(channel_id, self.world.bot.id)
        if not perms & Perm.VIEW_CHANNEL:
            raise missing_access()
        return perms

    async def channel(self, request: web.Request) -> web.Response:
        """GET /channels/{id}."""
        channel_id = snowflake(request, "channel_id")
        self.visible(channel_id)
        return json_response(self.world.channel(channel_id)[1].to_api())

    async def modify_thread(self, request: web.Request) -> web.Response:
        """PATCH /channels/{id} for a thread's ``archived`` and ``locked`` (THREAD_UPDATE).

        As documented: unarchiving an unlocked thread needs Send Messages; a locked thread,
        and locking, need Manage Threads.
        """
        channel_id = snowflake(request, "channel_id")
        perms = self.visible(channel_id)
        _guild, channel = self.world.channel(channel_id)
        if not channel.is_thread:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        body = await read_body(request)
        moderating = channel.locked or body.get("locked") is not None
        if not perms & (Perm.MANAGE_THREADS if moderating else Perm.SEND_MESSAGES):
            raise missing_permissions()
        if "locked" in body:
            channel.locked = bool(body["locked"])
        await self.set_archived(channel, archived=bool(body.get("archived", channel.archived)))
        return json_response(channel.to_api())

    async def set_archived(self, thread: Channel, *, archived: bool) -> None:
        """Archive or unarchive a thread; THREAD_UPDATE is dispatched."""
        thread.archived = archived
        thread.archived_at = now() if archived else None
        self.world.notifier.notify()
        await self.gateway.dispatch("THREAD_UPDATE", thread.to_api(), thread.guild_id)

    async def typing(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/typing."""
        self.visible(snowflake(request, "channel_id"))
        return no_content()

    async def list_messages(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages (newest first; ``limit``, ``before``, ``after``)."""
        channel_id = snowflake(request, "channel_id")
        if not self.visible(channel_id) & Perm.READ_MESSAGE_HISTORY:
            return json_response([])
        found = self.world.channel_messages(channel_id)
        query = request.query
        if "before" in query:
            found = [m for m in found if m.id < int(query["before"])]
        if "after" in query:
            found = [m for m in found if m.id > int(query["after"])]
        limit = max(1, min(100, int(query.get("limit", 50))))
        newest = sorted(found, key=lambda m: m.id, reverse=True)
        if "after" in query:
            newest = newest[-limit:]
        return json_response([m.to_api() for m in newest[:limit]])

    def _channel_message(self, request: web.Request) -> Message:
        """The message of a channel route; ephemeral messages are not reachable this way."""
        channel_id = snowflake(request, "channel_id")
        self.visible(channel_id)
        message = self.world.message(snowflake(request, "message_id"), channel_id)
        if message.ephemeral:
            raise unknown_message()
        return message

    async def get_message(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages/{id}."""
        return json_response(self._channel_message(request).to_api())

    async def create_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages with Discord's permission checks and nonce semantics."""
        channel_id = snowflake(request, "channel_id")
        perms = self.visible(channel_id)
        _guild, channel = self.world.channel(channel_id)
        if not channel.is_text:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        if not perms & (Perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else Perm.SEND_MESSAGES):
            raise missing_permissions()
        if channel.archived:
            # A post unarchives a thread, unless it is locked (then only moderators may).
            if channel.locked and not perms & Perm.MANAGE_THREADS:
                raise thread_archived()
            await self.set_archived(channel, archived=False)
        body = await read_body(request)
        effective = body
        if body.get("embeds") and not perms & Perm.EMBED_LINKS:
            # Discord refuses an embed-only message and silently drops embeds next to content.
            if not (body.get("content") or body.get("components")):
                raise missing_permissions()
            effective = body | {"embeds": []}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            existing = self.world.nonce_hit(self.world.bot.id, nonce)
            if existing is not None:
                log.debug("nonce %s repeated: returning message %s", nonce, existing.id)
                return json_response(existing.to_api())
        message = self.world.create_message(channel_id, self.world.bot, effective)
        message.request = body
        self.world.remember_nonce(message)
        await self.dispatch_message("MESSAGE_CREATE", message)
        return json_response(message.to_api())

    async def edit_message(self, request: web.Request) -> web.Response:
        """PATCH /channels/{id}/messages/{id} (only the bot's own messages)."""
        message = self._channel_message(request)
        if message.author.id != self.world.bot.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        self.world.edit_message(message, await read_body(request))
        await self.dispatch_message("MESSAGE_UPDATE", message)
        return json_response(message.to_api())

    async def delete_message(self, request: web.Request) -> web.Response:
        """DELETE /channels/{id}/messages/{id} (others' messages need Manage Messages)."""
        message = self._channel_message(request)
        perms = self.world.permissions(message.channel_id, self.world.bot.id)
        if message.author.id != self.world.bot.id and not perms & Perm.MANAGE_MESSAGES:
            raise missing_permissions()
        self.world.delete_message(message)
        await self.dispatch_message("MESSAGE_DELETE", message)
        return no_content()

    async def crosspost_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages/{id}/crosspost: publish to the following servers.

        As documented: announcement channels only (400 50024 elsewhere); the author needs Send
        Messages, anyone else Manage Messages; a second publish is refused with 400 40033.
        """
        message = self._channel_message(request)
        _guild, channel = self.world.channel(message.channel_id)
        if channel.type != ANNOUNCEMENT:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        perms = self.world.permissions(message.channel_id, self.world.bot.id)
        own = message.author.id == self.world.bot.id
        if not perms & (Perm.SEND_MESSAGES if own else Perm.MANAGE_MESSAGES):
            raise missing_permissions()
        if message.flags & MessageFlag.CROSSPOSTED:
            raise DiscordError(400, 40033, "This message has already been crossposted.")
        message.flags |= MessageFlag.CROSSPOSTED
        self.world.notifier.notify()
        await self.dispatch_message("MESSAGE_UPDATE", message)
        return json_response(message.to_api())

    async def dispatch_message(self, event: str, message: Message) -> None:
        """Tell the gateway about a message change (ephemeral messages are never dispatched)."""
        if message.ephemeral:
            return
        data = message.to_api()
        if event == "MESSAGE_DELETE":
            data = {k: data[k] for k in ("id", "channel_id", "guild_id") if k in data}
        elif message.guild_id is not None:
            member = self.world.guilds[message.guild_id].members.get(message.author.id)
            if member is not None:
                data["member"] = member.to_api(with_user=False)
        await self.gateway.dispatch(event, data, message.guild_id)
