"""``briefing ask`` as a user runs it: a real subprocess of ``python -m bot``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import load_settings
from bot.store import Store
from tests.answer.pools import ARTICLES, SEED_TITLE
from tests.cli.test_digest_cmd import briefing
from tests.conftest import SEED_ARTICLE
from tests.store.factory import article


def _write_batch(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs.jsonl"
    rows = [{"pool": "p1", "doc_id": "seed", "title": SEED_TITLE, "text": SEED_ARTICLE.read_text()}]
    rows += [
        {"pool": "p2", "doc_id": name, "title": title, "text": text}
        for name, (title, text) in ARTICLES.items()
    ]
    rows.append({"pool": "p2", "doc_id": "seed", "title": "Same id, other pool", "text": "Hi."})
    docs.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    questions = tmp_path / "questions.jsonl"
    asked = [
        {"id": "q1", "question": "What will Russia keep in Syria?", "pool": "p1"},
        {"id": "q2", "question": "What will Russia keep in Syria?", "pool": "p2"},
        {"id": "q3", "question": "Who won the chess championship?", "pool": "p2"},
        {"id": "q4", "question": "Who won the chess championship?", "pool": "nope"},
    ]
    questions.write_text("\n".join(json.dumps(q) for q in asked) + "\n")
    return questions, docs


def test_batch_answers_each_question_from_its_pool(tmp_path: Path) -> None:
    questions, docs = _write_batch(tmp_path)
    result = briefing("ask", "--jsonl", str(questions), "--docs", str(docs), "--top", "2")
    assert result.returncode == 0, result.stderr.decode()
    lines = {r["id"]: r["answers"] for r in map(json.loads, result.stdout.decode().splitlines())}
    assert list(lines) == ["q1", "q2", "q3", "q4"]
    assert lines["q1"][0]["doc_id"] == "seed"
    assert "naval facility" in lines["q1"][0]["sentence"]
    assert len(lines["q1"]) <= 2
    assert lines["q2"] == []
    assert lines["q3"][0]["doc_id"] == "chess"
    assert "Maya Patel" in " ".join(a["sentence"] for a in lines["q3"])
    assert lines["q4"] == []


def test_batch_reports_bad_lines(tmp_path: Path) -> None:
    questions, docs = _write_batch(tmp_path)
    with questions.open("a") as handle:
        handle.write("{not json\n" + json.dumps({"id": "q9", "pool": "p1"}) + "\n")
    result = briefing("ask", "--jsonl", str(questions), "--docs", str(docs))
    assert result.returncode == 1
    assert len(result.stdout.decode().splitlines()) == 4
    errors = result.stderr.decode()
    assert f"{questions}:5: not valid JSON" in errors
    assert f"{questions}:6: expected an object" in errors


def test_bad_arguments_are_clear_errors(tmp_path: Path) -> None:
    questions, docs = _write_batch(tmp_path)
    assert briefing("ask").returncode == 2
    assert briefing("ask", "--jsonl", str(questions)).returncode == 2
    assert briefing("ask", "why?", "--top", "11").returncode == 2
    missing = briefing("ask", "--jsonl", str(tmp_path / "no.jsonl"), "--docs", str(docs))
    assert missing.returncode == 1
    assert b"cannot read" in missing.stderr


def test_ask_from_an_empty_database_says_nothing_relevant(tmp_path: Path) -> None:
    config = tmp_path / "briefing.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n')
    result = briefing("--config", str(config), "ask", "What will Russia keep in Syria?")
    assert result.returncode == 0, result.stderr.decode()
    assert "Nothing relevant in the last 7 days" in result.stdout.decode()


async def test_ask_answers_from_the_configured_database(tmp_path: Path) -> None:
    config = tmp_path / "briefing.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n')
    store = await Store.open(load_settings(config).effective_database_url)
    try:
        feed = await store.add_feed("https://news.example/feed.xml")
        now = datetime.now(UTC)
        seed = article("s", title=SEED_TITLE, text=SEED_ARTICLE.read_text(), published=now)
        await store.store_articles(feed.id, [seed], deliver=False)
    finally:
        await store.close()
    question = "What will Russia keep in Syria?"
    result = briefing("--config", str(config), "ask", question, "--top", "1")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "naval facility and airbase" in out
    assert "https://news.example/s" in out
    as_json = briefing("--config", str(config), "ask", question, "--json")
    [first, *_] = json.loads(as_json.stdout)
    assert first["link"] == "https://news.example/s"
    assert first["title"] == SEED_TITLE
    assert first["position"]["end"] > first["position"]["start"]
