"""One name, one live process: a live owner keeps its name, a dead or silent one is replaced."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update

from bot.liveness import instance_name
from bot.settings import load_settings
from bot.store import Store
from bot.store.tables import Worker
from bot.store.workers import NameTaken
from tests.store.conftest import Clock, OpenStore
from tests.store.test_claims import STALE, _claim, _queue

NAME = "host|db|shards=all|roles=poller"


@pytest.fixture
async def live_pid() -> AsyncIterator[int]:
    """The pid of another process on this host that runs until the test ends."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(600)"
    )
    yield child.pid
    child.kill()
    await child.wait()


async def _dead_pid() -> int:
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await child.wait()  # reaped: the pid names no process any more
    return child.pid


async def _owned_by(store: Store, *, host: str, pid: int) -> None:
    """Make the registered row look like another process's (the pid and host it would show)."""
    async with store._db.write() as conn:
        await conn.execute(update(Worker).values(host=host, pid=pid))


async def test_a_live_process_on_this_host_keeps_its_name(
    open_store: OpenStore, clock: Clock, live_pid: int
) -> None:
    first = await open_store()
    await first.register_worker(NAME, stale_seconds=STALE)
    await _owned_by(first, host=socket.gethostname(), pid=live_pid)
    await _queue(first, 2)
    taken = await _claim(first, clock)
    clock.advance(1)
    second = await open_store()
    with pytest.raises(NameTaken) as caught:
        await second.register_worker(NAME, stale_seconds=STALE)
    assert str(caught.value) == (
        f"another Briefing process (pid {live_pid} on host {socket.gethostname()}) runs as "
        f"instance '{NAME}' — give each process its own instance_name (BRIEFING_INSTANCE_NAME)"
    )
    assert second.worker_id is None
    assert [(w.name, w.pid) for w in await second.list_workers()] == [(NAME, live_pid)]
    assert await _claim(second, clock) == []  # the live owner's claims stay its own
    assert len(taken) == 2


async def test_a_process_on_another_host_is_trusted_while_it_beats(
    open_store: OpenStore, clock: Clock
) -> None:
    first = await open_store()
    await first.register_worker(NAME, stale_seconds=STALE)
    await _owned_by(first, host="elsewhere.invalid", pid=1)
    second = await open_store()
    clock.advance(STALE - 1)
    with pytest.raises(NameTaken, match=r"pid 1 on host elsewhere\.invalid"):
        await second.register_worker(NAME, stale_seconds=STALE)
    clock.advance(2)  # silent for longer than stale_seconds: dead
    await second.register_worker(NAME, stale_seconds=STALE)
    assert [w.host for w in await second.list_workers()] == [socket.gethostname()]


async def test_a_killed_process_on_this_host_is_replaced_at_once(
    open_store: OpenStore, clock: Clock
) -> None:
    first = await open_store()
    await first.register_worker(NAME, stale_seconds=STALE)
    await _owned_by(first, host=socket.gethostname(), pid=await _dead_pid())
    await _queue(first, 3)
    taken = await _claim(first, clock)
    clock.advance(1)  # its heartbeat is fresh, but its pid is gone
    second = await open_store()
    await second.register_worker(NAME, stale_seconds=STALE)
    assert sorted(await _claim(second, clock)) == sorted(taken)
    assert [w.name for w in await second.list_workers()] == [NAME]


async def test_a_silent_process_on_this_host_is_replaced(
    open_store: OpenStore, clock: Clock, live_pid: int
) -> None:
    first = await open_store()
    await first.register_worker(NAME, stale_seconds=STALE)
    await _owned_by(first, host=socket.gethostname(), pid=live_pid)
    clock.advance(STALE + 1)  # hung, or its pid reused by something else: the heartbeat decides
    second = await open_store()
    await second.register_worker(NAME, stale_seconds=STALE)
    assert [w.pid for w in await second.list_workers()] != [live_pid]


def test_default_names_differ_by_roles_in_a_stable_order() -> None:
    poller = instance_name(load_settings(roles=["poller"]))
    sender = instance_name(load_settings(roles=["sender"]))
    both = instance_name(load_settings(roles=["sender", "poller"]))
    assert poller != sender
    assert poller.endswith("|roles=poller")
    assert sender.endswith("|roles=sender")
    assert both == instance_name(load_settings(roles=["poller", "sender"]))
    assert both.endswith("|roles=poller,sender")
    assert instance_name(load_settings()).endswith("|roles=gateway,poller,sender,scheduler")
    assert instance_name(load_settings(instance_name="mine", roles=["poller"])) == "mine"
