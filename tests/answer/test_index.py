"""The sentence index is updated article by article: adding, replacing, removing, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.answer import AnswerEngine, DocRef, SentenceIndex
from tests.answer.pools import ARTICLES, engine_with

QUESTION = "Who won the chess championship?"


def test_an_article_added_later_is_found_without_a_rebuild() -> None:
    engine = engine_with("harbour", "vaccine")
    assert engine.answer(QUESTION) == []
    title, text = ARTICLES["chess"]
    engine.add("chess", title, text)
    assert engine.answer(QUESTION)[0].article.key == "chess"


def test_removing_an_article_takes_its_sentences_out() -> None:
    engine = engine_with("harbour", "chess")
    assert engine.index.remove("chess")
    assert not engine.index.remove("chess")
    assert engine.answer(QUESTION) == []
    assert "chess" not in engine.index
    assert engine.index.postings("chess") == {}
    assert len(engine.index) == 1


def test_re_adding_an_article_replaces_it() -> None:
    engine = engine_with("chess")
    engine.add("chess", "Teenager wins", "A pianist from York won the national piano prize.")
    assert len(engine.index) == 1
    assert engine.answer(QUESTION) == []
    assert "York" in engine.answer("Who won the piano prize?")[0].text


def test_index_matches_one_built_at_once() -> None:
    grown = engine_with("harbour")
    for name in ("vaccine", "chess"):
        title, text = ARTICLES[name]
        grown.add(name, title, text, link=f"https://news.example/{name}")
    whole = engine_with("harbour", "vaccine", "chess")
    for question in (QUESTION, "When will the bridge open?", "flu vaccine doses"):
        assert grown.answer(question, top=10) == whole.answer(question, top=10)


def test_old_articles_expire() -> None:
    index = SentenceIndex()
    now = datetime(2026, 11, 25, tzinfo=UTC)
    for key, age in (("old", 10), ("new", 1)):
        title, text = ARTICLES["chess"]
        index.add(DocRef(key, title, None, now - timedelta(days=age)), text)
    assert index.remove_older(now - timedelta(days=7)) == 1
    assert list(index.keys()) == ["new"]


def test_sentences_carry_salience_and_positions() -> None:
    engine = AnswerEngine()
    title, text = ARTICLES["harbour"]
    engine.add(7, title, text)
    doc = engine.index.get(7)
    assert doc is not None
    assert engine.index.last_article_id == 7
    assert len(doc.sentences) == len(doc.salience) == len(doc.tfs) == 5
    assert max(doc.salience) == 1.0
    assert all(text[s.start : s.end] == s.text for s in doc.sentences)
