"""Shared helpers of the digest benchmarks: loading the evaluation data and scoring with ROUGE."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rouge_score import rouge_scorer

log = logging.getLogger(__name__)

COVERAGE_RECALL = 0.5  # a reference line is covered when some key point recalls half its words


@dataclass(frozen=True, slots=True)
class Example:
    """One article of an evaluation file."""

    id: str
    text: str
    title: str | None
    reference: list[str]


def load(path: Path, limit: int | None = None) -> list[Example]:
    """Read a JSON-lines evaluation file (``id``, ``text``, ``title``, ``reference``)."""
    return list(iter_examples(path, limit))


def iter_examples(path: Path, limit: int | None = None) -> Iterator[Example]:
    """Stream the examples of a JSON-lines evaluation file."""
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            if limit is not None and n >= limit:
                return
            row = json.loads(line)
            lines = [r for r in row["reference"].split("\n") if r.strip()]
            yield Example(row["id"], row["text"], row.get("title") or None, lines)


@dataclass(slots=True)
class Tally:
    """Running means of ROUGE F1 (x100) and highlight coverage for one system."""

    totals: dict[str, float] = field(default_factory=dict)
    count: int = 0

    def add(self, values: dict[str, float]) -> None:
        """Add one article's scores."""
        for key, value in values.items():
            self.totals[key] = self.totals.get(key, 0.0) + value
        self.count += 1

    def mean(self, key: str) -> float:
        """Mean of ``key`` over the articles added."""
        return self.totals.get(key, 0.0) / self.count if self.count else 0.0


class Scorer:
    """ROUGE-1/2/Lsum F1 (stemmed; Lsum over newline-joined sentences) and highlight coverage."""

    def __init__(self) -> None:
        self._rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
        self._unigram = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)

    def score(self, points: Sequence[str], reference: Sequence[str]) -> dict[str, float]:
        """Scores of one prediction (a list of sentences) against reference lines."""
        result = self._rouge.score("\n".join(reference), "\n".join(points))
        covered = sum(
            any(self._unigram.score(line, p)["rouge1"].recall >= COVERAGE_RECALL for p in points)
            for line in reference
        )
        return {
            "R1": 100 * result["rouge1"].fmeasure,
            "R2": 100 * result["rouge2"].fmeasure,
            "RLsum": 100 * result["rougeLsum"].fmeasure,
            "coverage": 100 * covered / len(reference) if reference else 0.0,
        }
