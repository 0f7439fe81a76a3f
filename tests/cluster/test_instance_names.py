"""Two live processes never share an instance name: the second is refused in one line, and
processes on one host with different roles get different default names."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from bot.store import Store
from tests.fixtures.discord import MakeFake
from tests.fixtures.process import BotProcess
from tests.render.builders import eventually


async def _workers(pg_url: str) -> list[tuple[str, int]]:
    probe = await Store.open(pg_url)
    try:
        return [(w.name, w.pid) for w in await probe.list_workers()]
    finally:
        await probe.close()
        await asyncio.sleep(0.2)  # a probe per check: let the processes have the machine


async def test_a_second_process_with_a_live_ones_name_exits_in_one_line(
    make_fake_discord: MakeFake, pg_url: str, tmp_path: Path
) -> None:
    fake = await make_fake_discord()
    first = await BotProcess(
        fake, pg_url, tmp_path, "first", instance_name="news", roles='["poller"]'
    ).start()
    try:
        assert first.process is not None
        pid = first.process.pid
        await eventually(
            lambda: _registered(pg_url, [("news", pid)]), timeout=60, what="the first worker"
        )
        second = await BotProcess(
            fake, pg_url, tmp_path, "second", instance_name="news", roles='["sender"]'
        ).start()
        assert second.process is not None
        status = await asyncio.wait_for(second.process.wait(), 120)
        assert status == 1
        lines = second.log_lines()
        expected = (
            f"briefing: another Briefing process (pid {pid} on host {socket.gethostname()}) runs "
            "as instance 'news' — give each process its own instance_name (BRIEFING_INSTANCE_NAME)"
        )
        assert expected in lines, lines[-10:]
        assert not any("Traceback" in line for line in lines)
        assert first.running
        assert await _workers(pg_url) == [("news", pid)]  # the live owner kept its row
    finally:
        assert await first.stop() == 0, first.tail()


async def test_a_poller_and_a_sender_on_one_host_run_side_by_side_by_default(
    make_fake_discord: MakeFake, pg_url: str, tmp_path: Path
) -> None:
    fake = await make_fake_discord()
    poller = await BotProcess(fake, pg_url, tmp_path, "poller", roles='["poller"]').start()
    sender = await BotProcess(fake, pg_url, tmp_path, "sender", roles='["sender"]').start()
    try:
        assert poller.process is not None
        assert sender.process is not None
        expected = sorted([(poller.process.pid, "poller"), (sender.process.pid, "sender")])

        async def both() -> bool:
            rows = await _workers(pg_url)
            return sorted((pid, name.rsplit("|roles=", 1)[-1]) for name, pid in rows) == expected

        await eventually(both, timeout=60, what="both workers registered")
        names = [name for name, _ in await _workers(pg_url)]
        assert all(name.startswith(f"{socket.gethostname()}|") for name in names)
        assert poller.running
        assert sender.running
    finally:
        assert await sender.stop() == 0, sender.tail()
        assert await poller.stop() == 0, poller.tail()


async def _registered(pg_url: str, expected: list[tuple[str, int]]) -> bool:
    return await _workers(pg_url) == expected
