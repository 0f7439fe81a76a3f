"""REST routes of applications: command sync, interaction callbacks and followup webhooks."""

from __future__ import annotations

import logging
import time

from aiohttp import web

from tests.fakediscord.constants import MessageFlag
from tests.fakediscord.errors import (
    DiscordError,
    json_response,
    no_content,
    unknown_interaction,
    unknown_message,
    unknown_webhook,
)
from tests.fakediscord.interactions import (
    AUTOCOMPLETE,
    COMMAND,
    COMPONENT,
    MODAL_SUBMIT,
    InteractionHandle,
)
from tests.fakediscord.models import Json
from tests.fakediscord.posted import Message
from tests.fakediscord.rest import FILES, Rest, read_body, snowflake
from tests.fakediscord.webhooks import WebhookRoutes

log = logging.getLogger(__name__)

TOKEN_LIFETIME = 15 * 60
_ALLOWED = {COMMAND: {4, 5, 9}, COMPONENT: {4, 5, 6, 7, 9}, AUTOCOMPLETE: {8}}
_ALLOWED[MODAL_SUBMIT] = {4, 5, 6, 7}
_FLAGS = MessageFlag.EPHEMERAL | MessageFlag.SUPPRESS_EMBEDS


def _form_error(field: str, message: str) -> DiscordError:
    """400 Invalid Form Body for one field."""
    errors = {field: {"_errors": [{"code": "BASE_TYPE_INVALID", "message": message}]}}
    return DiscordError(400, 50035, "Invalid Form Body", errors=errors)


class InteractionRoutes:
    """Handlers for /applications, /interactions and /webhooks, on top of :class:`Rest`."""

    def __init__(self, rest: Rest, *, ack_timeout: float | None) -> None:
        self.rest = rest
        self.world = rest.world
        self.ack_timeout = ack_timeout
        self.webhooks = WebhookRoutes(rest)  # channel webhooks share the followup routes

    def add_routes(self, router: web.UrlDispatcher, prefix: str) -> None:
        """Register the handlers under ``prefix``."""
        app = prefix + "/applications/{application_id}"
        hook = prefix + "/webhooks/{webhook_id}/{webhook_token}"
        router.add_route("GET", app + "/commands", self.get_commands)
        router.add_route("PUT", app + "/commands", self.put_commands)
        router.add_route("GET", app + "/guilds/{guild_id}/commands", self.get_commands)
        router.add_route("PUT", app + "/guilds/{guild_id}/commands", self.put_commands)
        callback = prefix + "/interactions/{webhook_id}/{webhook_token}/callback"
        router.add_route("POST", callback, self.callback)
        router.add_route("POST", hook, self.followup)
        self.webhooks.add_routes(router, prefix)
        for method, handler in (
            ("GET", self.get_reply),
            ("PATCH", self.edit_reply),
            ("DELETE", self.delete_reply),
        ):
            router.add_route(method, hook + "/messages/{message_id}", handler)

    # -- application commands -----------------------------------------------------------
    def _scope(self, request: web.Request) -> int | None:
        """The guild of a command route (None = global), checking the application id."""
        if snowflake(request, "application_id") != self.world.application_id:
            raise DiscordError(403, 50001, "Missing Access")
        if "guild_id" not in request.match_info:
            return None
        return self.world.guild(snowflake(request, "guild_id")).id

    async def get_commands(self, request: web.Request) -> web.Response:
        """GET the commands of a scope."""
        return json_response(self.world.commands.list(self._scope(request)))

    async def put_commands(self, request: web.Request) -> web.Response:
        """PUT (bulk overwrite) the commands of a scope."""
        scope = self._scope(request)
        stored = self.world.commands.overwrite(scope, await read_body(request))
        self.world.notifier.notify()
        return json_response(stored)

    # -- interaction callback -----------------------------------------------------------
    async def callback(self, request: web.Request) -> web.Response:
        """POST /interactions/{id}/{token}/callback: the bot's first answer."""
        handle = self.world.interactions.get(snowflake(request, "webhook_id"))
        if handle is None or handle.token != request.match_info["webhook_token"]:
            raise unknown_interaction()
        late = self.ack_timeout is not None
        if late and time.monotonic() - handle.created_at > self.ack_timeout:  # type: ignore[operator]
            log.warning("interaction %s answered after %.1fs: refused", handle.id, self.ack_timeout)
            raise unknown_interaction()
        if handle.acknowledged:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body = await read_body(request)
        kind = body.get("type")
        if kind not in _ALLOWED[handle.type]:
            raise _form_error("type", f"Callback type {kind} is invalid for this interaction.")
        data = body.get("data") or {}
        if FILES in body:  # uploads travel beside payload_json; keep them with the message
            data[FILES] = body[FILES]
        message = await self._apply(handle, kind, data)
        handle.callbacks.append(body)
        self.world.notifier.notify()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        return json_response(self._callback_body(handle, kind, message))

    async def _apply(self, handle: InteractionHandle, kind: int, data: Json) -> Message | None:
        """Carry out a callback; returns the message it created or changed."""
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) & _FLAGS
            if kind == 5:
                flags |= MessageFlag.LOADING
            message = self._reply(handle, data if kind == 4 else {}, flags, kind == 5)
            handle.original = message
            await self.rest.dispatch_message("MESSAGE_CREATE", message)
            return message
        if kind in (6, 7):
            target = handle.target_message
            if target is None:
                raise _form_error("type", "Deferred/update callbacks need a message interaction.")
            if kind == 7:
                self.world.edit_message(target, data)
                await self.rest.dispatch_message("MESSAGE_UPDATE", target)
            handle.original = target
            return target if kind == 7 else None
        if kind == 8:
            choices = data.get("choices") or []
            bad = [c for c in choices if not 1 <= len(str(c.get("name", ""))) <= 100]
            if len(choices) > 25 or bad:
                raise _form_error("data.choices", "At most 25 choices, names of 1-100 characters.")
        if kind == 9 and not (
            data.get("custom_id") and data.get("title") and data.get("components")
        ):
            raise _form_error("data", "A modal needs custom_id, title and components.")
        return None

    def _reply(self, handle: InteractionHandle, data: Json, flags: int, loading: bool) -> Message:
        """A message sent as (or for) the interaction's response."""
        user = self.world.users[handle.user_id]
        metadata: Json = {
            "id": str(handle.id),
            "type": handle.type,
            "user": user.to_api(),
            "authorizing_integration_owners": {"0": str(handle.guild_id)},
        }
        command = handle.payload.get("data") or {}
        kind = {1: 20, 3: 23}.get(command.get("type", 0), 0) if handle.type == COMMAND else 0
        app = self.world.application_id
        body = data | {"flags": flags}
        return self.world.create_message(
            handle.channel_id,
            self.world.bot,
            body,
            placeholder=loading,
            flags=flags,
            type=kind,
            webhook_id=app,
            application_id=app,
            interaction_metadata=metadata,
        )

    def _callback_body(self, handle: InteractionHandle, kind: int, message: Message | None) -> Json:
        """The ``with_response`` body: ``interaction`` plus ``resource``."""
        interaction: Json = {"id": str(handle.id), "type": handle.type}
        resource: Json = {"type": kind}
        if message is not None:
            interaction |= {
                "response_message_id": str(message.id),
                "response_message_loading": message.loading,
                "response_message_ephemeral": message.ephemeral,
            }
            resource["message"] = message.to_api()
        return {"interaction": interaction, "resource": resource}

    # -- followups (interaction webhooks) -----------------------------------------------
    def _handle(self, request: web.Request) -> InteractionHandle:
        """The interaction a webhook route's token belongs to (404 Unknown Webhook otherwise)."""
        if snowflake(request, "webhook_id") != self.world.application_id:
            raise unknown_webhook()
        token = request.match_info["webhook_token"]
        handle = next((h for h in self.world.interactions.values() if h.token == token), None)
        if handle is None or time.monotonic() - handle.created_at > TOKEN_LIFETIME:
            raise unknown_webhook()
        return handle

    async def followup(self, request: web.Request) -> web.Response:
        """POST /webhooks/{app}/{token}: a followup (the first one fills a deferred placeholder).

        Any other webhook id is a channel webhook's: executed by :class:`WebhookRoutes`.
        """
        if not self._interaction_hook(request):
            return await self.webhooks.execute(request)
        handle = self._handle(request)
        if not handle.acknowledged:
            raise unknown_webhook()
        body = await read_body(request)
        original = handle.original
        if original is not None and original.loading:
            message = self.world.edit_message(original, body)
            await self.rest.dispatch_message("MESSAGE_UPDATE", message)
        else:
            flags = int(body.get("flags") or 0) & _FLAGS
            message = self._reply(handle, body, flags, False)
            await self.rest.dispatch_message("MESSAGE_CREATE", message)
        handle.followups.append(message)
        self.world.notifier.notify()
        if request.query.get("wait") not in ("1", "true", "True"):
            return no_content()
        return json_response(message.to_api())

    def _target(self, request: web.Request) -> tuple[InteractionHandle, Message]:
        """The handle and the message a ``/messages/{id|@original}`` route names."""
        handle = self._handle(request)
        ident = request.match_info["message_id"]
        if ident == "@original":
            found = handle.original
        else:
            found = next((m for m in handle.replies() if str(m.id) == ident), None)
        if found is None or found.deleted:
            raise unknown_message()
        return handle, found

    def _interaction_hook(self, request: web.Request) -> bool:
        """Whether a webhook route is an interaction's (the application's id), not a channel's."""
        return snowflake(request, "webhook_id") == self.world.application_id

    async def get_reply(self, request: web.Request) -> web.Response:
        """GET a response or followup message."""
        if not self._interaction_hook(request):
            return json_response(self.webhooks.message(request)[1].to_api())
        return json_response(self._target(request)[1].to_api())

    async def edit_reply(self, request: web.Request) -> web.Response:
        """PATCH a response or followup message (a deferred placeholder becomes final)."""
        if not self._interaction_hook(request):
            return await self.webhooks.edit(request)
        _, message = self._target(request)
        self.world.edit_message(message, await read_body(request))
        await self.rest.dispatch_message("MESSAGE_UPDATE", message)
        return json_response(message.to_api())

    async def delete_reply(self, request: web.Request) -> web.Response:
        """DELETE a response or followup message."""
        _, message = self._target(request)
        self.world.delete_message(message)
        await self.rest.dispatch_message("MESSAGE_DELETE", message)
        return no_content()
