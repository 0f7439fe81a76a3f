"""Jobs for the worker pool tests: importable in a fresh worker, standard library only."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def square(n: int) -> tuple[int, int]:
    """``n`` squared, and the worker that computed it."""
    return n * n, os.getpid()


def nap(seconds: float, value: int = 0) -> int:
    """Sleep, then give ``value`` back."""
    time.sleep(seconds)
    return value


def kill_self() -> None:
    """Die as the OOM killer would kill a worker."""
    os.kill(os.getpid(), signal.SIGKILL)


def exit_hard() -> None:
    """Leave without any clean-up, as a crashing C extension would."""
    os._exit(3)


def announce_then_sleep(folder: str, seconds: float) -> int:
    """Write this worker's pid into ``folder`` (so a test sees the job running), then sleep."""
    pid = os.getpid()
    (Path(folder) / str(pid)).write_text("running")
    time.sleep(seconds)
    return pid


def fail(message: str) -> None:
    """Raise an ordinary error from the job."""
    raise ValueError(message)


def unsendable_result() -> object:
    """A result that cannot be pickled back to the parent."""
    return lambda: None


def segfault() -> None:
    """Crash as a broken C extension would: read address 0."""
    import ctypes  # noqa: PLC0415 (only this job needs it)

    ctypes.string_at(0)
