"""How the ROUGE-1 margin over LEAD-3 moves around the selector's defaults (a flat optimum is
trustworthy on unseen articles; a sharp peak is not).

    .venv/bin/python benchmarks/digest_sensitivity.py --data ../shared/eval/cnndm-dev.jsonl

Prints, for each point of a 3x3x3 grid over ``lead``, ``redundancy`` and ``decay`` centred on the
defaults, the mean ROUGE-1 F1 difference to LEAD-3, then the grid's mean and range.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from pathlib import Path

from _eval import Scorer, load
from digest_quality import lead

from bot.digest import Params, summarize

STEPS = {"lead": 0.05, "redundancy": 0.1, "decay": 0.5}


def main() -> int:
    """Print the grid; exit status 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="JSONL evaluation file")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"{args.data} is absent: the evaluation data lives in ../shared/eval")
        return 0
    examples = load(args.data)
    scorer = Scorer()
    base = [scorer.score(lead(e.text, 3), e.reference)["R1"] for e in examples]
    defaults = Params()
    axes = [
        [getattr(defaults, name) + k * step for k in (-1, 0, 1)] for name, step in STEPS.items()
    ]
    margins = []
    for values in itertools.product(*axes):
        params = dataclasses.replace(defaults, **dict(zip(STEPS, values, strict=True)))
        total = 0.0
        for example, lead_r1 in zip(examples, base, strict=True):
            digest = summarize(example.text, title=example.title, max_points=3, params=params)
            points = [p.text for p in digest.key_points]
            total += scorer.score(points, example.reference)["R1"] - lead_r1
        margins.append(total / len(examples))
        setting = ", ".join(f"{n}={v:g}" for n, v in zip(STEPS, values, strict=True))
        print(f"{setting:40s} ΔR1 {margins[-1]:+.2f}", flush=True)
    mean = sum(margins) / len(margins)
    low, high = min(margins), max(margins)
    print(f"grid of {len(margins)}: mean ΔR1 {mean:+.2f}, from {low:+.2f} to {high:+.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
