"""Worker pool: jobs run in other processes, and the pool outlives any number of them.

Every pool here has real spawned worker processes; crashes are real SIGKILLs and exits.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from bot.workers import MAX_JOBS_PER_WORKER, PoolClosed, WorkerCrashed, WorkerError, Workers
from tests.core import pool_jobs

# Generous: the machine may be busy; these bound hangs, they are not measurements.
PATIENCE = 60.0
# Jobs per worker in the recycling test: 21 generations of workers over its 2,100 jobs.
RECYCLE_AFTER = 100


async def eventually(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds, failing the test after a generous deadline."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.02)


def new_children(before: set[int]) -> list[psutil.Process]:
    """Live worker processes of this test process that were not there at the start."""
    return [
        child
        for child in psutil.Process().children()
        if child.pid not in before and _is_worker(child)
    ]


def _is_worker(process: psutil.Process) -> bool:
    """A live child that is not multiprocessing's resource tracker (started with the first)."""
    try:
        live = process.status() != psutil.STATUS_ZOMBIE
        return live and not any("resource_tracker" in part for part in process.cmdline())
    except psutil.NoSuchProcess:
        return False


def announced(folder: Path) -> list[int]:
    """The pids of the workers that announced a running job in ``folder``."""
    return [int(path.name) for path in folder.iterdir()]


def child_pids() -> set[int]:
    """The pids of this test process's children now."""
    return {child.pid for child in psutil.Process().children()}


async def test_jobs_run_in_another_process() -> None:
    with Workers(processes=1) as pool:
        assert await pool.run(os.getpid) != os.getpid()


async def test_thread_mode_runs_in_this_process() -> None:
    with Workers(processes=0) as pool:
        assert await pool.run(os.getpid) == os.getpid()


async def test_a_job_error_reaches_the_caller_and_the_worker_carries_on() -> None:
    with Workers(processes=1) as pool:
        with pytest.raises(ValueError, match="bad feed"):
            await pool.run(pool_jobs.fail, "bad feed")
        assert await pool.run(pool_jobs.square, 3) == (9, await pool.run(os.getpid))
        assert pool.workers_started == 1


async def test_a_job_that_cannot_cross_to_the_worker_or_back_fails_clearly() -> None:
    with Workers(processes=1) as pool:
        with pytest.raises(WorkerError, match="could not be sent"):
            await pool.run(lambda: 1)
        with pytest.raises(WorkerError, match="could not be sent back"):
            await pool.run(pool_jobs.unsendable_result)
        assert await pool.run(pool_jobs.nap, 0, 5) == 5
        assert pool.workers_started == 1


async def test_more_jobs_than_the_recycle_limit_all_finish_with_bounded_processes() -> None:
    before = child_pids()
    most = 0
    with Workers(processes=2, max_jobs=RECYCLE_AFTER) as pool:

        async def watch() -> None:
            nonlocal most
            while True:
                most = max(most, len(new_children(before)))
                await asyncio.sleep(0.05)

        watcher = asyncio.create_task(watch())
        jobs = 2_100
        results = await asyncio.wait_for(
            asyncio.gather(*(pool.run(pool_jobs.square, n) for n in range(jobs))), 300
        )
        watcher.cancel()
        assert [square for square, _ in results] == [n * n for n in range(jobs)]
        workers = {pid for _, pid in results}
        assert len(workers) >= jobs // RECYCLE_AFTER  # each worker retired after its limit
        assert pool.workers_started == len(workers)
        assert pool.pending == 0
    assert 1 <= most <= 2
    await eventually(lambda: not new_children(before), "the workers to exit")


async def test_the_default_recycle_limit_retires_a_worker_and_its_successor_carries_on() -> None:
    """The production limit itself, passed: one worker runs it out and a fresh one takes over."""
    jobs = MAX_JOBS_PER_WORKER + 100
    with Workers(processes=1) as pool:
        results = await asyncio.wait_for(
            asyncio.gather(*(pool.run(pool_jobs.square, n) for n in range(jobs))), 300
        )
        assert [square for square, _ in results] == [n * n for n in range(jobs)]
        first, second = dict.fromkeys(pid for _, pid in results)  # in order of first use
        assert [pid for _, pid in results].count(first) == MAX_JOBS_PER_WORKER
        assert pool.workers_started == 2
        assert second != first


@pytest.mark.parametrize("crash", [pool_jobs.kill_self, pool_jobs.exit_hard, pool_jobs.segfault])
async def test_a_crashed_worker_fails_only_its_own_job(crash: Callable[[], None]) -> None:
    with Workers(processes=2) as pool:
        others = [pool.run(pool_jobs.nap, 0.05, n) for n in range(12)]
        crashing = pool.run(crash)
        results = await asyncio.wait_for(
            asyncio.gather(*others[:6], crashing, *others[6:], return_exceptions=True), PATIENCE
        )
        failed = results.pop(6)
        assert results == list(range(12))
        assert isinstance(failed, WorkerCrashed)
        assert isinstance(failed, WorkerError)
        assert "died" in str(failed)
        assert any(how in str(failed) for how in ("SIGKILL", "exit code 3", "SIGSEGV")), failed
        # The pool replaced the worker and goes on.
        assert [await pool.run(pool_jobs.nap, 0, n) for n in range(3)] == [0, 1, 2]


async def test_a_job_over_the_timeout_is_stopped_and_the_queue_behind_it_runs() -> None:
    with Workers(processes=2, timeout=1.0) as pool:
        await asyncio.gather(pool.run(os.getpid), pool.run(os.getpid))
        started = time.monotonic()
        stuck = asyncio.ensure_future(pool.run(pool_jobs.nap, 3600))
        behind = [pool.run(pool_jobs.nap, 0.05, n) for n in range(8)]
        assert await asyncio.wait_for(asyncio.gather(*behind), PATIENCE) == list(range(8))
        with pytest.raises(TimeoutError, match="longer than 1 s"):
            await asyncio.wait_for(stuck, PATIENCE)
        assert time.monotonic() - started < 30  # the job was stopped, not waited for
        assert await pool.run(pool_jobs.nap, 0, 7) == 7


async def test_a_large_job_behind_a_stuck_one_does_not_delay_its_timeout() -> None:
    # The large job cannot wait in the busy worker's pipe; the stuck one is still stopped.
    with Workers(processes=1, timeout=1.0) as pool:
        await pool.run(os.getpid)
        stuck = asyncio.ensure_future(pool.run(pool_jobs.nap, 3600))
        large = asyncio.ensure_future(pool.run(len, b"x" * 4_000_000))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(stuck, PATIENCE)
        assert await asyncio.wait_for(large, PATIENCE) == 4_000_000


async def test_time_waiting_for_a_worker_is_not_charged_to_a_job() -> None:
    # 10 jobs of 0.4 s on 2 workers: the last ones start after 1.6 s, yet each runs 0.4 s.
    with Workers(processes=2, timeout=1.5) as pool:
        await asyncio.gather(pool.run(os.getpid), pool.run(os.getpid))
        jobs = [pool.run(pool_jobs.nap, 0.4, n) for n in range(10)]
        assert await asyncio.wait_for(asyncio.gather(*jobs), PATIENCE) == list(range(10))


async def test_callers_wait_for_room_without_blocking_the_loop() -> None:
    with Workers(processes=1, max_pending=2) as pool:
        seen: list[int] = []
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                seen.append(pool.pending)
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        jobs = asyncio.gather(*(pool.run(pool_jobs.nap, 0.05, n) for n in range(20)))
        await eventually(lambda: pool.waiting > 0, "callers to wait for room")
        assert await asyncio.wait_for(jobs, PATIENCE) == list(range(20))
        ticker.cancel()
        assert max(seen) == 2  # never more than max_pending handed to the pool
        assert ticks >= 5  # the loop kept turning while callers waited
        assert (pool.pending, pool.waiting) == (0, 0)


async def test_cancelled_callers_leak_no_room(tmp_path: Path) -> None:
    with Workers(processes=1, max_pending=1) as pool:
        running = asyncio.ensure_future(pool.run(pool_jobs.announce_then_sleep, str(tmp_path), 1))
        await eventually(lambda: bool(announced(tmp_path)), "the first job to start")
        waiting = [asyncio.ensure_future(pool.run(pool_jobs.nap, 0, n)) for n in range(5)]
        await eventually(lambda: pool.waiting == 5, "callers to wait for room")
        for task in [running, *waiting[::2]]:
            task.cancel()
        assert await asyncio.wait_for(asyncio.gather(*waiting[1::2]), PATIENCE) == [1, 3]
        await eventually(lambda: pool.pending == 0, "the cancelled job's room to come back")
        assert pool.waiting == 0
        # All the room is back: a burst larger than it still goes through.
        burst = (pool.run(pool_jobs.nap, 0, n) for n in range(5))
        assert await asyncio.wait_for(asyncio.gather(*burst), PATIENCE) == list(range(5))


async def test_close_with_jobs_running_returns_promptly(tmp_path: Path) -> None:
    pool = Workers(processes=2)
    jobs = [pool.run(pool_jobs.announce_then_sleep, str(tmp_path), 3600) for _ in range(4)]
    running = asyncio.gather(*jobs, return_exceptions=True)
    await eventually(lambda: len(announced(tmp_path)) == 2, "both workers to be busy")
    pids = announced(tmp_path)
    started = time.monotonic()
    await asyncio.to_thread(pool.close, 0.5)
    assert time.monotonic() - started < 15
    outcomes = await asyncio.wait_for(running, PATIENCE)
    assert all(isinstance(outcome, PoolClosed) for outcome in outcomes), outcomes
    assert not any(psutil.pid_exists(pid) and _alive(pid) for pid in pids)
    with pytest.raises(PoolClosed):
        await pool.run(os.getpid)


def _alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


async def test_closing_an_idle_or_unused_pool_is_quick() -> None:
    unused = Workers(processes=2)
    used = Workers(processes=2)
    await used.run(os.getpid)
    started = time.monotonic()
    unused.close()
    used.close()
    used.close()  # twice is harmless
    assert time.monotonic() - started < 10


INTERRUPTED_SCRIPT = """
import asyncio
import faulthandler
import signal
from bot.workers import Workers
from tests.core import pool_jobs

async def main():
    # Workers retire every 3 jobs, so Ctrl-C also finds some of them starting up.
    with Workers(processes=2, max_jobs=3) as pool:
        for round in range(1_000_000):
            await asyncio.gather(*(pool.run(pool_jobs.nap, 0.01, n) for n in range(4)))
            if round == 3:
                print("ready", flush=True)

faulthandler.register(signal.SIGUSR1, all_threads=True)  # the test asks for stacks on a hang
# A suite run as a background job (no job control) has SIGINT ignored, and an ignored signal
# stays ignored across exec: Ctrl-C in a terminal reaches a process with Python's own handler.
signal.signal(signal.SIGINT, signal.default_int_handler)
try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


async def test_ctrl_c_reaches_only_the_parent_which_stops_its_workers() -> None:
    root = Path(__file__).parents[2]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        INTERRUPTED_SCRIPT,
        cwd=root,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), PATIENCE)
        assert line == b"ready\n"
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole group
        try:
            out, err = await asyncio.wait_for(process.communicate(), PATIENCE)
        except TimeoutError:
            pytest.fail(f"no exit {PATIENCE:g} s after Ctrl-C:\n{await _hang_report(process)}")
    finally:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert b"Traceback" not in err, err.decode()
    assert b"KeyboardInterrupt" not in err, err.decode()
    assert out == b"interrupted\n"
    assert process.returncode == 0
    await eventually(lambda: not group_alive(process.pid), "every worker to exit")


async def _hang_report(process: asyncio.subprocess.Process) -> str:
    """What a hung process group was doing: its processes and the parent's thread stacks."""
    every = psutil.process_iter(["pid", "ppid", "status", "cmdline"])
    members = [p.info for p in every if _group_of(p.pid) == process.pid]
    os.kill(process.pid, signal.SIGUSR1)  # faulthandler writes every thread's stack to stderr
    await asyncio.sleep(1.0)
    os.killpg(process.pid, signal.SIGKILL)
    _, err = await asyncio.wait_for(process.communicate(), PATIENCE)
    lines = [str(m) for m in members]
    return "\n".join([*lines, err.decode(errors="replace")[-6000:]])


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def group_alive(group: int) -> bool:
    """Whether any process of ``group`` is still there."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
