"""The CPU worker pool: parsing, extraction and digests run here, off the event loop."""

from bot.workers.errors import PoolClosed, WorkerCrashed, WorkerError
from bot.workers.pool import CLOSE_GRACE, DEFAULT_TIMEOUT, MAX_JOBS_PER_WORKER, Workers

__all__ = [
    "CLOSE_GRACE",
    "DEFAULT_TIMEOUT",
    "MAX_JOBS_PER_WORKER",
    "PoolClosed",
    "WorkerCrashed",
    "WorkerError",
    "Workers",
]
