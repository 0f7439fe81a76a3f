"""Ctrl-C in a terminal: Briefing stops without a traceback and exits with status 0.

``python -m bot`` runs in console mode on a pseudo-terminal of its own (``pty.fork``: a new
session whose controlling terminal is the pty), so ^C reaches it the way a user's keypress
does: the terminal sends SIGINT to the whole foreground process group, the parse worker
processes included. The feed is parsed first, so the worker processes exist when ^C arrives.

Exit status: Ctrl-C and SIGTERM are requests to stop, honoured cleanly, so the status is 0;
only a second Ctrl-C during shutdown (exit at once) ends with status 1.
"""

from __future__ import annotations

import asyncio
import os
import pty
import select
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.cli.run import environment
from tests.fakediscord import FakeDiscord
from tests.fixtures.http import HttpServer
from tests.poller.builders import serve_seed_feed

DEADLINE_SECONDS = 90.0
READY = "Putin orders Syria pullout"  # the feed's newest item, printed once it is parsed


@dataclass
class Session:
    """A child process on a pty: its pid, the pty's master end and everything it printed."""

    pid: int
    fd: int
    output: str = ""
    exited: bool = False

    def close(self) -> None:
        """Kill the child if it still runs, reap it and close the terminal."""
        if not self.exited:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

    def read_until(self, needle: str, deadline: float) -> bool:
        """Read the terminal until ``needle`` shows or the deadline passes (blocking)."""
        while needle not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready and not self._read():
                return needle in self.output
        return needle in self.output

    def wait(self, deadline: float) -> int | None:
        """Drain the terminal until the child exits; its exit status (None if it did not)."""
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exited = True
                while self._read():
                    pass
                return os.waitstatus_to_exitcode(status)
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                self._read()
        return None

    def _read(self) -> bool:
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.output += chunk.decode(errors="replace")
        return bool(chunk)


def spawn(args: list[str], cwd: Path, env: dict[str, str]) -> Session:
    """Run ``args`` on a new pty, as a shell in a terminal would."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once (the parent has threads)
        try:
            # A suite run as a background job (``pytest &``) has SIGINT ignored, and an ignored
            # signal stays ignored across exec: restore the terminal's default for ^C.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, *args], env)
        finally:
            os._exit(127)
    return Session(pid=pid, fd=fd)


async def interrupted_console(
    http_server: HttpServer, tmp_path: Path, *, sigterm: bool = False, dump_first: bool = False
) -> tuple[int | None, str]:
    """Start console mode on a parsed feed, press ^C (or send SIGTERM to the process alone);
    the exit status and the terminal's text. ``dump_first``: ask for the stacks (SIGUSR1) and
    wait for them first."""
    url = serve_seed_feed(http_server)
    env = environment(
        BRIEFING_DATA_DIR=str(tmp_path / "data"),
        BRIEFING_ALLOW_PRIVATE_URLS="true",
        BRIEFING_LOG_LEVEL="WARNING",
        TERM="xterm",
    )
    session = spawn(["-m", "bot", "run", "--feed", url], tmp_path, env)
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        ready = await asyncio.to_thread(session.read_until, READY, deadline)
        assert ready, f"the feed was not printed in time:\n{session.output}"
        if dump_first:
            os.kill(session.pid, signal.SIGUSR1)
            dumped = await asyncio.to_thread(session.read_until, "_console()", deadline)
            assert dumped, f"no task stacks after SIGUSR1:\n{session.output}"
        if sigterm:  # as a service manager stops it: the main process only
            os.kill(session.pid, signal.SIGTERM)
        else:
            os.write(session.fd, b"\x03")  # the user's Ctrl-C
        status = await asyncio.to_thread(session.wait, time.monotonic() + DEADLINE_SECONDS)
    finally:
        session.close()
    return status, session.output


async def test_ctrl_c_in_console_mode_stops_cleanly_without_any_traceback(
    http_server: HttpServer, tmp_path: Path
) -> None:
    status, output = await interrupted_console(http_server, tmp_path)
    after = output.split(READY, 1)[1]
    assert status == 0, output
    assert after.rstrip().endswith("stopped"), output
    # Neither the main process nor the parse worker processes (which got the SIGINT too).
    assert "Traceback" not in output, output
    assert "KeyboardInterrupt" not in output, output
    assert "Exception ignored" not in output
    assert "Task was destroyed" not in output


async def test_sigterm_in_console_mode_stops_cleanly_without_any_traceback(
    http_server: HttpServer, tmp_path: Path
) -> None:
    status, output = await interrupted_console(http_server, tmp_path, sigterm=True)
    assert status == 0, output
    assert output.rstrip().endswith("stopped"), output
    assert "Traceback" not in output


async def test_ctrl_c_in_discord_mode_closes_the_bot_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    env = environment(
        BRIEFING_DISCORD_TOKEN=fake_discord.token,
        BRIEFING_DISCORD_API_BASE=fake_discord.api_base,
        BRIEFING_DISCORD_GATEWAY_URL=fake_discord.gateway_url,
        BRIEFING_DEV_GUILD_ID=str(fake_discord.guild.id),
        BRIEFING_DATA_DIR=str(tmp_path / "data"),
        BRIEFING_SHUTDOWN_GRACE_SECONDS="1",
        TERM="xterm",
    )
    session = spawn(["-m", "bot", "run"], tmp_path, env)
    try:
        ready = await asyncio.to_thread(
            session.read_until, "synced", time.monotonic() + DEADLINE_SECONDS
        )
        assert ready, f"the bot did not sync its commands in time:\n{session.output}"
        os.write(session.fd, b"\x03")
        status = await asyncio.to_thread(session.wait, time.monotonic() + DEADLINE_SECONDS)
    finally:
        session.close()
    assert status == 0, session.output
    assert "SIGINT: shutting down" in session.output
    assert "Traceback" not in session.output
    assert "stopped" in session.output


async def test_sigusr1_logs_every_task_and_thread_stack_and_the_bot_carries_on(
    http_server: HttpServer, tmp_path: Path
) -> None:
    """What an operator asks a bot that seems stuck: ``kill -USR1 <pid>``."""
    status, output = await interrupted_console(http_server, tmp_path, sigterm=True, dump_first=True)
    assert "SIGUSR1: " in output  # the tasks, logged
    assert "most recent call first" in output  # every thread, from faulthandler
    assert status == 0, output
    assert output.rstrip().endswith("stopped"), output
