"""Regression guard on the /ask development split (needs ../shared/eval): the acceptance bars."""

from __future__ import annotations

import json
from collections import defaultdict

from bot.answer import AnswerEngine
from tests.conftest import shared_path

# Issue 5's bars on this split: QA.md's baselines + 3 points.
HIT1_BAR = 72.2 + 3  # plain BM25 over the pool's sentences
HIT3_BAR = 87.1 + 3  # two-stage BM25


def _hit_rank(sentences: list[str], answers: list[str]) -> int | None:
    golds = [" ".join(a.lower().split()) for a in answers]
    for rank, sentence in enumerate(sentences, start=1):
        if any(g in " ".join(sentence.lower().split()) for g in golds):
            return rank
    return None


def test_hit_at_1_and_3_beat_the_bm25_baselines_on_qa_dev() -> None:
    questions_path = shared_path("eval", "qa-dev.jsonl")
    docs_path = shared_path("eval", "qa-dev-docs.jsonl")
    engine = AnswerEngine()
    pools: dict[str, list[str]] = defaultdict(list)
    for line in docs_path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        engine.add(doc["doc_id"], doc["title"], doc["text"])
        pools[doc["pool"]].append(doc["doc_id"])
    ranks = []
    for line in questions_path.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        found = engine.answer(q["question"], keys=pools[q["pool"]], top=3)
        ranks.append(_hit_rank([a.text for a in found], q["answers"]))
    hit1 = 100 * sum(r == 1 for r in ranks) / len(ranks)
    hit3 = 100 * sum(r is not None for r in ranks) / len(ranks)
    assert len(ranks) == 1000
    assert hit1 >= HIT1_BAR, (hit1, hit3)
    assert hit3 >= HIT3_BAR, (hit1, hit3)
