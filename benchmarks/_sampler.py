"""Memory and CPU of a process tree, and an event loop's busy time, for the benchmarks.

psutil and the standard library only: no Briefing imports.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

import psutil


class Sampler:
    """Peak RSS and PSS and the CPU time of this process and its children, sampled in a thread.

    RSS counts a page once per process that maps it (shared libraries, the mapped language
    model); PSS divides each shared page among its processes, so the tree's PSS is what it
    really holds. CPU includes children that already exited (recycled workers).
    """

    def __init__(self, exclude: int) -> None:
        self.me = psutil.Process()
        self.exclude = exclude  # the feed server's pid: its work is not the poller's
        self.peak = 0  # bytes, sum of RSS
        self.peak_pss = 0  # bytes, sum of PSS
        self.peak_parent = 0
        # At the tree's peak PSS: how many processes it had and what the largest child held, so
        # that a high peak says whether it was one process growing or one process too many.
        self.peak_processes = 0
        self.peak_main_pss = 0
        self.peak_child_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[psutil.Process]:
        children = self.me.children(recursive=True)
        return [self.me, *(c for c in children if c.pid != self.exclude)]

    def _memory(self) -> tuple[int, dict[int, int]]:
        """The tree's summed RSS and each live process's PSS by pid."""
        rss, pss = 0, {}
        for process in self._tree():
            with contextlib.suppress(psutil.NoSuchProcess, FileNotFoundError, ProcessLookupError):
                rss += process.memory_info().rss
                pss[process.pid] = _pss(process.pid)
        return rss, pss

    def cpu(self) -> float:
        """CPU seconds of this process, its live children and every child that has exited."""
        total = 0.0
        for process in self._tree():
            try:
                t = process.cpu_times()
            except psutil.NoSuchProcess:
                continue  # exited since the listing: its time moves to its parent's children_*
            # children_*: descendants already waited for (workers retired or replaced).
            total += t.user + t.system + t.children_user + t.children_system
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, by_pid = self._memory()
            self.peak = max(self.peak, rss)
            if sum(by_pid.values()) > self.peak_pss:
                self.peak_pss = sum(by_pid.values())
                self.peak_processes = len(by_pid)
                self.peak_main_pss = by_pid.get(self.me.pid, 0)
                self.peak_child_pss = max(
                    (v for pid, v in by_pid.items() if pid != self.me.pid), default=0
                )
            self.peak_parent = max(self.peak_parent, self.me.memory_info().rss)
            time.sleep(0.05)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _pss(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes, from /proc/<pid>/smaps_rollup."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


class LoopWatch:
    """How busy the running event loop is, apart from how late it runs.

    Busy: CPU time of the loop's thread (work the loop did). Lateness: how much later than
    asked a 50 ms tick runs; on a loaded machine the loop also runs late when the kernel gives
    its CPU to another process, which is not the loop's doing. ``worst_busy`` is the most CPU
    the loop spent within one tick: a bound on its longest blocking stretch.
    """

    TICK = 0.05

    def __init__(self) -> None:
        self.busy = 0.0
        self.worst_late = 0.0
        self.worst_busy = 0.0
        self._task: asyncio.Task[None] | None = None
        self._cpu0 = 0.0

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked, cpu = loop.time(), time.thread_time()
            await asyncio.sleep(self.TICK)
            self.worst_late = max(self.worst_late, loop.time() - asked - self.TICK)
            self.worst_busy = max(self.worst_busy, time.thread_time() - cpu)

    async def __aenter__(self) -> LoopWatch:
        self._cpu0 = time.thread_time()
        self._task = asyncio.create_task(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.busy = time.thread_time() - self._cpu0
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
