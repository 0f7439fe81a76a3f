"""One place in the pool: a dispatcher thread and the worker process it owns.

The thread hands its worker the next job while the current one runs (when it is small enough
to wait in the pipe), so the worker never idles while this busy parent process gets round to
the thread. The worker runs jobs in order, so the oldest unanswered job is the one running: it
alone is charged with a timeout or a crash; the job behind it is sent again to the replacement.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import pickle
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from bot.workers import _child
from bot.workers._worker import Worker
from bot.workers.errors import PoolClosed, WorkerCrashed, WorkerError

log = logging.getLogger(__name__)

# Jobs a worker holds at once: the running one and the next.
DEPTH = 2
# A job waits in a busy worker's pipe only if this small: a larger one would block the
# thread in ``send`` until the running job ends, and it could not enforce that job's timeout.
PREFETCH_BYTES = 32 * 1024


@dataclass(slots=True)
class Job:
    """A function call waiting for a worker, and the future its caller awaits."""

    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: Future[Any] = field(default_factory=Future)
    payload: bytes | None = None

    @property
    def name(self) -> str:
        """The job's function, for messages."""
        return getattr(self.func, "__qualname__", repr(self.func))


class Slot:
    """Takes jobs from the pool's queue and runs them in a worker process of its own."""

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
        self._held: deque[Job] = deque()  # taken from the queue, not sent yet
        self._sent: deque[Job] = deque()  # sent to the worker, oldest first (and running)
        self._started_at = 0.0  # when the oldest sent job started
        self._stopping = False
        self.closing = False
        self.started = 0  # worker processes started over the slot's life
        self._thread = threading.Thread(target=self._loop, name=f"briefing-pool-{index}")
        self._thread.daemon = True
        self._thread.start()

    def _loop(self) -> None:
        try:
            while self._step():
                pass
        finally:
            for job in [*self._sent, *self._held]:
                _fail(job, PoolClosed("the worker pool was closed first"))
            self._drop(retire=True)

    def _step(self) -> bool:
        """Send what fits, then wait for the oldest job; False once the slot has stopped."""
        try:
            if not self._fill():
                return False
            self._await_oldest()
        except Exception:  # a bug here must not leave the slot's callers waiting for ever
            log.exception("worker pool slot failed; replacing its worker")
            if self._sent:
                job = self._sent[0]
                self._replace_worker()
                _fail(job, WorkerError(f"the worker pool failed while {job.name} ran"))
            else:
                self._drop(retire=False)
        return True

    def _fill(self) -> bool:
        """Send jobs until the worker holds enough; False once stopping with nothing sent."""
        while len(self._sent) < DEPTH:
            worker = self._worker
            if worker is not None and worker.sent >= self._max_jobs:
                if self._sent:
                    break  # it retires once it has answered the jobs it holds
                self._drop(retire=True)
            job = self._next_job(block=not self._sent)
            if job is None:
                break
            if self._sent and len(job.payload or b"") > PREFETCH_BYTES:
                self._held.appendleft(job)  # sent when the worker is free
                break
            if not self._send(job):
                break
        return bool(self._sent) or not self._stopping

    def _next_job(self, *, block: bool) -> Job | None:
        if self.closing:
            self._stopping = True
            while self._held:
                _fail(self._held.popleft(), PoolClosed("the worker pool was closed first"))
        if self._held:
            return self._held.popleft()
        while not self._stopping:
            try:
                job = self._jobs.get(block=block)
            except queue.Empty:
                return None
            if job is None:
                self._stopping = True
            elif job.future.set_running_or_notify_cancel() and _pickle(job):
                return job
        return None

    def _send(self, job: Job) -> bool:
        """Send the job to the worker; False if the worker was gone and the job is held."""
        try:
            worker = self._ready_worker()
            worker.conn.send_bytes(job.payload or b"")
        except WorkerError as exc:
            _fail(job, exc)
            return True
        except OSError:  # the worker died: the job never reached it, so it goes to the next one
            self._held.appendleft(job)
            if not self._sent:
                self._drop(retire=False)
            return False
        worker.sent += 1
        self._sent.append(job)
        if len(self._sent) == 1:
            self._started_at = time.monotonic()
        return True

    def _await_oldest(self) -> None:
        worker = self._worker
        if worker is None or not self._sent:
            return
        remaining = self._started_at + self._timeout - time.monotonic()
        job = self._sent[0]
        if not worker.readable(max(0.0, remaining)):
            self._replace_worker()
            _fail(job, TimeoutError(f"{job.name} ran longer than {self._timeout:g} s; stopped"))
            return
        try:
            data = worker.conn.recv_bytes()
        except (EOFError, OSError):
            error = self._death(job, worker)
            self._replace_worker()
            _fail(job, error)
            return
        self._sent.popleft()
        self._started_at = time.monotonic()  # the worker went straight on to the next job
        _deliver(job, data)
        if worker.sent >= self._max_jobs and not self._sent:
            self._drop(retire=True)  # recycled so a slow leak in a parser cannot grow forever

    def _death(self, job: Job, worker: Worker) -> WorkerError:
        if self.closing:
            return PoolClosed(f"the worker pool was closed while {job.name} ran")
        return WorkerCrashed(f"the worker process running {job.name} died ({worker.death()})")

    def _replace_worker(self) -> None:
        """Kill the worker; the oldest job is the caller's to fail, the rest are sent again."""
        self._sent.popleft()
        self._held.extendleft(reversed(self._sent))
        self._sent.clear()
        self._drop(retire=False)

    def _ready_worker(self) -> Worker:
        worker = self._worker
        if worker is None:
            # Started only once the last one is gone: never more processes than slots.
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
        if worker is not None and retire:
            worker.retire()
        elif worker is not None:
            worker.kill()

    def kill_worker(self) -> None:
        """Kill the current worker, if any (from another thread: its jobs then fail)."""
        with self._lock:
            worker = self._worker
        if worker is not None:
            with contextlib.suppress(OSError, ValueError):
                worker.process.kill()

    def join(self, timeout: float) -> bool:
        """Wait for the dispatcher thread to finish; say whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()


def _pickle(job: Job) -> bool:
    """Pickle the job for the pipe; fail it (and say so) if it cannot be."""
    try:
        job.payload = pickle.dumps((job.func, job.args, job.kwargs), pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        _fail(job, _child.JobFailedToTravel(f"{job.name} could not be sent: {exc!r}"))
        return False
    return True


def _deliver(job: Job, data: bytes) -> None:
    """Complete the job's future with what its worker sent back."""
    try:
        kind, value = pickle.loads(data)
    except Exception as exc:
        _fail(job, WorkerError(f"{job.name}'s outcome was unreadable: {exc!r}"))
        return
    if kind == _child.OK:
        job.future.set_result(value)
    else:
        _fail(job, value)


def _fail(job: Job, error: BaseException) -> None:
    if not job.future.done():
        job.future.set_exception(error)
