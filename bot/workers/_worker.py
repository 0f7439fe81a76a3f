"""A worker process and the parent's end of its own pipe.

Each worker has a pipe of its own, so a worker that dies mid-message (segfault, OOM kill) can
wedge nothing shared with the others.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import pickle
import signal
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from bot.workers import _child
from bot.workers.errors import WorkerCrashed

log = logging.getLogger(__name__)

# A new worker must say it is ready within this long (imports on a busy machine are slow).
START_TIMEOUT = 120.0
# A retiring worker finishes its clean exit within this long, or is killed.
RETIRE_GRACE = 5.0


class Worker:
    """A live worker process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.SpawnContext) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(target=_child.serve, args=(child_end,), daemon=True)
        # The first start launches multiprocessing's resource tracker, and launching it ends by
        # *unblocking* SIGINT in this thread (CPython 3.11): launch it before blocking.
        resource_tracker.ensure_running()
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
        self.sent = 0  # jobs sent to this process over its life
        self.ready = False

    def wait_ready(self) -> None:
        """Wait for the worker's first message; raise :class:`WorkerCrashed` if it never comes."""
        if self.ready:
            return
        if not self.readable(START_TIMEOUT):
            self.kill()
            raise WorkerCrashed(f"a worker process did not start within {START_TIMEOUT:g} s")
        try:
            self.conn.recv_bytes()
        except (EOFError, OSError):
            raise WorkerCrashed(f"a worker process died while starting ({self.death()})") from None
        self.ready = True

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
