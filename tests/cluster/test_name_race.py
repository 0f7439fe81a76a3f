"""Two processes registering one instance name at the same instant: exactly one gets it."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from bot.store import Store

ROUNDS = 20
# Each process waits for the same wall-clock instants, then registers the round's name.
RACER = """
import asyncio, sys, time
from bot.store import Store
from bot.store.workers import NameTaken

async def main(url):
    store = await Store.open(url)
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    for round in range(int(sys.argv[2])):
        await asyncio.sleep(max(0.0, start + round * 0.2 - time.time()))
        try:
            await store.register_worker(f"race-{round}")
            print("got", round, flush=True)
        except NameTaken:
            print("refused", round, flush=True)
    await store.close()

asyncio.run(main(sys.argv[1]))
"""


async def test_only_one_of_two_processes_starting_at_once_gets_a_name(pg_url: str) -> None:
    migrated = await Store.open(pg_url)  # migrate once, before the racers open it
    await migrated.close()
    root = Path(__file__).parents[2]
    racers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RACER,
            pg_url,
            str(ROUNDS),
            cwd=root,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for racer in racers:
        assert racer.stdout is not None
        assert await asyncio.wait_for(racer.stdout.readline(), 120) == b"ready\n"
    start = f"{time.time() + 0.5}\n".encode()
    outputs = await asyncio.gather(
        *(asyncio.wait_for(racer.communicate(start), 120) for racer in racers)
    )
    got = [line.split()[1] for out, _ in outputs for line in out.splitlines() if b"got" in line]
    refused = [line for out, _ in outputs for line in out.splitlines() if b"refused" in line]
    assert sorted(got, key=int) == [str(n).encode() for n in range(ROUNDS)]  # once each
    assert len(refused) == ROUNDS
