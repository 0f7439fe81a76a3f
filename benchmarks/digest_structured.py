"""Section coverage: annotated key points found in articles with sub-headings, against LEAD-3.

    .venv/bin/python benchmarks/digest_structured.py [--data ../shared/eval/structured-dev] [-v]

The folder holds ``NAME.txt`` articles and ``keypoints.json`` (each file name -> 3 phrases, an entry
may be a list of alternatives). A phrase is found when one of the three key points contains it
(case-insensitive). Prints points found by Briefing and by LEAD-3 (the first three body sentences of
Briefing's own splitter), per article with ``-v``; a heading among the key points is an error.
Then the *validated* count: leave one article out, choose ``section`` and ``quantities`` (the
knobs of sub-headed articles) on the other nine by points found, count the left-out article's
points with that choice, over all ten.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.digest import Params, split_sentences, summarize

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "structured-dev"
# The grid the validated count chooses from: a step either side of each default.
GRID = {"section": (0.7, 0.8, 0.9), "quantities": (0.5, 1.0, 1.5)}


@dataclasses.dataclass(frozen=True, slots=True)
class Article:
    """One annotated article: its text and the alternatives of each key point."""

    name: str
    text: str
    points: list[list[str]]


def load(folder: Path) -> list[Article]:
    """The annotated articles of ``folder`` in file-name order."""
    keys = json.loads((folder / "keypoints.json").read_text(encoding="utf-8"))
    out = []
    for name in sorted(keys):
        text = (folder / name).read_text(encoding="utf-8")
        points = [[p] if isinstance(p, str) else list(p) for p in keys[name]]
        out.append(Article(name, text, points))
    return out


def found(article: Article, chosen: Sequence[str]) -> int:
    """How many of the article's key points one of ``chosen`` contains."""
    low = [c.lower() for c in chosen]
    return sum(any(alt.lower() in c for alt in alts for c in low) for alts in article.points)


def briefing(article: Article, params: Params | None = None) -> list[str]:
    """Briefing's three key points; raises when one is a heading."""
    headings = {s.text for s in split_sentences(article.text) if s.is_heading}
    points = [p.text for p in summarize(article.text, params=params).key_points]
    if headings & set(points):
        raise AssertionError(f"{article.name}: a heading is a key point: {points}")
    return points


def validated(articles: Sequence[Article]) -> int:
    """Points found when each article's settings are chosen on the others (leave one out)."""
    settings = [
        dataclasses.replace(Params(), **dict(zip(GRID, values, strict=True)))
        for values in itertools.product(*GRID.values())
    ]
    table = [[found(a, briefing(a, params)) for a in articles] for params in settings]
    total = 0
    for out in range(len(articles)):
        # Ties go to the setting nearest the defaults (listed in grid order, centre first).
        best = max(
            range(len(settings)),
            key=lambda k: (sum(r for n, r in enumerate(table[k]) if n != out), -_distance(k)),
        )
        total += table[best][out]
    return total


def _distance(k: int) -> int:
    """Grid steps between setting ``k`` and the centre of ``GRID``."""
    index = list(itertools.product(*(range(len(v)) for v in GRID.values())))[k]
    return sum(abs(i - len(v) // 2) for i, v in zip(index, GRID.values(), strict=True))


def lead3(article: Article) -> list[str]:
    """The first three body sentences."""
    return [s.text for s in split_sentences(article.text) if not s.is_heading][:3]


def main(argv: list[str] | None = None) -> int:
    """Print points found by Briefing and LEAD-3; exit status 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("-v", "--verbose", action="store_true", help="per-article detail")
    args = parser.parse_args(argv)
    if not (args.data / "keypoints.json").is_file():
        print(f"{args.data} has no keypoints.json: the evaluation data lives in ../shared/eval")
        return 0
    articles = load(args.data)
    total = mine = lead = 0
    for article in articles:
        points = briefing(article)
        hits, base = found(article, points), found(article, lead3(article))
        total, mine, lead = total + len(article.points), mine + hits, lead + base
        if args.verbose:
            print(f"{article.name:<18} {hits}/{len(article.points)}  (LEAD-3 {base})")
            for point in points:
                print(f"    - {point[:110]}")
    print(f"{args.data.name}: {len(articles)} articles, {total} key points")
    print(f"Briefing  {mine:>3} of {total} ({100 * mine / total:.0f} %)")
    print(f"LEAD-3    {lead:>3} of {total} ({100 * lead / total:.0f} %)")
    held = validated(articles)
    print(f"Briefing, validated (leave one article out over {GRID}): {held} of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
