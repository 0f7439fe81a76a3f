"""Channel webhooks as Discord documents them: made by the bot, executed with their token.

``POST /channels/{id}/webhooks`` (Manage Webhooks; a text, announcement or forum channel; at
most 15 per channel, 400 30007) makes one owned by the bot's application; ``GET`` lists them;
``DELETE /webhooks/{id}`` removes one (Manage Webhooks). ``POST /webhooks/{id}/{token}``
executes it: no bot permission is checked (the token is the authority), ``username`` (1-80
characters, not containing "discord" or "clyde") and ``avatar_url`` override the webhook's for
that message, ``thread_id`` posts into a thread of the webhook's channel (an archived thread is
unarchived, a locked one refused with 400 50083), ``wait=true`` answers with the message (whose
author is the webhook under that username, with ``webhook_id`` and ``application_id``), else 204.
A nonce is ignored. Unknown or deleted webhooks (or a wrong token) are 404 Unknown Webhook
(10015). Executes are not counted against the bot's global limit; each webhook admits 5 per 2 s.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web

from tests.fakediscord import messages as bodies
from tests.fakediscord.constants import ANNOUNCEMENT, FORUM, TEXT, Perm
from tests.fakediscord.errors import (
    DiscordError,
    json_response,
    missing_permissions,
    no_content,
    thread_archived,
    unknown_channel,
    unknown_webhook,
)
from tests.fakediscord.models import Channel, User
from tests.fakediscord.posted import Message, Webhook
from tests.fakediscord.rest import Rest, read_body, snowflake

log = logging.getLogger(__name__)

NAME_LIMIT = 80
PER_CHANNEL = 15
FORBIDDEN_NAMES = ("discord", "clyde")


def name_error(field: str, name: object) -> DiscordError | None:
    """Discord's 400 for a webhook name or username it refuses, else None."""
    text = name if isinstance(name, str) else ""
    if not 1 <= len(text) <= NAME_LIMIT:
        problem = f"Must be between 1 and {NAME_LIMIT} in length."
    elif any(word in text.lower() for word in FORBIDDEN_NAMES):
        problem = f'{field} cannot contain "discord" or "clyde"'
    else:
        return None
    errors = {field: {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": problem}]}}
    return DiscordError(400, 50035, "Invalid Form Body", errors=errors)


class WebhookRoutes:
    """Making, listing, deleting and executing channel webhooks."""

    def __init__(self, rest: Rest) -> None:
        self.rest = rest
        self.world = rest.world
        self.hooks: dict[int, Webhook] = {}

    def add_routes(self, router: web.UrlDispatcher, prefix: str) -> None:
        """Register the bot-authorised routes (execution shares the followup route)."""
        router.add_route("POST", prefix + "/channels/{channel_id}/webhooks", self.create)
        router.add_route("GET", prefix + "/channels/{channel_id}/webhooks", self.list)
        router.add_route("DELETE", prefix + "/webhooks/{webhook_id}", self.delete)

    def of_channel(self, channel_id: int) -> list[Webhook]:
        """The live webhooks of a channel, oldest first."""
        return [h for h in self.hooks.values() if h.channel_id == channel_id and not h.deleted]

    def _managing(self, channel_id: int) -> Channel:
        perms = self.rest.visible(channel_id)
        if not perms & Perm.MANAGE_WEBHOOKS:
            raise missing_permissions()
        return self.world.channel(channel_id)[1]

    async def create(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/webhooks."""
        channel = self._managing(snowflake(request, "channel_id"))
        if channel.type not in (TEXT, ANNOUNCEMENT, FORUM):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        body = await read_body(request)
        if (error := name_error("name", body.get("name"))) is not None:
            raise error
        if len(self.of_channel(channel.id)) >= PER_CHANNEL:
            raise DiscordError(400, 30007, "Maximum number of webhooks reached (15)")
        return json_response(self.make(channel, str(body["name"])).to_api())

    def make(self, channel: Channel, name: str, *, by_bot: bool = True) -> Webhook:
        """A new webhook of ``channel``: the bot's (its application's) or a moderator's."""
        owner = self.world.bot if by_bot else next(iter(self.world.users.values()))
        app = self.world.application_id if by_bot else None
        hook = Webhook(
            self.world.ids.next(),
            channel.guild_id,
            channel.id,
            name,
            secrets.token_urlsafe(48),
            owner,
            application_id=app,
        )
        self.hooks[hook.id] = hook
        self.world.notifier.notify()
        return hook

    async def list(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/webhooks."""
        channel = self._managing(snowflake(request, "channel_id"))
        return json_response([h.to_api() for h in self.of_channel(channel.id)])

    async def delete(self, request: web.Request) -> web.Response:
        """DELETE /webhooks/{id}."""
        hook = self._hook(request, token=None)
        self._managing(hook.channel_id)
        self.remove(hook)
        return no_content()

    def remove(self, hook: Webhook) -> None:
        """Delete a webhook: its id and token are unknown from now on."""
        hook.deleted = True
        self.world.notifier.notify()

    def _hook(self, request: web.Request, *, token: str | None) -> Webhook:
        hook = self.hooks.get(snowflake(request, "webhook_id"))
        if hook is None or hook.deleted or (token is not None and hook.token != token):
            raise unknown_webhook()
        return hook

    async def execute(self, request: web.Request) -> web.Response:
        """POST /webhooks/{id}/{token}[?wait=true&thread_id=...]."""
        hook = self._hook(request, token=request.match_info["webhook_token"])
        body = await read_body(request)
        if "username" in body and (error := name_error("username", body["username"])):
            raise error
        target = await self._target(hook, request.query.get("thread_id"))
        author = User(hook.id, str(body.get("username") or hook.name), bot=True)
        effective = {k: v for k, v in body.items() if k != "nonce"}
        message = self.world.create_message(
            target.id, author, effective, webhook_id=hook.id, application_id=hook.application_id
        )
        message.request = body
        guild = self.world.guilds[target.guild_id]
        bodies.apply_mentions(message, guild, Perm.MENTION_EVERYONE)  # a webhook may ping all
        await self.rest.dispatch_message("MESSAGE_CREATE", message)
        if request.query.get("wait") not in ("1", "true", "True"):
            return no_content()
        return json_response(message.to_api())

    async def _target(self, hook: Webhook, thread_id: str | None) -> Channel:
        """The webhook's channel, or the thread of it named by ``thread_id``."""
        if thread_id is None:
            return self.world.channel(hook.channel_id)[1]
        try:
            _guild, thread = self.world.channel(int(thread_id))
        except ValueError as exc:
            raise unknown_channel() from exc
        if not thread.is_thread or thread.parent_id != hook.channel_id:
            raise unknown_channel()
        if thread.archived:
            if thread.locked:
                raise thread_archived()
            await self.rest.set_archived(thread, archived=False)
        return thread

    def message(self, request: web.Request) -> tuple[Webhook, Message]:
        """The webhook's message a ``/messages/{id}`` route names (404 if not its own)."""
        hook = self._hook(request, token=request.match_info["webhook_token"])
        found = self.world.messages.get(snowflake(request, "message_id"))
        if found is None or found.deleted or found.webhook_id != hook.id:
            raise DiscordError(404, 10008, "Unknown Message")
        return hook, found

    async def edit(self, request: web.Request) -> web.Response:
        """PATCH /webhooks/{id}/{token}/messages/{id}: its own messages only."""
        _hook, message = self.message(request)
        self.world.edit_message(message, await read_body(request))
        await self.rest.dispatch_message("MESSAGE_UPDATE", message)
        return json_response(message.to_api())
