"""Whole-process throughput of the batch command against sumy LexRank's whole process.

    .venv/bin/python benchmarks/digest_batch.py --data ../shared/eval/bbc-dev.jsonl [--runs 3]

Writes the file's articles as ``{"id", "text", "title"}`` lines to a temporary file, then times,
as separate processes started from scratch (interpreter start, imports, model loading, reading,
writing), ``python -m bot digest --jsonl FILE`` and a script running sumy LexRank over the same
lines (three sentences each; sumy gets Briefing's sentence splitter, as in digest_speed.py,
because its own needs NLTK's punkt data, a download). Prints the median wall time and CPU time
(user + system, of the child process) of ``--runs`` runs of each, articles per second and the
ratios: on a busy machine the CPU ratio is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _eval import load

BENCHMARKS = Path(__file__).resolve().parent
SUMY = """
import json, sys
sys.path.insert(0, {benchmarks!r})
from digest_speed import make_lexrank
run = make_lexrank()
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        row = json.loads(line)
        print(json.dumps({{"id": row["id"], "key_points": run(row["text"])}}))
"""


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` runs of ``command`` (output discarded)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    """Print both processes' wall times, rates and the ratio; exit status 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    examples = load(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "articles.jsonl"
        with batch.open("w", encoding="utf-8") as out:
            for e in examples:
                out.write(json.dumps({"id": e.id, "text": e.text, "title": e.title}) + "\n")
        mine = timed([sys.executable, "-m", "bot", "digest", "--jsonl", str(batch)], args.runs)
        script = SUMY.format(benchmarks=str(BENCHMARKS))
        lexrank = timed([sys.executable, "-c", script, str(batch)], args.runs)
    n = len(examples)
    print(f"{args.data.name}: {n} articles, whole processes, median of {args.runs} runs")
    print(f"{'':24} {'wall s':>8} {'articles/s':>11} {'CPU s':>8}")
    for name, (wall, cpu) in (("briefing digest --jsonl", mine), ("sumy LexRank", lexrank)):
        print(f"{name:24} {wall:8.2f} {n / wall:11.1f} {cpu:8.2f}")
    print(f"ratio: wall {lexrank[0] / mine[0]:.1f}x, CPU {lexrank[1] / mine[1]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
