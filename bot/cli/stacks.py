"""``kill -USR1 <pid>``: a running bot writes what it is doing to its log.

Every asyncio task's stack (what a slow shutdown or a stuck post is waiting for) goes to the log;
every thread's stack goes to stderr through faulthandler, which answers even when the event
loop itself is blocked.
"""

from __future__ import annotations

import asyncio
import faulthandler
import io
import logging
import signal
import sys

log = logging.getLogger(__name__)


def install_stack_dump() -> None:
    """Answer SIGUSR1 with the stacks of every task (log) and every thread (stderr)."""
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, log_task_stacks)
    # After the loop's own handler, chained: faulthandler writes first, then the loop's runs.
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True, chain=True)


def log_task_stacks() -> None:
    """Log the stack of every asyncio task of the running loop."""
    tasks = sorted(asyncio.all_tasks(), key=lambda task: task.get_name())
    out = io.StringIO()
    for task in tasks:
        print(f"- {task!r}", file=out)
        task.print_stack(limit=12, file=out)
    log.warning("SIGUSR1: %d asyncio tasks\n%s", len(tasks), out.getvalue())
