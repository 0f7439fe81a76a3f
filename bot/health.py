"""The optional health server: ``/healthz`` (JSON, 200 or 503) and ``/metrics`` (Prometheus).

It knows nothing of Discord: the composition root passes small probes (is the gateway
connected, does the database answer, is the scheduler running, when did the last poll cycle
end) and the :class:`~bot.metrics.Metrics` to render.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.metrics import Metrics

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 5.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Probes:
    """What ``/healthz`` asks; a probe left out is not reported (console mode has no gateway)."""

    gateway: Callable[[], bool] | None = None
    database: Callable[[], Awaitable[bool]] | None = None
    scheduler: Callable[[], bool] | None = None
    last_poll: Callable[[], datetime | None] | None = None
    # Before refreshing /metrics (e.g. the outbox size from the database).
    refresh: Callable[[], Awaitable[None]] | None = None
    # The last poll cycle may be this old (or, before the first one, the server this old).
    stale_after_seconds: float = 600.0
    clock: Callable[[], datetime] = _utcnow


async def health_report(probes: Probes, started: datetime) -> tuple[bool, dict[str, Any]]:
    """Run the probes: (healthy, the JSON body)."""
    body: dict[str, Any] = {}
    healthy = True
    if probes.gateway is not None:
        body["gateway_connected"] = bool(probes.gateway())
        healthy &= body["gateway_connected"]
    if probes.database is not None:
        body["database_reachable"] = await _database(probes.database)
        healthy &= body["database_reachable"]
    if probes.scheduler is not None:
        body["scheduler_running"] = bool(probes.scheduler())
        healthy &= body["scheduler_running"]
    if probes.last_poll is not None:
        now = probes.clock()
        last = probes.last_poll()
        age = (now - last).total_seconds() if last is not None else None
        body["last_poll_age_seconds"] = round(age, 3) if age is not None else None
        reference = age if age is not None else (now - started).total_seconds()
        fresh = reference <= probes.stale_after_seconds
        body["poll_fresh"] = fresh
        healthy &= fresh
    body["status"] = "ok" if healthy else "unhealthy"
    return healthy, body


async def _database(probe: Callable[[], Awaitable[bool]]) -> bool:
    try:
        return bool(await asyncio.wait_for(probe(), PROBE_TIMEOUT_SECONDS))
    except Exception as exc:  # an unreachable database is an answer, not a crash
        log.warning("health: database probe failed: %s", exc)
        return False


class HealthServer:
    """An aiohttp server for ``/healthz`` and ``/metrics``; port 0 picks a free port."""

    def __init__(
        self, probes: Probes, metrics: Metrics, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._probes = probes
        self._metrics = metrics
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._started = probes.clock()

    @property
    def port(self) -> int:
        """The port listened on (known once started)."""
        if self._runner is None or not self._runner.addresses:
            raise RuntimeError("the health server is not running")
        return int(self._runner.addresses[0][1])

    async def start(self) -> None:
        """Bind and serve."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._started = self._probes.clock()
        log.info("health server on http://%s:%d (/healthz, /metrics)", self._host, self.port)

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> HealthServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _healthz(self, _request: web.Request) -> web.Response:
        healthy, body = await health_report(self._probes, self._started)
        return web.json_response(body, status=200 if healthy else 503)

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        if self._probes.refresh is not None:
            try:
                await asyncio.wait_for(self._probes.refresh(), PROBE_TIMEOUT_SECONDS)
            except Exception as exc:  # stale figures beat no figures
                log.warning("metrics refresh failed: %s", exc)
        body = self._metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
