"""This process as a worker: a stable instance name, a registered row and its heartbeat.

Claims of feeds and posts name the worker that made them and die with it (see
``bot.store.workers``); this module keeps the worker alive while the process runs and hands its
claims back when it stops cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url

from bot.settings import ROLES, Settings
from bot.store import Store

log = logging.getLogger(__name__)


def instance_name(settings: Settings) -> str:
    """The configured instance name, else host, database, shard ids and roles.

    Stable across restarts, so a restart takes over its own claims at once; the roles (in the
    order of ``ROLES``) tell apart processes on one host that differ by configuration.
    """
    if settings.instance_name:
        return settings.instance_name
    if settings.database_url:
        database = make_url(settings.database_url).render_as_string(hide_password=True)
    else:
        database = str(settings.data_dir.resolve())
    shards = ",".join(map(str, settings.shard_ids)) if settings.shard_ids is not None else "all"
    roles = ",".join(role for role in ROLES if role in settings.roles)
    return f"{socket.gethostname()}|{database}|shards={shards}|roles={roles}"


def worker_name(settings: Settings, command: str | None = None) -> str:
    """The name this process registers under.

    The bot is the instance itself: a restart replaces its previous incarnation's row at once.
    A one-off command (``command``, e.g. ``poll-once``) beside it gets a name of its own, with its
    pid, so it never replaces the running bot's row nor takes its claims.
    """
    name = instance_name(settings)
    return name if command is None else f"{name}|{command}|pid={os.getpid()}"


@asynccontextmanager
async def keep_alive(
    store: Store, settings: Settings, *, command: str | None = None
) -> AsyncIterator[int]:
    """Register this process as a worker, beat while inside, hand its claims back after."""
    worker_id = await store.register_worker(
        worker_name(settings, command), stale_seconds=settings.worker_stale_seconds
    )
    task = asyncio.create_task(
        _beat(store, settings.worker_heartbeat_seconds), name="worker-heartbeat"
    )
    try:
        yield worker_id
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        try:
            await store.unregister_worker()
        except Exception as exc:  # the claims die with the heartbeat anyway
            log.warning("could not hand back this worker's claims: %s", exc)


async def _beat(store: Store, interval: float) -> None:
    """Heartbeat every ``interval`` seconds until cancelled; failures are logged and retried."""
    while True:
        await asyncio.sleep(interval)
        try:
            await store.heartbeat()
        except Exception as exc:
            log.warning("heartbeat failed: database unreachable? %s: %s", type(exc).__name__, exc)
