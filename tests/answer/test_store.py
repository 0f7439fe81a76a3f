"""The engine kept up to date with a real store (SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

from datetime import timedelta

from bot.answer import AnswerEngine
from bot.store import Store
from tests.answer.pools import ARTICLES, SEED_TITLE
from tests.conftest import SEED_ARTICLE
from tests.store.factory import T0, article, hours

QUESTION = "What will Russia keep in Syria?"


async def _feed(store: Store, url: str, guild: int) -> int:
    feed = await store.add_feed(url)
    await store.subscribe(feed.id, guild, guild * 10, mode="instant", added_by=None)
    return feed.id


async def test_catch_up_indexes_what_was_stored_since(store: Store) -> None:
    feed = await _feed(store, "https://a.example/feed", 1)
    engine = AnswerEngine()
    title, text = ARTICLES["chess"]
    await store.store_articles(feed, [article("c", title=title, text=text)], deliver=False)
    assert await engine.catch_up(store) == 1
    assert await engine.catch_up(store) == 0
    seed = article("s", title=SEED_TITLE, text=SEED_ARTICLE.read_text(), published=T0 + hours(1))
    await store.store_articles(feed, [seed], deliver=False)
    assert await engine.catch_up(store) == 1
    (first, *_) = engine.answer(QUESTION)
    assert "naval facility and airbase" in first.text
    assert first.article.link == "https://news.example/s"
    assert first.article.published == T0 + hours(1)


async def test_catch_up_drops_articles_past_the_retention(store: Store) -> None:
    feed = await _feed(store, "https://a.example/feed", 1)
    old = article("old", title=SEED_TITLE, text=SEED_ARTICLE.read_text(), published=T0)
    await store.store_articles(feed, [old], deliver=False)
    engine = AnswerEngine(retention=timedelta(days=7))
    assert await engine.catch_up(store, now=T0 + timedelta(days=8)) == 0
    assert len(engine.index) == 0
    assert engine.answer(QUESTION) == []


async def test_ask_answers_from_the_guilds_recent_articles_only(store: Store) -> None:
    mine = await _feed(store, "https://a.example/feed", 1)
    theirs = await _feed(store, "https://b.example/feed", 2)
    seed = article("s", title=SEED_TITLE, text=SEED_ARTICLE.read_text(), published=T0)
    await store.store_articles(theirs, [seed], deliver=False)
    title, text = ARTICLES["harbour"]
    await store.store_articles(mine, [article("h", title=title, text=text)], deliver=False)
    engine = AnswerEngine()
    now = T0 + hours(2)
    assert await engine.ask(store, QUESTION, guild_id=1, now=now) == []
    found = await engine.ask(store, QUESTION, guild_id=2, now=now)
    assert "naval facility" in found[0].text
    assert await engine.ask(store, QUESTION, guild_id=2, feed_id=mine, now=now) == []
    assert await engine.ask(store, QUESTION, guild_id=2, now=now + timedelta(days=8)) == []
    bridge = await engine.ask(store, "When will the bridge open?", guild_id=1, now=now, top=1)
    assert len(bridge) == 1
    assert "2029" in bridge[0].text
