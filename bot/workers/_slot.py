"""One place in the pool: a dispatcher thread and the worker process it owns.

Each worker has its own pipe, so a worker that dies mid-message (segfault, OOM kill) can wedge
nothing shared; the thread that owns it sees the death, fails that one job and starts another.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import pickle
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from bot.workers import _child
from bot.workers.errors import PoolClosed, WorkerCrashed, WorkerError

log = logging.getLogger(__name__)

# A new worker must say it is ready within this long (imports on a busy machine are slow).
START_TIMEOUT = 120.0
# A retiring worker finishes its clean exit within this long, or is killed.
RETIRE_GRACE = 5.0


@dataclass(slots=True)
class Job:
    """A function call waiting for a worker, and the future its caller awaits."""

    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: Future[Any] = field(default_factory=Future)

    @property
    def name(self) -> str:
        """The job's function, for messages."""
        return getattr(self.func, "__qualname__", repr(self.func))


class Worker:
    """A live worker process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.SpawnContext) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(target=_child.serve, args=(child_end,), daemon=True)
        # Blocked here means blocked in the child from its first instruction until it ignores
        # SIGINT itself, so Ctrl-C during a worker's start-up prints nothing either.
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        child_end.close()
        self.process: BaseProcess = process
        self.conn: Connection = parent_end
        self.jobs = 0

    def wait_ready(self) -> None:
        """Wait for the worker's first message; raise :class:`WorkerCrashed` if it never comes."""
        if not self.readable(START_TIMEOUT):
            self.kill()
            raise WorkerCrashed(f"a worker process did not start within {START_TIMEOUT:g} s")
        try:
            self.conn.recv_bytes()
        except (EOFError, OSError):
            raise WorkerCrashed(f"a worker process died while starting ({self.death()})") from None

    def readable(self, timeout: float | None) -> bool:
        """Wait until the worker sent something or died; False if neither happened in time."""
        return bool(wait([self.conn, self.process.sentinel], timeout))

    def death(self) -> str:
        """How the process ended, in words."""
        self.process.join(RETIRE_GRACE)
        code = self.process.exitcode
        if code is None:
            return "still running"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"

    def kill(self) -> None:
        """Stop the process at once and reap it."""
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(RETIRE_GRACE)
        self.conn.close()

    def retire(self) -> None:
        """Ask the process to exit cleanly; kill it if it does not."""
        with contextlib.suppress(OSError, ValueError):
            self.conn.send_bytes(pickle.dumps(None))
        self.process.join(RETIRE_GRACE)
        if self.process.exitcode is None:
            log.warning("worker %s did not exit when asked; killing it", self.process.pid)
        self.kill()


class Slot:
    """Takes jobs from the pool's queue and runs each in its own worker process."""

    def __init__(
        self,
        jobs: queue.SimpleQueue[Job | None],
        context: multiprocessing.context.SpawnContext,
        *,
        timeout: float,
        max_jobs: int,
        index: int,
    ) -> None:
        self._jobs = jobs
        self._context = context
        self._timeout = timeout
        self._max_jobs = max_jobs
        self._lock = threading.Lock()
        self._worker: Worker | None = None
        self.closing = False
        self.started = 0  # worker processes started over the slot's life
        self._thread = threading.Thread(target=self._loop, name=f"briefing-pool-{index}")
        self._thread.daemon = True
        self._thread.start()

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                job.future.set_result(self._run(job))
            except BaseException as exc:
                job.future.set_exception(exc)
        self._drop(retire=True)

    def _run(self, job: Job) -> Any:
        if self.closing:
            raise PoolClosed("the worker pool is closed")
        worker = self._ready_worker()
        try:
            payload = pickle.dumps((job.func, job.args, job.kwargs), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise _child.JobFailedToTravel(f"{job.name} could not be sent: {exc!r}") from None
        worker.conn.send_bytes(payload)
        worker.jobs += 1
        started = time.monotonic()
        if not worker.readable(self._timeout):
            self._drop(retire=False)
            raise TimeoutError(
                f"{job.name} ran longer than {self._timeout:g} s; its worker was stopped"
            )
        outcome = self._receive(worker, job)
        log.debug("%s took %.3f s in worker %s", job.name, time.monotonic() - started, worker)
        if worker.jobs >= self._max_jobs:
            self._drop(retire=True)  # recycled so a slow leak in a parser cannot grow forever
        kind, value = outcome
        if kind == _child.OK:
            return value
        raise value

    def _receive(self, worker: Worker, job: Job) -> tuple[str, Any]:
        try:
            data = worker.conn.recv_bytes()
        except (EOFError, OSError):
            self._drop(retire=False)
            if self.closing:
                raise PoolClosed(f"the worker pool was closed while {job.name} ran") from None
            raise WorkerCrashed(
                f"the worker process running {job.name} died ({worker.death()})"
            ) from None
        try:
            outcome: tuple[str, Any] = pickle.loads(data)
        except Exception as exc:
            outcome = (_child.ERROR, WorkerError(f"{job.name}'s outcome was unreadable: {exc!r}"))
        return outcome

    def _ready_worker(self) -> Worker:
        with self._lock:
            worker = self._worker
        if worker is not None:
            return worker
        worker = Worker(self._context)
        self.started += 1
        with self._lock:
            self._worker = worker
        try:
            worker.wait_ready()
        except WorkerCrashed:
            self._drop(retire=False)
            raise
        return worker

    def _drop(self, *, retire: bool) -> None:
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is None:
            return
        if retire:
            worker.retire()
        else:
            worker.kill()

    def kill_worker(self) -> None:
        """Kill the current worker, if any (from another thread: the running job then fails)."""
        with self._lock:
            worker = self._worker
        if worker is not None:
            with contextlib.suppress(OSError, ValueError):
                worker.process.kill()

    def join(self, timeout: float) -> bool:
        """Wait for the dispatcher thread to finish; say whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
