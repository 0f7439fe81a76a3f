"""The aiohttp application: routes, auth, rate limits and Discord-style errors for every request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from tests.fakediscord.errors import DiscordError, json_response
from tests.fakediscord.forums import ForumRoutes
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.ratelimit import RateLimiter
from tests.fakediscord.rest import Rest
from tests.fakediscord.rest_interactions import InteractionRoutes
from tests.fakediscord.state import World

log = logging.getLogger(__name__)

PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
RESUME_PATH = "/gateway/resume"
_MAJOR = ("channel_id", "guild_id", "webhook_id", "webhook_token")
# Routes authorised by the interaction/webhook token in the path, not by the bot token.
_TOKEN_ROUTES = ("POST /interactions/", "/webhooks/{webhook_id}/{webhook_token}")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class RequestRecord:
    """One API request: method, route key (as discord.py names it), concrete path, status."""

    method: str
    route: str | None
    path: str
    status: int


@dataclass(slots=True)
class Fault:
    """An error to answer the next ``left`` requests to ``route`` whose path holds ``path_part``."""

    route: str
    path_part: str
    status: int
    code: int
    message: str
    left: int
    bare: bool = False  # no JSON body: a proxy's or CDN edge's page, not Discord's answer
    after: bool = False  # the request is carried out first, then answered with the error


class ApiServer:
    """Serves REST under /api/v10 and the gateway on 127.0.0.1 with an ephemeral port."""

    def __init__(
        self,
        world: World,
        gateway: Gateway,
        limiter: RateLimiter,
        rest: Rest,
        interactions: InteractionRoutes,
    ) -> None:
        self.world = world
        self.gateway = gateway
        self.limiter = limiter
        self.rest = rest
        self._interactions = interactions
        self.requests: list[RequestRecord] = []
        self.faults: list[Fault] = []  # errors to answer instead of handling a request
        self.lost: dict[str, int] = {}  # route -> how many answers to lose after handling
        self.held: dict[str, int] = {}  # route -> how many answers to hold back for ever
        self.stalled: dict[str, int] = {}  # route -> how many requests to hold, unhandled
        self.holding = 0  # requests held right now (handled or not), never to be answered
        self._never = asyncio.Event()
        self.unknown_routes: list[str] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    def build_app(self) -> web.Application:
        """The aiohttp application with every route and the API middleware."""
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get(GATEWAY_PATH, self.gateway.handle)
        app.router.add_get(RESUME_PATH, self.gateway.handle)
        self.rest.add_routes(app.router, PREFIX)
        ForumRoutes(self.rest).add_routes(app.router, PREFIX)
        self._interactions.add_routes(app.router, PREFIX)
        return app

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close gateway connections, then the server."""
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Auth, rate limits, Discord error bodies and a record of every API request."""
        if not request.path.startswith(PREFIX + "/"):
            return await handler(request)
        route = self._route_key(request)
        response = await self._respond(request, handler, route)
        self.requests.append(RequestRecord(request.method, route, request.path, response.status))
        return response

    async def _respond(
        self, request: web.Request, handler: Handler, route: str | None
    ) -> web.StreamResponse:
        """The response to one API request."""
        if route is None:
            status = 405 if request.match_info.http_exception.status == 405 else 404  # type: ignore[union-attr]
            line = f"{request.method} {request.path}"
            log.warning("fakediscord: unknown route %s (answering %d)", line, status)
            self.unknown_routes.append(line)
            reason = "Not Found" if status == 404 else "Method Not Allowed"
            return json_response({"message": f"{status}: {reason}", "code": 0}, status)
        bot_auth = request.headers.get("Authorization") == f"Bot {self.world.token}"
        if not bot_auth and not any(marker in route for marker in _TOKEN_ROUTES):
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        major = "+".join(request.match_info[k] for k in _MAJOR if k in request.match_info)
        decision = self.limiter.check(route, major, bot_auth=bot_auth)
        if decision.refused is not None:
            return json_response(decision.refused, 429, decision.headers)
        if self.stalled.get(route, 0) > 0:
            # Never handled, never answered: the client is killed while its request is on the way.
            self.stalled[route] -= 1
            await self._hold()
        try:
            self._raise_fault(route, request.path, after=False)
            response = await handler(request)
            if response.status < 300:
                self._raise_fault(route, request.path, after=True)
        except DiscordError as exc:
            response = exc.response()
        if self.held.get(route, 0) > 0 and response.status < 300:
            # Done, but the answer never comes: the client is killed while it waits.
            self.held[route] -= 1
            await self._hold()
        if self.lost.get(route, 0) > 0 and response.status < 300:
            # Done, but the answer is lost: the connection drops, as in a crash or an outage.
            self.lost[route] -= 1
            if request.transport is not None:
                request.transport.close()
        response.headers.update(decision.headers)
        return response

    async def _hold(self) -> None:
        """Wait for ever (until the server stops), counted in ``holding``."""
        self.holding += 1
        self.world.notifier.notify()
        try:
            await self._never.wait()
        finally:
            self.holding -= 1

    def _raise_fault(self, route: str, path: str, *, after: bool) -> None:
        """Raise the first injected fault that matches this request (and count it used)."""
        for fault in self.faults:
            if (
                fault.left > 0
                and fault.after == after
                and fault.route == route
                and fault.path_part in path
            ):
                fault.left -= 1
                raise DiscordError(fault.status, fault.code, fault.message, bare=fault.bare)

    @staticmethod
    def _route_key(request: web.Request) -> str | None:
        """``METHOD /path/{template}`` as discord.py's ``Route.key`` spells it, or None."""
        if request.match_info.http_exception is not None:
            return None
        canonical = request.match_info.route.resource.canonical  # type: ignore[union-attr]
        return f"{request.method} {canonical.removeprefix(PREFIX)}"
