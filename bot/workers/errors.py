"""What a job in the worker pool can fail with, besides its own exceptions and TimeoutError."""

from __future__ import annotations


class WorkerError(Exception):
    """The pool could not run a job to its end (the job itself did not raise this)."""


class WorkerCrashed(WorkerError):
    """The worker process running the job died (segfault, OOM kill, os._exit)."""


class PoolClosed(WorkerError):
    """The pool was closed before or while the job ran."""
