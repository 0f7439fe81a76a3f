"""The loop a worker process runs: receive a job, run it, send back its outcome, repeat.

Kept small so a fresh worker starts fast; the job's own module is imported
when its function is unpickled.
"""

from __future__ import annotations

import pickle
import signal
from multiprocessing.connection import Connection
from typing import Any

from bot.workers.errors import WorkerError

READY = "ready"
OK = "ok"
ERROR = "error"


class JobFailedToTravel(WorkerError):
    """A job, or its outcome, could not cross the process boundary (not picklable)."""


def serve(conn: Connection) -> None:
    """Run jobs sent over ``conn`` until the parent says stop (``None``) or goes away."""
    # Ctrl-C in a terminal reaches the whole process group: the parent stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    conn.send((READY, None))
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the parent is gone
        outcome = _run(data)
        if outcome is None:
            return
        _reply(conn, outcome)


def _run(data: bytes) -> tuple[str, Any] | None:
    try:
        job = pickle.loads(data)
    except Exception as exc:
        return ERROR, JobFailedToTravel(f"the job could not be read in the worker: {exc!r}")
    if job is None:
        return None
    func, args, kwargs = job
    try:
        return OK, func(*args, **kwargs)
    except Exception as exc:
        return ERROR, exc


def _reply(conn: Connection, outcome: tuple[str, Any]) -> None:
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        problem = JobFailedToTravel(f"the job's outcome could not be sent back: {exc!r}")
        data = pickle.dumps((ERROR, problem))
    conn.send_bytes(data)
