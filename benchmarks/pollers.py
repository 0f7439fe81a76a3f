"""Scale-out benchmark: 1 vs N poller processes sharing one PostgreSQL database.

    .venv/bin/python benchmarks/pollers.py --feeds 10000 --processes 1 3 [--workers 1]

The same feeds (20 items each, served locally by a process of their own) are polled by one
poller process, then by N processes at once, each a registered worker claiming batches of due
feeds (``FOR UPDATE SKIP LOCKED``) with its own pool of ``--workers`` parse processes. Per
configuration it prints the first cycle (every feed new) and a steady cycle (every feed due
again, 90 % answering 304): wall time until the last process is done, CPU seconds per feed
(all poller processes and their workers), SQL statements and PostgreSQL commits per cycle
(commits from ``pg_stat_database`` of a database of the benchmark's own), and how many feeds
the processes polled together (more than the feeds would mean one was polled twice).
"""

# The code lives in _pollers: worker processes are spawned and import this main module again.
if __name__ == "__main__":
    from _pollers import main

    main()
