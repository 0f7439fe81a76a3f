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


def test_sub_headed_articles_are_covered_section_by_section() -> None:
    """structured-dev: key points found well beyond LEAD-3's (the leads only), none a heading."""
    folder = shared_path("eval", "structured-dev")
    keys = json.loads((folder / "keypoints.json").read_text(encoding="utf-8"))
    found = lead_found = 0
    for name, phrases in keys.items():
        text = (folder / name).read_text(encoding="utf-8")
        alternatives = [[p] if isinstance(p, str) else p for p in phrases]
        sentences = split_sentences(text)
        headings = {s.text for s in sentences if s.is_heading}
        points = [p.text.lower() for p in summarize(text).key_points]
        lead = [s.text.lower() for s in sentences if not s.is_heading][:3]
        assert not headings & {p.text for p in summarize(text).key_points}
        for alts in alternatives:
            found += any(a.lower() in p for a in alts for p in points)
            lead_found += any(a.lower() in p for a in alts for p in lead)
    # 25 of 30 when this was written (LEAD-3: 10; the bar is 24, 80 %): a slip back fails.
    assert found >= 24, (found, lead_found)
    assert found >= 2 * lead_found
