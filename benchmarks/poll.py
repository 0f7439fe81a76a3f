"""Poll-cycle benchmark: N feeds on a local server, ~90 % answering 304, ~10 % one new item.

    .venv/bin/python benchmarks/poll.py --feeds 1000 10000

Prints, per size: wall time of one full cycle, requests/s, CPU seconds (this process and its
worker processes), peak RSS (same), and then the per-item cost of the changed-feed path
(parse + digest + store) and of the teaser path (page fetch + extraction + digest + store).
The feed server runs in its own process so its CPU is not counted as the poller's.
"""

# Everything lives in _poll_cycle: worker processes are spawned and import this main module
# again, and must not be charged for the benchmark's own imports (as in production, where
# ``python -m bot`` keeps its main module light).
if __name__ == "__main__":
    from _poll_cycle import main

    main()
