"""Peak RSS and CPU of a process tree, for the benchmarks (psutil only: no Briefing imports)."""

from __future__ import annotations

import contextlib
import threading
import time

import psutil


class Sampler:
    """Peak RSS and CPU time of this process and its children, sampled in a thread."""

    def __init__(self, exclude: int) -> None:
        self.me = psutil.Process()
        self.exclude = exclude  # the feed server's pid: its work is not the poller's
        self.peak = 0
        self.peak_parent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _children(self) -> list[psutil.Process]:
        return [c for c in self.me.children(recursive=True) if c.pid != self.exclude]

    def _total_rss(self) -> int:
        rss: int = self.me.memory_info().rss
        for child in self._children():
            with contextlib.suppress(psutil.NoSuchProcess):
                rss += child.memory_info().rss
        return rss

    def cpu(self) -> float:
        """CPU seconds of this process and its live children."""
        t = self.me.cpu_times()
        total: float = t.user + t.system
        for child in self._children():
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except psutil.NoSuchProcess:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total_rss())
            self.peak_parent = max(self.peak_parent, self.me.memory_info().rss)
            time.sleep(0.05)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
