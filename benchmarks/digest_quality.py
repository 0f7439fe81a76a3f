"""Digest quality: ROUGE of Briefing's key points against LEAD-3, in the same run.

    .venv/bin/python benchmarks/digest_quality.py --data ../shared/eval/cnndm-dev.jsonl [...]

For each file: ROUGE-1/2/Lsum F1 x100 (rouge-score, stemmed; Lsum over newline-joined sentences)
and "highlight coverage" (share of reference lines for which some key point has ROUGE-1 recall
>= 0.5), for Briefing and for LEAD-3 (the first three sentences found by Briefing's own splitter).
``--set lead=0.4`` overrides a selector parameter (see ``bot.digest.Params``) for experiments.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

from _eval import Scorer, Tally, load

from bot.digest import Params, split_sentences, summarize

log = logging.getLogger(__name__)

METRICS = ("R1", "R2", "RLsum", "coverage")
# LEAD-3 on the held-out thirds, from ../shared/eval/README.md (another splitter): for comparison.
README_LEAD3 = {"cnndm": (41.6, 19.2, 37.7), "xsum": (18.9, 2.8, 14.6), "bbc": (44.2, 35.4, 43.1)}


def lead(text: str, count: int) -> list[str]:
    """The first ``count`` body sentences (headings skipped), whitespace-normalised."""
    body = [s for s in split_sentences(text) if not s.is_heading]
    return [" ".join(s.text.split()) for s in body[:count]]


def evaluate(path: Path, points: int, params: Params, limit: int | None) -> dict[str, Tally]:
    """Mean scores of Briefing and LEAD-n over one file."""
    scorer = Scorer()
    tallies = {"Briefing": Tally(), f"LEAD-{points}": Tally()}
    for example in load(path, limit):
        digest = summarize(example.text, title=example.title, max_points=points, params=params)
        mine = [p.text for p in digest.key_points]
        tallies["Briefing"].add(scorer.score(mine, example.reference))
        tallies[f"LEAD-{points}"].add(scorer.score(lead(example.text, points), example.reference))
    return tallies


def parse_params(pairs: list[str]) -> Params:
    """``name=value`` overrides of the selector's parameters."""
    values = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        values[name] = float(value)
    return dataclasses.replace(Params(), **values)


def main(argv: list[str] | None = None) -> int:
    """Print a table per data file; the exit status is 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", required=True, help="JSONL file(s)")
    parser.add_argument("--points", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    params = parse_params(args.set)
    print(f"params: {params}")
    for path in args.data:
        tallies = evaluate(path, args.points, params, args.limit)
        count = next(iter(tallies.values())).count
        print(f"\n{path.name} ({count} articles, {args.points} points)")
        print(f"{'system':<10}" + "".join(f"{m:>10}" for m in METRICS))
        for name, tally in tallies.items():
            print(f"{name:<10}" + "".join(f"{tally.mean(m):>10.2f}" for m in METRICS))
        base, mine = tallies[f"LEAD-{args.points}"], tallies["Briefing"]
        delta = "".join(f"{mine.mean(m) - base.mean(m):>+10.2f}" for m in METRICS)
        print(f"{'delta':<10}{delta}")
        held_out = README_LEAD3.get(path.name.split("-")[0])
        if held_out and args.points == 3:
            print(f"{'(README)':<10}" + "".join(f"{v:>10.2f}" for v in held_out), end="")
            print("   LEAD-3 on the held-out thirds, for comparison")
    return 0


if __name__ == "__main__":
    sys.exit(main())
