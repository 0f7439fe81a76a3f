"""FakeDiscord: the object tests hold, tying the world, the gateway and the HTTP server together."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from tests.fakediscord.commands import CommandSync
from tests.fakediscord.constants import FORUM, REQUIRE_TAG
from tests.fakediscord.driving import ChannelRef, InteractionDriver, ref_id
from tests.fakediscord.gateway import INVALID_SESSION, RECONNECT, Gateway
from tests.fakediscord.loopwatch import LoopWatch
from tests.fakediscord.models import Channel, Guild, Json, Overwrite, User
from tests.fakediscord.posted import Message, Webhook
from tests.fakediscord.ratelimit import MESSAGES_ROUTE, Limits, RateLimiter, RateLimitHit, Storm
from tests.fakediscord.rest import Rest
from tests.fakediscord.rest_interactions import InteractionRoutes
from tests.fakediscord.server import (
    GATEWAY_PATH,
    PREFIX,
    RESUME_PATH,
    ApiServer,
    Fault,
    RequestRecord,
)
from tests.fakediscord.state import Notifier, World

log = logging.getLogger(__name__)

T = TypeVar("T")


class FakeDiscord(InteractionDriver):
    """A Discord-compatible server for tests; see the package docstring for the API."""

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        heartbeat_interval: float = 41.25,
        shards: int = 1,
        interaction_ack_timeout: float | None = 3.0,
        nonce_window: float = 300.0,
        privileged_intents: int = 0,
    ) -> None:
        self.notifier = Notifier()
        self.world = World(self.notifier, nonce_window=nonce_window)
        default = self.world.build_default()
        self.guild: Guild = default.guild
        self.channel, self.channel2 = default.channel, default.channel2
        self.locked_channel, self.hidden_channel = default.locked_channel, default.hidden_channel
        self.no_embeds_channel = default.no_embeds_channel
        self.owner, self.admin, self.member = default.owner, default.admin, default.member
        self.admin_role, self.bot_role = default.admin_role, default.bot_role
        self.loop_watch = LoopWatch()
        self.limiter = RateLimiter(limits or Limits(), stalled=self.loop_watch.longest_within)
        self.gateway = Gateway(
            self.world,
            heartbeat_interval=heartbeat_interval,
            allowed_intents=privileged_intents,
            resume_url=lambda: self._ws_url(RESUME_PATH),
        )
        rest = Rest(self.world, self.gateway, gateway_url=lambda: self.gateway_url, shards=shards)
        routes = InteractionRoutes(rest, ack_timeout=interaction_ack_timeout)
        self._webhooks = routes.webhooks
        self.server = ApiServer(self.world, self.gateway, self.limiter, rest, routes)

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        """Start listening on 127.0.0.1 (ephemeral port)."""
        self.loop_watch.start()
        await self.server.start()
        return self

    async def stop(self) -> None:
        """Close gateway connections and stop the server."""
        await self.server.stop()
        await self.loop_watch.stop()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- addresses and identity ---------------------------------------------------------
    @property
    def api_base(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self.server.port}{PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The gateway URL (``GET /gateway/bot`` returns it)."""
        return self._ws_url(GATEWAY_PATH)

    def _ws_url(self, path: str) -> str:
        """A ws:// URL on this server."""
        return f"ws://127.0.0.1:{self.server.port}{path}"

    @property
    def token(self) -> str:
        """The bot token the server accepts."""
        return self.world.token

    @property
    def application_id(self) -> int:
        """The application (and bot user) id."""
        return self.world.application_id

    @property
    def bot_user(self) -> User:
        """The bot's user."""
        return self.world.bot

    # -- what the bot did ---------------------------------------------------------------
    def messages(
        self, channel: ChannelRef, *, include_ephemeral: bool = False, include_deleted: bool = False
    ) -> list[Message]:
        """A channel's messages, oldest first."""
        return self.world.channel_messages(
            ref_id(channel), include_ephemeral=include_ephemeral, include_deleted=include_deleted
        )

    def message(self, message_id: int) -> Message:
        """A stored message by id (deleted ones included)."""
        return self.world.messages[message_id]

    async def wait_for_messages(
        self,
        channel: ChannelRef,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Message]:
        """The channel's messages once there are at least ``n``."""
        return await self.wait_until(
            lambda: found if len(found := self.messages(channel)) >= n else None,
            timeout,
            f"{n} message(s) in channel {ref_id(channel)}",
        )

    @property
    def command_syncs(self) -> list[CommandSync]:
        """Every bulk overwrite, in order."""
        return self.world.commands.syncs

    @property
    def requests(self) -> list[RequestRecord]:
        """Every API request the server answered."""
        return self.server.requests

    def requests_to(self, route: str) -> list[RequestRecord]:
        """Requests to one route key, e.g. ``POST /channels/{channel_id}/messages``."""
        return [r for r in self.server.requests if r.route == route]

    @property
    def unknown_routes(self) -> list[str]:
        """Requests to routes the server does not implement (answered 404/405)."""
        return self.server.unknown_routes

    @property
    def rate_limit_hits(self) -> list[RateLimitHit]:
        """Every 429 sent (injected ones included)."""
        return self.limiter.hits

    @property
    def earned_429s(self) -> list[RateLimitHit]:
        """The 429s the bot's pacing caused (see :attr:`RateLimitHit.earned`)."""
        return [hit for hit in self.limiter.hits if hit.earned]

    def inject_429(
        self,
        count: int,
        route: str | None = MESSAGES_ROUTE,
        *,
        retry_after: float = 0.05,
        is_global: bool = False,
        via: bool = True,
    ) -> None:
        """Refuse the next ``count`` requests to ``route`` (None = any) with 429."""
        self.limiter.inject(Storm(count, route, retry_after, is_global, via))

    def inject_error(
        self,
        status: int,
        code: int,
        message: str,
        *,
        channel: ChannelRef | None = None,
        route: str = MESSAGES_ROUTE,
        count: int = 1,
        bare: bool = False,
        after: bool = False,
    ) -> None:
        """Answer the next ``count`` requests to ``route`` (in ``channel``) with this error.

        ``bare``: an HTML page instead of Discord's JSON body (no error code), as a proxy or a
        CDN edge in front of the API answers. ``after``: carry the request out first (a post
        is made), then answer with the error, as Discord sometimes does with a 500.
        """
        part = f"/channels/{ref_id(channel)}/" if channel is not None else "/"
        fault = Fault(route, part, status, code, message, count, bare, after)
        self.server.faults.append(fault)

    def advance_rate_limits(self, seconds: float) -> None:
        """Let ``seconds`` pass for the rate limits (an hour of publishes) without waiting."""
        self.limiter.advance(seconds)

    def lose_answers(self, route: str, count: int = 1) -> None:
        """Handle the next ``count`` requests to ``route``, then drop the connection unanswered."""
        self.server.lost[route] = self.server.lost.get(route, 0) + count

    def hold_answers(self, route: str, count: int = 1) -> None:
        """Handle the next ``count`` requests to ``route`` and never answer them."""
        self.server.held[route] = self.server.held.get(route, 0) + count

    def stall_requests(self, route: str, count: int = 1) -> None:
        """Hold the next ``count`` requests to ``route`` unhandled and unanswered (the client is
        killed before Discord acted on them); ``holding`` counts the requests held now."""
        self.server.stalled[route] = self.server.stalled.get(route, 0) + count

    @property
    def holding(self) -> int:
        """Requests held now by ``hold_answers`` or ``stall_requests``."""
        return self.server.holding

    async def wait_until(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "",
    ) -> T:
        """Wait for ``predicate()`` to be truthy (re-checked on every change); return it."""
        return await self.notifier.wait_until(predicate, timeout, what or "condition")

    # -- gateway ------------------------------------------------------------------------
    async def dispatch(self, event: str, data: Json, guild_id: int | None = None) -> int:
        """Send a gateway event to the sessions that receive ``guild_id`` (None = all)."""
        return await self.gateway.dispatch(event, data, guild_id)

    @property
    def identify_count(self) -> int:
        """How many IDENTIFYs the server accepted."""
        return len(self.gateway.identifies)

    @property
    def resume_count(self) -> int:
        """How many RESUMEs the server accepted."""
        return self.gateway.resumes

    async def wait_until_connected(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every guild is covered by an identified, connected session."""

        def connected() -> bool:
            live = [s for s in self.gateway.sessions.values() if s.conn is not None]
            return all(any(s.covers(g) for s in live) for g in self.world.guilds)

        await self.wait_until(connected, timeout, "gateway session")

    async def drop_gateway(self, code: int = 4000) -> int:
        """Close gateway connections with a resumable code; the bot should RESUME."""
        return await self.gateway.drop(code)

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT to every connection."""
        await self.gateway.send_op(RECONNECT)

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION to every connection."""
        await self.gateway.send_op(INVALID_SESSION, resumable)

    # -- changing the world -------------------------------------------------------------
    async def add_guild(self, name: str, *, guild_id: int | None = None) -> Guild:
        """The bot joins a new guild (owned by the default owner); GUILD_CREATE goes to its shard.

        A join's GUILD_CREATE has no ``unavailable`` key: Discord sends ``unavailable: false``
        only for a guild that READY announced, or that comes back after an outage.
        """
        guild = self.world.add_guild(name, self.owner, guild_id=guild_id)
        await self.join_guild(guild)
        return guild

    async def join_guild(self, guild: Guild) -> None:
        """The bot joins (or rejoins) a guild built with ``world.add_guild``: GUILD_CREATE."""
        self.world.guilds[guild.id] = guild
        for session in list(self.gateway.sessions.values()):
            if session.covers(guild.id):
                data = self.gateway.guild_create(session, guild)
                data.pop("unavailable", None)
                await self.gateway.send_to(session, "GUILD_CREATE", data)
        self.world.notifier.notify()

    async def remove_guild(self, guild: Guild) -> None:
        """The bot is removed from ``guild`` (kicked, or the guild deleted): GUILD_DELETE.

        Without ``unavailable`` in the event, clients know it was a removal, not an outage.
        """
        del self.world.guilds[guild.id]
        await self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild.id)
        self.world.notifier.notify()

    async def add_channel(
        self,
        name: str,
        *,
        guild: Guild | None = None,
        overwrites: Iterable[Overwrite] = (),
        type: int = 0,
    ) -> Channel:
        """A new channel (text unless ``type`` says, e.g. 5 announcement); CHANNEL_CREATE."""
        chan = self.world.add_channel(guild or self.guild, name, type=type, overwrites=overwrites)
        await self.gateway.dispatch("CHANNEL_CREATE", chan.to_api(), chan.guild_id)
        return chan

    async def add_thread(
        self, parent: ChannelRef, name: str, *, owner: User | None = None, type: int = 11
    ) -> Channel:
        """A new thread of ``parent`` (public unless ``type`` says); THREAD_CREATE."""
        _, chan = self.world.channel(ref_id(parent))
        thread = self.world.add_thread(chan, name, owner=owner, type=type)
        data = thread.to_api() | {"newly_created": True}
        await self.gateway.dispatch("THREAD_CREATE", data, thread.guild_id)
        return thread

    async def add_forum(
        self,
        name: str,
        *,
        tags: Iterable[str] = (),
        require_tag: bool = False,
        overwrites: Iterable[Overwrite] = (),
    ) -> Channel:
        """A new forum channel with these tags (``require_tag``: every post needs one)."""
        forum = self.world.add_channel(self.guild, name, type=FORUM, overwrites=overwrites)
        forum.available_tags = [
            {"id": str(self.world.ids.next()), "name": tag, "moderated": False}
            | {"emoji_id": None, "emoji_name": None}
            for tag in tags
        ]
        forum.flags = REQUIRE_TAG if require_tag else 0
        await self.gateway.dispatch("CHANNEL_CREATE", forum.to_api(), forum.guild_id)
        return forum

    def posts(self, forum: ChannelRef) -> list[tuple[Channel, Message]]:
        """A forum's posts (threads and their starter messages), oldest first."""
        threads = [
            c
            for c in self.world.guilds[self.guild.id].channels.values()
            if c.is_thread and c.parent_id == ref_id(forum)
        ]
        return [(t, self.world.messages[t.id]) for t in threads if t.id in self.world.messages]

    def webhooks(self, channel: ChannelRef) -> list[Webhook]:
        """A channel's live webhooks (see ``tests.fakediscord.webhooks``), oldest first."""
        return self._webhooks.of_channel(ref_id(channel))

    def add_webhook(self, channel: ChannelRef, name: str, *, by_bot: bool = True) -> Webhook:
        """A webhook already in a channel: made by the bot earlier, or by a moderator."""
        return self._webhooks.make(self.world.channel(ref_id(channel))[1], name, by_bot=by_bot)

    def delete_webhook(self, hook: Webhook) -> None:
        """Delete a webhook, as a moderator does in the channel's settings."""
        self._webhooks.remove(hook)

    async def archive_thread(self, thread: ChannelRef, *, locked: bool = False) -> None:
        """Archive (and lock, if asked) a thread, as Discord does after inactivity."""
        _, chan = self.world.channel(ref_id(thread))
        chan.locked = locked
        await self.server.rest.set_archived(chan, archived=True)

    async def set_permissions(
        self,
        channel: ChannelRef,
        target: int,
        *,
        allow: int = 0,
        deny: int = 0,
        member: bool = False,
    ) -> None:
        """Set a role (or member) overwrite on a channel; CHANNEL_UPDATE is dispatched."""
        _, chan = self.world.channel(ref_id(channel))
        chan.overwrites[target] = Overwrite(target, int(member), allow, deny)
        await self.gateway.dispatch("CHANNEL_UPDATE", chan.to_api(), chan.guild_id)

    async def delete_channel(self, channel: ChannelRef) -> None:
        """Delete a channel; later requests to it get 404 Unknown Channel."""
        guild, chan = self.world.channel(ref_id(channel))
        del guild.channels[chan.id]
        await self.gateway.dispatch("CHANNEL_DELETE", chan.to_api(), guild.id)
