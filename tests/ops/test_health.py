"""``/healthz`` and ``/metrics`` over real HTTP, and ``python -m bot healthcheck`` against them."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.health import HealthServer, Probes
from bot.metrics import Metrics
from tests.ops.cli import clean_env

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def _reachable() -> bool:
    return True


async def _unreachable() -> bool:
    raise ConnectionRefusedError("database down")


def probes(
    *,
    gateway: bool = True,
    database: Callable[[], Awaitable[bool]] = _reachable,
    scheduler: bool = True,
    last_poll: datetime | None = NOW - timedelta(seconds=30),
) -> Probes:
    return Probes(
        gateway=lambda: gateway,
        database=database,
        scheduler=lambda: scheduler,
        last_poll=lambda: last_poll,
        stale_after_seconds=600,
        clock=lambda: NOW,
    )


async def get(server: HealthServer, path: str) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.text()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[HealthServer]]]:
    servers: list[HealthServer] = []

    async def start(p: Probes, metrics: Metrics | None = None) -> HealthServer:
        server = HealthServer(p, metrics or Metrics(), host="127.0.0.1", port=0)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


async def test_healthy_when_every_probe_is(serve: Any) -> None:
    server = await serve(probes())
    status, _, body = await get(server, "/healthz")
    assert status == 200
    assert '"status": "ok"' in body
    assert '"last_poll_age_seconds": 30.0' in body


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        ({"gateway": False}, '"gateway_connected": false'),
        ({"database": _unreachable}, '"database_reachable": false'),
        ({"scheduler": False}, '"scheduler_running": false'),
        ({"last_poll": NOW - timedelta(hours=2)}, '"poll_fresh": false'),
    ],
)
async def test_unhealthy_with_503_naming_the_failing_probe(
    serve: Any, broken: dict[str, Any], field: str
) -> None:
    server = await serve(probes(**broken))
    status, content_type, body = await get(server, "/healthz")
    assert status == 503
    assert content_type.startswith("application/json")
    assert field in body


async def test_metrics_in_prometheus_format(serve: Any) -> None:
    metrics = Metrics()
    metrics.feed_polled("changed")
    metrics.feed_polled("failed", "timeout")
    metrics.feed_polled("failed", "timeout")
    metrics.stored(4)
    metrics.delivery_done("sent", 3)
    metrics.delivery_done("failed")
    metrics.cycle_done(1.5, NOW)
    metrics.digest_done(0.2)

    async def refresh() -> None:
        metrics.set_pending(7)

    server = await serve(Probes(refresh=refresh, clock=lambda: NOW), metrics)
    status, content_type, body = await get(server, "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }
    assert samples[("briefing_feeds_polled_total", (("outcome", "changed"),))] == 1
    assert samples[("briefing_feeds_polled_total", (("outcome", "not_modified"),))] == 0
    assert samples[("briefing_fetch_errors_total", (("kind", "timeout"),))] == 2
    assert samples[("briefing_articles_stored_total", ())] == 4
    assert samples[("briefing_deliveries_total", (("outcome", "sent"),))] == 3
    assert samples[("briefing_deliveries_total", (("outcome", "failed"),))] == 1
    assert samples[("briefing_deliveries_pending", ())] == 7
    assert samples[("briefing_poll_cycle_seconds_count", ())] == 1
    assert samples[("briefing_digest_seconds_sum", ())] == pytest.approx(0.2)
    assert samples[("briefing_last_poll_cycle_timestamp_seconds", ())] == NOW.timestamp()


async def test_two_metrics_objects_do_not_share_figures() -> None:
    first, second = Metrics(), Metrics()
    first.stored(5)
    assert b"briefing_articles_stored_total 5.0" in first.render()
    assert b"briefing_articles_stored_total 0.0" in second.render()


async def healthcheck(tmp_path: Path, server: HealthServer) -> int:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "briefing.toml").write_text(
        f'health_port = {server.port}\nhealth_host = "127.0.0.1"\n', encoding="utf-8"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "healthcheck", cwd=tmp_path, env=clean_env()
    )
    return await asyncio.wait_for(process.wait(), 60)


@pytest.mark.parametrize(("gateway", "code"), [(True, 0), (False, 1)])
async def test_healthcheck_command_follows_healthz(
    serve: Any, tmp_path: Path, gateway: bool, code: int
) -> None:
    server = await serve(probes(gateway=gateway))
    assert await healthcheck(tmp_path, server) == code


async def test_healthcheck_command_fails_when_nothing_listens(serve: Any, tmp_path: Path) -> None:
    server = await serve(probes())
    port = server.port
    await server.stop()
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "briefing.toml").write_text(f"health_port = {port}\n", "utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "healthcheck", cwd=tmp_path, env=clean_env()
    )
    assert await asyncio.wait_for(process.wait(), 60) == 1
