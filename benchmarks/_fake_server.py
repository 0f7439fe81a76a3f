"""The fake Discord for the senders benchmark, in the benchmark's process or in one of its own.

    .venv/bin/python benchmarks/_fake_server.py --channels 100

run alone prints one JSON line (where to connect: API base, gateway URL, token, guild and
channel ids), serves until a line (or end of file) arrives on its standard input, then prints
one JSON line of figures (:class:`Figures`) and exits. :class:`RemoteFake` drives it through
that pipe; :class:`LocalFake` is the same fake in the caller's own event loop, which the
caller's work can then stall (the fake stamps a request when its loop gets to it, so requests
waiting behind a stall are counted together in one of its windows).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakediscord, from the repo root

from tests.fakediscord import FakeDiscord  # noqa: E402
from tests.fakediscord.ratelimit import Limits  # noqa: E402

STALL = 0.05  # seconds: a stall of the fake Discord's loop this long bunches ~2 requests


@dataclass(frozen=True)
class Address:
    """Where a bot process finds the fake (what ``tests.fixtures.process.BotProcess`` reads)."""

    api_base: str
    gateway_url: str
    token: str
    guild_id: int
    channel_ids: list[int]


@dataclass(frozen=True)
class Figures:
    """What the fake saw: post times, 429s (none injected here) and its loop's stalls."""

    stamps: list[float]  # each post's creation time at the server (epoch seconds), sorted
    posted_twice: int  # (channel, title) pairs posted more than once
    hits: int
    global_hits: int
    stalls: list[tuple[float, float]]  # (when, epoch s; how late, s) the loop woke a 10 ms
    # sleeper, each time it was over STALL late


class LocalFake:
    """The fake Discord in this process's event loop, with a watch on that loop's stalls."""

    def __init__(self) -> None:
        self.fake = FakeDiscord(limits=Limits())
        self._stalls: list[tuple[float, float]] = []
        self._watch: asyncio.Task[None] | None = None

    async def start(self, channels: int) -> Address:
        """Listen, make ``channels`` channels (the default world's two among them)."""
        fake = await self.fake.start()
        ids = [fake.channel.id, fake.channel2.id]
        ids += [(await fake.add_channel(f"bench-{k}")).id for k in range(channels - 2)]
        self._watch = asyncio.create_task(watch_loop(self._stalls))
        return Address(fake.api_base, fake.gateway_url, fake.token, fake.guild.id, ids)

    async def finish(self, address: Address) -> Figures:
        """Stop watching and serving; the figures."""
        if self._watch is not None:
            self._watch.cancel()
        messages = [m for c in address.channel_ids for m in self.fake.messages(c)]
        counts = Counter((m.channel_id, m.embeds[0]["title"]) for m in messages)
        hits = [h for h in self.fake.limiter.hits if not h.injected]
        await self.fake.stop()
        return Figures(
            stamps=sorted(m.created_at.timestamp() for m in messages),
            posted_twice=sum(n > 1 for n in counts.values()),
            hits=len(hits),
            global_hits=sum(h.scope == "global" for h in hits),
            stalls=[s for s in self._stalls if s[1] > STALL],
        )


class RemoteFake:
    """The fake Discord in a process of its own (this file run alone), driven through a pipe."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self, channels: int) -> Address:
        """Spawn the server process and read where it listens."""
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--channels",
            str(channels),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**24,  # the figures' line holds every post's time
        )
        return Address(**await self._read())

    async def finish(self, address: Address) -> Figures:
        """Ask for the figures; the server process then exits."""
        assert self._proc is not None
        assert self._proc.stdin is not None
        self._proc.stdin.write(b"stop\n")
        await self._proc.stdin.drain()
        data = await self._read()
        figures = Figures(**data | {"stalls": [tuple(s) for s in data["stalls"]]})
        await self._proc.wait()
        return figures

    async def _read(self) -> dict[str, Any]:
        assert self._proc is not None
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), 120)
        if not line:
            raise RuntimeError("the fake Discord process exited without answering")
        return dict(json.loads(line))

    async def close(self) -> None:
        """Kill the server process if it is still there (the benchmark failed midway)."""
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
            await self._proc.wait()


async def watch_loop(stalls: list[tuple[float, float]]) -> None:
    """Record when and how late the event loop wakes a sleeper: requests that wait meanwhile
    are stamped together when it runs again."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        stalls.append((time.time(), time.perf_counter() - before - 0.01))


def _say(payload: object) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


async def serve(channels: int) -> None:
    """Serve until told to stop on stdin; print the address first and the figures last."""
    local = LocalFake()
    address = await local.start(channels)
    _say(asdict(address))
    # A thread waits on stdin so that nothing but the fake's own work runs in this loop.
    await asyncio.to_thread(sys.stdin.readline)
    _say(asdict(await local.finish(address)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=100)
    asyncio.run(serve(parser.parse_args().channels))
