"""How the ROUGE margin over LEAD-3 moves around the selector's defaults, and what tuning on part
of the data predicts for articles it did not see (a flat optimum is trustworthy; a peak is not).

    .venv/bin/python benchmarks/digest_sensitivity.py --data ../shared/eval/cnndm-dev.jsonl \
        [--data ../shared/eval/xsum-dev.jsonl ...] [--splits 300]

For each file, prints each point of a 3x3x3 grid over ``lead``, ``redundancy`` and ``lead_words``
(the knobs that shape the digest of a text without paragraphs) centred on the defaults, with the
mean ROUGE-1 and ROUGE-2 F1 differences to LEAD-3; then the grid's means and ranges; then the
*validated* figure: over ``--splits`` random half-splits, the setting best on one half scored on
the other half (mean and 10th percentile). The dev figure of the default sits beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
import statistics
from pathlib import Path

from _eval import Example, Scorer, load
from digest_quality import lead

from bot.digest import Params, summarize

STEPS = {"lead": 0.05, "redundancy": 0.1, "lead_words": 10.0}
METRICS = ("R1", "R2")


def grid() -> list[Params]:
    """The 27 settings around the defaults."""
    defaults = Params()
    axes = [
        [getattr(defaults, name) + k * step for k in (-1, 0, 1)] for name, step in STEPS.items()
    ]
    return [
        dataclasses.replace(defaults, **dict(zip(STEPS, values, strict=True)))
        for values in itertools.product(*axes)
    ]


def margins(examples: list[Example], settings: list[Params]) -> list[list[dict[str, float]]]:
    """Per setting, per article: the ROUGE differences to LEAD-3."""
    scorer = Scorer()
    base = [scorer.score(lead(e.text, 3), e.reference) for e in examples]
    out = []
    for params in settings:
        rows = []
        for example, lead_scores in zip(examples, base, strict=True):
            digest = summarize(example.text, title=example.title, max_points=3, params=params)
            scores = scorer.score([p.text for p in digest.key_points], example.reference)
            rows.append({m: scores[m] - lead_scores[m] for m in METRICS})
        out.append(rows)
        setting = ", ".join(f"{n}={getattr(params, n):g}" for n in STEPS)
        deltas = "  ".join(f"Δ{m} {statistics.fmean(r[m] for r in rows):+.2f}" for m in METRICS)
        print(f"{setting:40s} {deltas}", flush=True)
    return out


def validate(table: list[list[dict[str, float]]], splits: int, seed: int = 0) -> dict[str, float]:
    """Tune on a random half (best mean ΔR1), score on the other half; over ``splits`` splits."""
    rng = random.Random(seed)
    n = len(table[0])
    held: dict[str, list[float]] = {m: [] for m in METRICS}
    for _ in range(splits):
        order = list(range(n))
        rng.shuffle(order)
        tune, test = order[: n // 2], order[n // 2 :]
        best = max(table, key=lambda rows: sum(rows[i]["R1"] for i in tune))
        for metric in METRICS:
            held[metric].append(statistics.fmean(best[i][metric] for i in test))
    out = {}
    for metric, values in held.items():
        out[metric] = statistics.fmean(values)
        out[metric + " p10"] = statistics.quantiles(values, n=10)[0]
    return out


def main() -> int:
    """Print the grid and the validated figures per file; exit status 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", required=True, help="JSONL file")
    parser.add_argument("--splits", type=int, default=300, help="random half-splits")
    args = parser.parse_args()
    settings = grid()
    default_at = settings.index(Params())
    for path in args.data:
        if not path.is_file():
            print(f"{path} is absent: the evaluation data lives in ../shared/eval")
            continue
        print(f"\n{path.name}")
        table = margins(load(path), settings)
        for metric in METRICS:
            means = [statistics.fmean(r[metric] for r in rows) for rows in table]
            print(
                f"grid of {len(means)}: mean Δ{metric} {statistics.fmean(means):+.2f}, "
                f"from {min(means):+.2f} to {max(means):+.2f}"
            )
        held = validate(table, args.splits)
        for metric in METRICS:
            dev = statistics.fmean(r[metric] for r in table[default_at])
            low = held[metric + " p10"]
            print(
                f"Δ{metric}: dev (default) {dev:+.2f}   validated (tuned on half, scored on the "
                f"other, {args.splits} splits) {held[metric]:+.2f}, 10th pct {low:+.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
