"""How the ROUGE-1 margin over LEAD-3 moves around the selector's defaults (a flat optimum is
trustworthy on unseen articles; a sharp peak is not).

    .venv/bin/python benchmarks/digest_sensitivity.py --data ../shared/eval/cnndm-dev.jsonl

Prints, for each point of a 3x3x3 grid over ``lead``, ``redundancy`` and ``lead_words`` (the knobs
that shape the digest of a text without paragraphs, like these) centred on the defaults, the mean
ROUGE-1 and ROUGE-2 F1 differences to LEAD-3, then the grid's means and ranges.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from pathlib import Path

from _eval import Scorer, load
from digest_quality import lead

from bot.digest import Params, summarize

STEPS = {"lead": 0.05, "redundancy": 0.1, "lead_words": 10.0}


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
    base = [scorer.score(lead(e.text, 3), e.reference) for e in examples]
    defaults = Params()
    axes = [
        [getattr(defaults, name) + k * step for k in (-1, 0, 1)] for name, step in STEPS.items()
    ]
    margins: dict[str, list[float]] = {"R1": [], "R2": []}
    for values in itertools.product(*axes):
        params = dataclasses.replace(defaults, **dict(zip(STEPS, values, strict=True)))
        totals = dict.fromkeys(margins, 0.0)
        for example, lead_scores in zip(examples, base, strict=True):
            digest = summarize(example.text, title=example.title, max_points=3, params=params)
            scores = scorer.score([p.text for p in digest.key_points], example.reference)
            for metric in totals:
                totals[metric] += scores[metric] - lead_scores[metric]
        for metric, total in totals.items():
            margins[metric].append(total / len(examples))
        setting = ", ".join(f"{n}={v:g}" for n, v in zip(STEPS, values, strict=True))
        deltas = "  ".join(f"Δ{m} {v[-1]:+.2f}" for m, v in margins.items())
        print(f"{setting:40s} {deltas}", flush=True)
    for metric, grid in margins.items():
        mean, low, high = sum(grid) / len(grid), min(grid), max(grid)
        print(f"grid of {len(grid)}: mean Δ{metric} {mean:+.2f}, from {low:+.2f} to {high:+.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
