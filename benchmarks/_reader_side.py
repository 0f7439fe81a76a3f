"""reader's side of ``benchmarks/poll_vs_reader.py``, and what both sides share.

Kept free of Briefing's imports: reader's run process loads only reader and psutil, so its
memory figure is reader's own; reader itself is imported only where it runs, so Briefing's run
process (which imports this module too) does not hold it (about 7 MB of PSS).
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from _sampler import Sampler

Phase = dict[str, float]
Result = dict[str, Phase]


@dataclass(frozen=True)
class Job:
    """One measured run: which system, how many feeds, where the server listens."""

    system: str
    feeds: int
    port: int
    workers: int
    reader_workers: int


def set_phase(port: int, phase: int) -> None:
    """Version 1 of every feed (phase 1) or the changed ones moved to version 2 (phase 2)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/phase/{phase}", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def figures(sampler: Sampler, cpu0: float, t0: float) -> Phase:
    """Wall and CPU seconds since ``t0``/``cpu0``, peak RSS and PSS (MB) of the process tree."""
    return {
        "wall": time.perf_counter() - t0,
        "cpu": sampler.cpu() - cpu0,
        "rss": sampler.peak / 2**20,
        "pss": sampler.peak_pss / 2**20,
        "peak_processes": sampler.peak_processes,
        "peak_main": sampler.peak_main_pss / 2**20,
        "peak_child": sampler.peak_child_pss / 2**20,
    }


def measured(step: Callable[[], object]) -> Phase:
    """Wall, CPU and peak RSS of this process tree while ``step`` runs."""
    with Sampler(exclude=0) as sampler:
        cpu0, t0 = sampler.cpu(), time.perf_counter()
        step()
        return figures(sampler, cpu0, t0)


def run_reader(job: Job) -> Result:
    """reader: add every feed, update all (first poll), then update all again (steady state)."""
    # Imported here: Briefing's run process imports this module too, and must not hold reader.
    from reader import make_reader  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        reader = make_reader(str(Path(tmp) / "reader.db"))
        for n in range(job.feeds):
            reader.add_feed(f"http://127.0.0.1:{job.port}/feed/{n}.xml")
        first = measured(lambda: reader.update_feeds(workers=job.reader_workers))
        set_phase(job.port, 2)
        steady = measured(lambda: reader.update_feeds(workers=job.reader_workers, scheduled=False))
        reader.close()
    return {"first": first, "steady": steady}


def reader_child(job: Job, out: multiprocessing.Queue[Result]) -> None:
    """Entry point of one reader run's process."""
    out.put(run_reader(job))
