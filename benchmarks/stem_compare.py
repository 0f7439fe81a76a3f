"""English stems for key points: the shipped inflection rules against Snowball English, paired.

    .venv/bin/python benchmarks/stem_compare.py [--data ../shared/eval/cnndm-dev.jsonl ...]

For each file, digests every article twice, once with ``bot.digest.stem`` (inflections only) and
once with Snowball's English stemmer (PyStemmer) in its place, and prints the mean per-article
ROUGE-1 F1 gain of the shipped stems, a 95 % bootstrap interval of that mean (2,000 resamples),
and how many articles got better, worse or kept the same key points' score. A gain carried by
a few changed articles has a wide interval: it says how far a dev margin can be trusted.
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import Stemmer
from _eval import Example, Scorer, load

from bot.digest import features, summarize
from bot.digest.stem import stem

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
RESAMPLES = 2000

_SNOWBALL = Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=65536)
def snowball(word: str, language: str = "en") -> str:
    """Snowball English for English words, the shipped stems for every other language."""
    if language != "en":
        return stem(word, language)
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return str(_SNOWBALL.stemWord(word))


def r1_per_article(examples: list[Example], stemmer: Callable[[str, str], str]) -> list[float]:
    """ROUGE-1 F1 of each article's key points with ``stemmer`` in the digest's features."""
    scorer = Scorer()
    with mock.patch.object(features, "stem", stemmer):
        return [
            scorer.score(
                [p.text for p in summarize(e.text, title=e.title).key_points], e.reference
            )["R1"]
            for e in examples
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        help="JSON-lines evaluation files (default: CNN/DM, XSum and BBC dev)",
    )
    args = parser.parse_args()
    files = args.data or [EVAL / f"{name}-dev.jsonl" for name in ("cnndm", "xsum", "bbc")]
    for path in files:
        examples = load(path)
        gains = [
            a - b
            for a, b in zip(
                r1_per_article(examples, stem), r1_per_article(examples, snowball), strict=True
            )
        ]
        rng = random.Random(0)
        means = sorted(statistics.mean(rng.choices(gains, k=len(gains))) for _ in range(RESAMPLES))
        low, high = means[int(0.025 * RESAMPLES)], means[int(0.975 * RESAMPLES) - 1]
        better = sum(g > 0 for g in gains)
        worse = sum(g < 0 for g in gains)
        print(
            f"{path.name}: {len(gains)} articles, mean ROUGE-1 gain of the shipped stems "
            f"{statistics.mean(gains):+.2f} (95 % bootstrap interval {low:+.2f} to {high:+.2f}); "
            f"better {better}, worse {worse}, same {len(gains) - better - worse}"
        )


if __name__ == "__main__":
    main()
