"""Worker pool: jobs run in other processes, and no job holds its caller up for ever."""

from __future__ import annotations

import os
import time

import pytest

from bot.workers import Workers


async def test_jobs_run_in_another_process() -> None:
    with Workers(processes=1) as pool:
        assert await pool.run(os.getpid) != os.getpid()


async def test_a_job_over_the_timeout_raises_timeout_error() -> None:
    with Workers(processes=1, timeout=0.3) as pool:
        await pool.run(os.getpid)  # warm the process up so start-up isn't what times out
        with pytest.raises(TimeoutError):
            await pool.run(time.sleep, 1.5)


async def test_thread_mode_runs_in_this_process() -> None:
    with Workers(processes=0) as pool:
        assert await pool.run(os.getpid) == os.getpid()
