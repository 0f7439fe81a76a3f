"""Briefing's poll cycle side by side with ``reader`` (lemon24/reader) on the same local feeds.

    .venv/bin/python benchmarks/poll_vs_reader.py                 # 1,000 and 10,000 feeds
    .venv/bin/python benchmarks/poll_vs_reader.py --feeds 1000 --runs 3

Each run is a fresh process on a fresh database, Briefing and reader alternately, against one
feed server process (20 items per feed, not counted). Two phases per run: the first poll of
every feed, then a steady-state cycle where ~90 % answer 304 and ~10 % carry one new item.
Prints medians of wall time, CPU seconds (exited workers included) and peak PSS of the run's
whole process tree (RSS summed beside it), and Briefing's event loop: CPU it was busy, the most
it spent in one 50 ms tick, and its worst lateness (which machine load adds to).
"""

# The code lives in _vs_reader: spawned processes import this main module again, and must
# not be charged for the benchmark's own imports.
if __name__ == "__main__":
    from _vs_reader import main

    main()
