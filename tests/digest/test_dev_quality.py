"""Regression guard on the CNN/DM development split: key points beat LEAD-3 (needs ../shared)."""

from __future__ import annotations

import json

import pytest

from bot.digest import split_sentences, summarize
from tests.conftest import shared_path


def test_key_points_beat_lead_3_on_cnndm_dev() -> None:
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer", reason="bench extra absent")
    path = shared_path("eval", "cnndm-dev.jsonl")
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    totals = {"mine1": 0.0, "mine2": 0.0, "lead1": 0.0, "lead2": 0.0}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        mine = "\n".join(p.text for p in summarize(row["text"]).key_points)
        body = [s.text for s in split_sentences(row["text"]) if not s.is_heading]
        lead = "\n".join(" ".join(s.split()) for s in body[:3])
        for name, prediction in (("mine", mine), ("lead", lead)):
            scores = scorer.score(row["reference"], prediction)
            totals[name + "1"] += 100 * scores["rouge1"].fmeasure / len(rows)
            totals[name + "2"] += 100 * scores["rouge2"].fmeasure / len(rows)
    # The acceptance bar of issue 2 on this split: R1 >= LEAD-3 + 0.5 and R2 >= LEAD-3.
    assert totals["mine1"] >= totals["lead1"] + 0.5, totals
    assert totals["mine2"] >= totals["lead2"], totals
