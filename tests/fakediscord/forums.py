"""Forum channels: posts (a thread and its starter message), tags, active and archived threads.

As Discord documents them: ``POST /channels/{forum}/threads`` with ``name`` (1-100 characters),
``message`` and ``applied_tags`` (at most 5, each one of the forum's ``available_tags``; a forum
flagged REQUIRE_TAG refuses a post without one, 400 40067) needs Send Messages ("Create Posts")
in the forum; the starter message's id is the thread's. ``GET /guilds/{id}/threads/active`` and
``GET /channels/{forum}/threads/archived/public`` (Read Message History) list threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from tests.fakediscord.constants import FORUM, PUBLIC_THREAD, REQUIRE_TAG, THREAD_NAME_LIMIT, Perm
from tests.fakediscord.errors import DiscordError, json_response, missing_permissions
from tests.fakediscord.models import Channel, Json
from tests.fakediscord.rest import Rest, read_body, snowflake

log = logging.getLogger(__name__)

TAGS_PER_POST = 5
Route = tuple[str, str, Callable[[web.Request], Any]]


def invalid_form(field: str, message: str) -> DiscordError:
    """400 Invalid Form Body (50035) naming the field."""
    errors = {field: {"_errors": [{"code": "BASE_TYPE_INVALID", "message": message}]}}
    return DiscordError(400, 50035, "Invalid Form Body", errors=errors)


class ForumRoutes:
    """Forum and thread-listing handlers over the REST handlers' world."""

    def __init__(self, rest: Rest) -> None:
        self.rest = rest
        self.world = rest.world

    def add_routes(self, router: web.UrlDispatcher, prefix: str) -> None:
        """Register the handlers under ``prefix`` (``/api/v10``)."""
        for method, path, handler in self.routes():
            router.add_route(method, prefix + path, handler)

    def routes(self) -> list[Route]:
        """The (method, path, handler) triples."""
        return [
            ("POST", "/channels/{channel_id}/threads", self.create_post),
            ("GET", "/guilds/{guild_id}/threads/active", self.active_threads),
            ("GET", "/channels/{channel_id}/threads/archived/public", self.archived_threads),
        ]

    async def create_post(self, request: web.Request) -> web.Response:
        """POST /channels/{forum}/threads: a post, its starter message bearing the thread's id."""
        forum_id = snowflake(request, "channel_id")
        perms = self.rest.visible(forum_id)
        guild, forum = self.world.channel(forum_id)
        if forum.type != FORUM:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        if not perms & Perm.SEND_MESSAGES:
            raise missing_permissions()
        body = await read_body(request)
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= THREAD_NAME_LIMIT:
            raise invalid_form("name", f"Must be between 1 and {THREAD_NAME_LIMIT} in length.")
        tags = [int(t) for t in body.get("applied_tags") or []]
        self._check_tags(forum, tags)
        message_body = dict(body.get("message") or {})
        if message_body.get("embeds") and not perms & Perm.EMBED_LINKS:
            raise missing_permissions()
        thread = self.world.add_thread(forum, name, type=PUBLIC_THREAD)
        thread.applied_tags = tags
        starter = self.world.create_message(thread.id, self.world.bot, message_body, id=thread.id)
        starter.request = body
        thread_data = thread.to_api()
        await self.rest.gateway.dispatch(
            "THREAD_CREATE", thread_data | {"newly_created": True}, guild.id
        )
        await self.rest.dispatch_message("MESSAGE_CREATE", starter)
        return json_response(thread_data | {"message": starter.to_api()})

    @staticmethod
    def _check_tags(forum: Channel, tags: list[int]) -> None:
        available = {int(t["id"]) for t in forum.available_tags}
        if len(tags) > TAGS_PER_POST:
            raise invalid_form("applied_tags", f"Must be {TAGS_PER_POST} or fewer in length.")
        if any(tag not in available for tag in tags):
            raise invalid_form("applied_tags", "Unknown tag.")
        if forum.flags & REQUIRE_TAG and not tags:
            raise DiscordError(
                400, 40067, "A tag is required to create a forum post in this channel"
            )

    async def active_threads(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/threads/active: the guild's threads that are not archived."""
        guild = self.world.guild(snowflake(request, "guild_id"))
        threads = [c.to_api() for c in guild.channels.values() if c.is_thread and not c.archived]
        return json_response({"threads": threads, "members": []})

    async def archived_threads(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/threads/archived/public: newest first; ``before``, ``limit``."""
        parent_id = snowflake(request, "channel_id")
        if not self.rest.visible(parent_id) & Perm.READ_MESSAGE_HISTORY:
            raise missing_permissions()
        guild, _parent = self.world.channel(parent_id)
        archived = [
            c
            for c in guild.channels.values()
            if c.is_thread and c.archived and c.parent_id == parent_id
        ]
        archived.sort(key=_archived_at, reverse=True)
        if "before" in request.query:
            before = datetime.fromisoformat(request.query["before"])
            archived = [c for c in archived if _archived_at(c) < before]
        limit = max(1, min(100, int(request.query.get("limit", 50))))
        body: Json = {
            "threads": [c.to_api() for c in archived[:limit]],
            "members": [],
            "has_more": len(archived) > limit,
        }
        return json_response(body)


def _archived_at(thread: Channel) -> datetime:
    return thread.archived_at or thread.created_at
